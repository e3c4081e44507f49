"""Nothing personal in the logs: a full seeded run plus requests through pages and the API, at
LOG_LEVEL DEBUG with SQL logging on, and not one ID number or phone number in the output."""

import io
import logging
import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from institutions.models import Institution, StaffMember
from portal.personal_data import MaskedValue, encrypted_fields
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _console_handler() -> logging.Handler:
    """The handler settings.LOGGING configures, with its redaction filter."""
    for handler in logging.getLogger().handlers:
        if any(type(f).__name__ == "RedactPersonalDataFilter" for f in handler.filters):
            return handler
    raise AssertionError("no log handler with the redaction filter")


def _personal_numbers() -> set[str]:
    numbers = set()
    for model in apps.get_models():
        fields = [f.name for f in encrypted_fields(model) if "name" not in f.name]
        if not fields or model.__name__.startswith("Historical"):
            continue
        for values in model._default_manager.values_list(*fields):
            numbers |= {v.reveal() for v in values if isinstance(v, MaskedValue) and v}
    phones = Institution.objects.exclude(contact_phone="").values_list("contact_phone", flat=True)
    numbers |= {re.sub(r"\D", "", p) for p in phones if re.search(r"1[3-9]\d{9}", p)}
    return numbers


def test_a_seeded_run_and_requests_log_no_id_or_phone_number(settings, client):
    settings.DEBUG = False
    handler = _console_handler()
    buffer = io.StringIO()
    old_stream = handler.setStream(buffer)
    root, sql = logging.getLogger(), logging.getLogger("django.db.backends")
    old_levels = root.level, sql.level, handler.level
    root.setLevel(logging.DEBUG)
    sql.setLevel(logging.DEBUG)
    handler.setLevel(logging.DEBUG)
    connection.force_debug_cursor = True  # SQL with its parameters, as at DEBUG
    try:
        call_command("seed_demo", "--yes-demo")
        staff = StaffMember.objects.order_by("pk").first()
        number = staff.id_number.reveal()
        bureau = UserFactory(
            username="log_bureau",
            role=__import__("portal.roles", fromlist=["Role"]).Role.BUREAU_STAFF,
        )
        client.force_login(bureau)
        client.get("/jigou/")
        client.get(f"/jigou/{staff.institution_id}/staff/")
        client.get("/admin/institutions/staffmember/", {"q": number})
        client.get("/api/v1/staff/", {"search": number})
        client.get(f"/api/v1/no-such-endpoint/{number}/")  # a 404 warning with the number in it
        client.post("/api/v1/public/voucher-balance/", {"code": "X", "id_last6": number[-6:]})
        logging.getLogger("tests").warning("a stray number %s and phone %s", number, "13812345678")
    finally:
        connection.force_debug_cursor = False
        root.setLevel(old_levels[0])
        sql.setLevel(old_levels[1])
        handler.setLevel(old_levels[2])
        handler.setStream(old_stream)
    output = buffer.getvalue()
    assert "SELECT" in output  # SQL logging really was on
    assert "13812345678" not in output
    numbers = _personal_numbers()
    assert len(numbers) > 100
    leaked = sorted(n[:6] + "…" for n in numbers if n in output)
    assert not leaked, f"{len(leaked)} personal numbers in the logs: {leaked[:5]}"
