"""The seeded world of the API fuzz run (tests/fuzz, `make fuzz`, CI; not `make test`).

The demo data (`lequing_tuoyu.demo.seed`, indicators skipped) is loaded once for the module inside
a transaction that is rolled back at the end, as tests/security does; every fuzz case then runs in
a savepoint that is rolled back too, so each case meets the same rows whatever the cases before it
wrote. The app is called in-process through its WSGI handler.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.db import transaction
from django.test.utils import override_settings

# Cases sent per persona, summed over every operation; printed at the end of the run.
CASES: Counter = Counter()

# Rates no fuzz run reaches: throttling has tests of its own and must not make this one flaky.
FUZZ_THROTTLE_RATES = {"anon": "1000000/minute", "user": "1000000/minute", "auth": "1000000/minute"}


def pytest_configure(config):
    config.addinivalue_line("markers", "fuzz: schemathesis against the API (make fuzz, CI)")


def pytest_terminal_summary(terminalreporter):
    if CASES:
        per_persona = ", ".join(f"{persona} {count}" for persona, count in sorted(CASES.items()))
        terminalreporter.write_line(
            f"API fuzz cases run: {sum(CASES.values())} ({per_persona})", bold=True
        )


@dataclass
class FuzzWorld:
    users: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)
    # persona -> list path (e.g. "/api/v1/institutions/") -> ids (or voucher codes) it can see
    ids: dict = field(default_factory=dict)


# Detail paths whose ids come from a model rather than from a list endpoint.
_FILE_MODELS = {
    "/api/v1/inspection-photos/": ("inspections", "InspectionPhoto"),
    "/api/v1/rectification-evidence/": ("inspections", "RectificationEvidence"),
}


def _known_ids(user, list_paths) -> dict:
    """The first few ids each list endpoint shows `user`, so that a share of the cases hit rows
    that exist rather than a 404."""
    from django.apps import apps
    from rest_framework.test import APIClient

    from portal.roles import scope

    client = APIClient()
    client.force_authenticate(user)
    known = {}
    for path in sorted(list_paths):
        if path in _FILE_MODELS:
            model = apps.get_model(*_FILE_MODELS[path])
            known[path] = list(
                scope(user, model._default_manager.all())
                .order_by("pk")
                .values_list("pk", flat=True)[:3]
            )
            continue
        response = client.get(path, {"page_size": 3})
        body = response.json() if response.status_code == 200 else []
        rows = body.get("results", []) if isinstance(body, dict) else body
        known[path] = [row.get("id", row.get("code")) for row in rows if isinstance(row, dict)]
    return known


@pytest.fixture(scope="module")
def fuzz_world(django_db_setup, django_db_blocker):
    from rest_framework.authtoken.models import Token
    from rest_framework.throttling import SimpleRateThrottle

    from inspections.checklists import ensure_default_checklists
    from lequing_tuoyu import demo

    media = tempfile.TemporaryDirectory()
    monkeypatch = pytest.MonkeyPatch()
    # DRF reads the rates once, at import: patch the class as well as the setting.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", FUZZ_THROTTLE_RATES)
    rest_framework = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": FUZZ_THROTTLE_RATES}
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media.name, REST_FRAMEWORK=rest_framework),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            ensure_default_checklists()
            demo.seed(scale="demo", seed=2025, with_indicators=False)
            from django.contrib.auth import get_user_model

            # The demo's bureau login (a bureau administrator) and the operator of one institution.
            User = get_user_model()
            users = {
                "bureau": User.objects.get(username="bureau"),
                "operator": User.objects.get(username="operator1"),
            }
            world = FuzzWorld()
            world.users = users
            for persona, user in users.items():
                world.tokens[persona] = Token.objects.create(user=user).key
            yield world
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            monkeypatch.undo()
    media.cleanup()
