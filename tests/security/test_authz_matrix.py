"""The authorization matrix, generated from the URL configuration.

Every URL pattern (pages, admin, API) is requested by every persona with GET, and with POST where
the matrix marks it a write endpoint, against the seeded world of conftest.py; the answer must be
the one matrix.py gives. A pattern without a matrix entry fails: a new URL must say who may use it.
"""

from __future__ import annotations

import json
import os

import pytest
from django.core.cache import cache
from django.test import Client

from .conftest import PERSONAS
from .matrix import ENTRIES, KWARGS, READ_ONLY, Entry
from .urlwalk import build_url, iter_patterns, outcome

# About six minutes with every admin page: run by `make security` (CI), not by `make test`.
pytestmark = [pytest.mark.django_db, pytest.mark.security_slow]

PATTERNS = list(iter_patterns())
# Entry points that any visitor may POST to and that write nothing of the portal's records.
NOT_WRITES = {
    "home",
    "set_language",
    "admin:login",
    "admin:logout",
    "admin:index",
    "admin:app_list",
    "admin:password_change",
    "institutions:login",
    "institutions:logout",
    "v1:api-token",
    "v1:public-voucher-balance",
    "voucher_family:balance",
    "voucher_family:follow",
    "inspections:concern_follow",
    # Public forms: whoever sends them, signed in or not, writes as a member of the public (an
    # application or a concern), never into the portal's records as their role.
    "voucher_family:apply_batch",
    "inspections:concern_new",
    # A family's request for a fee statement: issued as the family (by the voucher code and ID
    # suffix), never as the role of whoever is signed in.
    "voucher_family:statement",
    # A person's own inbox and notification settings, whatever their role.
    "notifications:open",
    "notifications:read_all",
    "notifications:preferences",
}
RECORD = os.environ.get("SECURITY_MATRIX_RECORD")
_recorded: dict = {}


def _client(world, persona: str, fresh: bool) -> Client:
    if not fresh:
        return world.clients[persona]
    client = Client()
    user = world.users[persona]
    if user.is_authenticated:
        client.force_login(user)
    return client


# django-simple-history's "view this version" page renders every choice of every foreign key (the
# Finding page takes ~45 s with the demo's 11,830 inspection results): one persona per answer.
SLOW_PAGE_PERSONAS = ("anonymous", "operator_b", "auditor")


def _answers(world, url: str, method: str, *, fresh: bool, personas=PERSONAS) -> dict:
    answers = {}
    for persona in personas:
        response = getattr(_client(world, persona, fresh), method)(url)
        answers[persona] = (outcome(response), response.status_code)
    return answers


def test_every_url_pattern_has_an_entry():
    missing = sorted({p.key for p in PATTERNS} - set(ENTRIES))
    assert not missing, f"new URL without an entry in tests/security/matrix.py: {missing}"


def test_no_read_only_role_may_write_and_no_stale_entries():
    for key, entry in ENTRIES.items():
        if key in NOT_WRITES or key.endswith(":export"):  # an export POST only reads
            continue
        for method in ("post", "patch"):
            allowed = getattr(entry, method)
            assert not (allowed or set()) & READ_ONLY - set(entry.screened), (key, method)
    stale = sorted(set(ENTRIES) - {p.key for p in PATTERNS})
    assert not stale, f"matrix entries for URLs that no longer exist: {stale}"


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """The public lookups allow 30 tries an hour per address (vouchers/family.py) and every
    persona asks from the test client's one address: each URL starts from a fresh count, as
    throttling has its own tests. (Eleven personas x three balance checks would pass 30.)"""
    cache.clear()


@pytest.mark.parametrize("pattern", PATTERNS, ids=[f"{p.key}|{p.route}" for p in PATTERNS])
def test_authorization_matrix(world, pattern):
    entry: Entry | None = ENTRIES.get(pattern.key)
    if entry is None and not RECORD:
        pytest.fail(f"new URL without an entry: {pattern.key} ({pattern.route})")
    kwargs = KWARGS[pattern.name](world) if pattern.name in KWARGS else None
    url = build_url(pattern, world, kwargs)
    fresh = "logout" in pattern.key  # logging out must not end the shared sessions
    checks = {"get": entry.get if entry else None}
    if entry is None or entry.post is not None:
        checks["post"] = entry.post if entry else None
    wrong = []
    for method, allowed in checks.items():
        personas = SLOW_PAGE_PERSONAS if pattern.key.endswith(":simple_history") else PERSONAS
        answers = _answers(world, url, method, fresh=fresh or method != "get", personas=personas)
        if RECORD:
            _recorded.setdefault(pattern.key, {})[method] = {
                p: f"{o}:{s}" for p, (o, s) in answers.items()
            }
            continue
        for persona, (result, status) in answers.items():
            if result == "error":
                wrong.append(f"{method.upper()} {url} as {persona}: server error {status}")
            elif (
                result == "ok" and method != "get" and persona in READ_ONLY and 200 <= status < 300
            ):
                if pattern.key not in NOT_WRITES and not pattern.key.endswith(":export"):
                    wrong.append(
                        f"{method.upper()} {url} as {persona}: read-only role got {status}"
                    )
            elif (result == "ok") != (persona in allowed):
                expected = "allowed" if persona in allowed else "refused"
                wrong.append(f"{method.upper()} {url} as {persona}: {status}, expected {expected}")
    if RECORD:
        with open(RECORD, "w") as fh:
            json.dump(_recorded, fh, ensure_ascii=False, indent=1)
    assert not wrong, "\n".join(wrong)
