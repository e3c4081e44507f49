"""The front door's forms (issue 17) in the personal-data scan: what a family or a member of the
public types into the online voucher application and the concern form is stored encrypted (a
plain-text dump of the database holds none of it), never logged (with SQL logging on), and never
shown back on the pages that answer them."""

from __future__ import annotations

import datetime as dt
import io
import logging
import subprocess

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.urls import reverse

from inspections.models import Concern
from lequing_tuoyu.management.commands.backup_check import _pg_env
from tests.factories import township
from tests.vouchers.conftest import valid_id
from vouchers.models import VoucherApplication

pytestmark = pytest.mark.django_db(transaction=True)
CST = dt.timezone(dt.timedelta(hours=8))
CHILD = valid_id("33038220240601007")
GUARDIAN = valid_id("33038219900101009")
MOBILE = "13912349876"
CONCERN_MOBILE = "13712348765"
SECRETS = [CHILD, GUARDIAN, MOBILE, CONCERN_MOBILE, "测试家长甲", "测试幼儿乙"]


@pytest.fixture
def batch(db):
    from decimal import Decimal

    from vouchers.models import VoucherBatch

    return VoucherBatch.objects.create(
        name="安全测试批次",
        face_value=Decimal("3000.00"),
        quantity_cap=10,
        apply_from=dt.date(2025, 2, 1),
        apply_until=dt.date(2025, 3, 31),
        valid_from=dt.date(2025, 3, 1),
        valid_until=dt.date(2026, 2, 28),
        monthly_cap=Decimal("500.00"),
    )


def _console_handler() -> logging.Handler:
    for handler in logging.getLogger().handlers:
        if any(type(f).__name__ == "RedactPersonalDataFilter" for f in handler.filters):
            return handler
    raise AssertionError("no log handler with the redaction filter")


def _send_everything(client, batch, institution) -> list[str]:
    pages = []
    apply = client.post(
        reverse("voucher_family:apply_batch", args=[batch.pk]),
        {
            "child_name": "测试幼儿乙",
            "child_id_number": CHILD,
            "hukou_township": township("114").pk,
            "guardian_name": "测试家长甲",
            "guardian_id_number": GUARDIAN,
            "guardian_phone": MOBILE,
            "consent": "on",
        },
    )
    pages.append(apply.content.decode())
    reference = VoucherApplication.objects.get().reference
    for suffix in (CHILD[-6:], "000000"):
        follow = client.post(
            reverse("voucher_family:follow"), {"reference": reference, "id_last6": suffix}
        )
        pages.append(follow.content.decode())
    concern = client.post(
        reverse("inspections:concern_new", args=[institution.pk]),
        {
            "kind": "complaint",
            "text": "午睡室无人看护。",
            "contact_name": "测试家长甲",
            "contact_phone": CONCERN_MOBILE,
        },
    )
    pages.append(concern.content.decode())
    concern_ref = Concern.objects.get().reference
    for phone in (CONCERN_MOBILE, "13700000000"):
        follow = client.post(
            reverse("inspections:concern_follow"),
            {"reference": concern_ref, "contact_phone": phone},
        )
        pages.append(follow.content.decode())
    return pages


def test_the_public_forms_keep_personal_data_out_of_dump_logs_and_pages(
    client, batch, institution_a, settings
):
    settings.DEBUG = False
    cache.clear()
    handler = _console_handler()
    buffer = io.StringIO()
    old_stream = handler.setStream(buffer)
    root, sql = logging.getLogger(), logging.getLogger("django.db.backends")
    old_levels = root.level, sql.level, handler.level
    root.setLevel(logging.DEBUG)
    sql.setLevel(logging.DEBUG)
    handler.setLevel(logging.DEBUG)
    connection.force_debug_cursor = True
    try:
        with time_machine.travel(dt.datetime(2025, 3, 20, 10, 0, tzinfo=CST), tick=False):
            pages = _send_everything(client, batch, institution_a)
    finally:
        connection.force_debug_cursor = False
        root.setLevel(old_levels[0])
        sql.setLevel(old_levels[1])
        handler.setLevel(old_levels[2])
        handler.setStream(old_stream)
        cache.clear()
    logs = buffer.getvalue()
    assert "INSERT" in logs  # SQL logging really was on
    # Every answer really went through (the application and the concern were found again).
    assert "已收到" in pages[-2] and "待审核" in pages[1]

    settings_dict = connection.settings_dict
    dump = subprocess.run(
        ["pg_dump", "--data-only", "--format=plain", settings_dict["NAME"]],
        env=_pg_env(settings_dict),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "vouchers_voucherapplication" in dump and "inspections_concern" in dump
    for secret in SECRETS:
        assert secret not in dump, f"{secret[:4]}… in the dump"
        assert secret not in logs, f"{secret[:4]}… in the logs"
        for page in pages:
            assert secret not in page, f"{secret[:4]}… on a page"
