"""Fixtures of the inspection tests: the default checklists, a second inspector, addresses."""

import pytest

from portal.roles import Role
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _default_checklists(request):
    """The data migration's checklists, put back when a transactional test elsewhere has
    truncated the tables."""
    if "db" not in request.fixturenames and "transactional_db" not in request.fixturenames:
        marker = request.node.get_closest_marker("django_db")
        if marker is None:
            return
    request.getfixturevalue("db")
    from inspections.checklists import ensure_default_checklists

    ensure_default_checklists()


@pytest.fixture
def inspector2(db):
    return UserFactory(username="inspector2", role=Role.INSPECTOR, email="inspector2@example.org")


@pytest.fixture
def inspector3(db):
    return UserFactory(username="inspector3", role=Role.INSPECTOR, email="inspector3@example.org")


@pytest.fixture
def with_emails(bureau, operator_a, operator_b, inspector):
    """Give the personas addresses, so mail has somewhere to go."""
    for user in (bureau, operator_a, operator_b, inspector):
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
