"""Helpers for the voucher page, PDF, admin, import and report tests (the fixtures they build on
are in tests/conftest.py and tests/vouchers/conftest.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from institutions.models import MonthlyReport
from vouchers import services

from .conftest import MARCH, make_child

CST = ZoneInfo("Asia/Shanghai")
# The voucher fixtures live in 2025: a batch applied for in February and March, valid from March.
TODAY = dt.datetime(2025, 3, 20, 10, 0, tzinfo=CST)


def issue_voucher(batch, bureau, n: int, *, institution=None, start=MARCH):
    """A voucher for a new child (make_child(n)), enrolled at `institution` from `start`."""
    child = make_child(n)
    application = services.application_create(
        batch=batch, child=child, source="bureau", actor=bureau, applied_on=dt.date(2025, 2, 10)
    )
    voucher = services.application_approve(application=application, actor=bureau)
    if institution is not None:
        services.enrolment_record(child=child, institution=institution, start=start)
    return voucher


def redeem(voucher, institution, *, amount="300.00", month=MARCH, key=None, actor=None):
    return services.redeem(
        institution=institution,
        code=voucher.code,
        fee_month=month,
        amount=Decimal(amount),
        idempotency_key=key or f"test-{voucher.pk}-{month:%Y%m}-{amount}",
        actor=actor,
    ).redemption


def accepted_report(institution, period: dt.date, *, voucher_children: int, state="accepted"):
    submitted = timezone.make_aware(dt.datetime(period.year, period.month, 28, 9, 0))
    return MonthlyReport.objects.create(
        institution=institution,
        period=period,
        state=state,
        enrolled_toddler=20,
        voucher_children=voucher_children,
        fee_full_day=Decimal("1800.00"),
        staff_on_duty=4,
        staff_certified=4,
        attendance_days=21,
        first_submitted_at=None if state == "draft" else submitted,
        submitted_at=None if state == "draft" else submitted,
    )
