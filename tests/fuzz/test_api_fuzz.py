"""The API fuzzed from its own OpenAPI schema (issue #10): `make fuzz`, CI; not `make test`.

schemathesis reads drf-spectacular's schema from /api/schema/ in-process and sends every
operation bounded, derandomized examples (valid and invalid) as the bureau and as an operator,
against the demo data on PostgreSQL. Every answer must be no server error and match the schema:
a documented status code, a documented content type, a body of the documented shape.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from schemathesis import checks
from schemathesis.config import SchemathesisConfig

from lequing_tuoyu.wsgi import application

from .conftest import CASES

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

# Per operation and persona; with ~150 operations and two personas this keeps the run within a few
# minutes on a small CI machine.
MAX_EXAMPLES = 10
CONFIG = {
    "seed": 2025,
    "generation": {
        "max-examples": MAX_EXAMPLES,
        "deterministic": True,
        "mode": "all",
        "database": "none",
    },
    # Examples and fuzzing are bounded by max-examples; the coverage phase is not (every boundary
    # value of every field), and the stateful phase needs links the schema does not declare.
    "phases": {
        "examples": {"enabled": True},
        "coverage": {"enabled": False},
        "fuzzing": {"enabled": True},
        "stateful": {"enabled": False},
    },
}
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


# Loaded when the module is collected (schemathesis' lazy `from_fixture` does not work with
# pytest 9.2); the schema view reads no rows.
schema = schemathesis.openapi.from_wsgi(
    "/api/schema/", application, config=SchemathesisConfig.from_dict(CONFIG)
)


def _list_path(path: str) -> str | None:
    """`/api/v1/findings/{id}/rectify/` -> `/api/v1/findings/`."""
    for name in ("{id}", "{code}"):
        if name in path:
            return path.split(name)[0]
    return None


@pytest.fixture(scope="module")
def known_ids(fuzz_world):
    from .conftest import _known_ids

    list_paths = {
        _list_path(result.ok().path)
        for result in schema.get_all_operations()
        if _list_path(result.ok().path)
    }
    return {persona: _known_ids(user, list_paths) for persona, user in fuzz_world.users.items()}


def _point_at_existing_rows(case, ids: dict) -> None:
    """Half of the generated ids (the even ones) are swapped for rows the persona can see, so the
    cases reach the serializers and services instead of stopping at a 404."""
    list_path = _list_path(case.operation.path)
    known = ids.get(list_path) or []
    if not known or not case.path_parameters:
        return
    for name in ("id", "code"):
        value = case.path_parameters.get(name)
        if value is None:
            continue
        digest = sum(str(value).encode())
        if digest % 2 == 0:
            case.path_parameters[name] = known[(digest // 2) % len(known)]


@contextmanager
def _connection_kept_open():
    """As Django's test client does: the handler must not close the connection that holds the
    test's transaction when a request starts or finishes."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _run(case, persona: str, fuzz_world, known_ids) -> None:
    _point_at_existing_rows(case, known_ids[persona])
    # Each case in a savepoint of its own, rolled back: every case meets the same seeded rows, and
    # a case that breaks the transaction cannot spoil the ones after it.
    with transaction.atomic(), _connection_kept_open():
        response = case.call(headers={"Authorization": f"Token {fuzz_world.tokens[persona]}"})
        transaction.set_rollback(True)
    CASES[persona] += 1
    case.validate_response(response, checks=CHECKS)


@schema.parametrize()
def test_api_as_bureau(case, fuzz_world, known_ids):
    _run(case, "bureau", fuzz_world, known_ids)


@schema.parametrize()
def test_api_as_operator(case, fuzz_world, known_ids):
    _run(case, "operator", fuzz_world, known_ids)
