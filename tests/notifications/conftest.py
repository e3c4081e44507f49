import pytest


@pytest.fixture
def with_emails(bureau, operator_a, operator_b, inspector):
    """Give the personas addresses, so mail has somewhere to go."""
    for user in (bureau, operator_a, operator_b, inspector):
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
