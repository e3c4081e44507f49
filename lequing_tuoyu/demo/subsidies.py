"""Demo subsidies: one scheme labelled 演示数据 (the plan gives no amounts; migrations load no
scheme), computed for the last two months with accepted reports: the older approved and paid,
the latest a draft waiting for review."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from institutions.models import MonthlyReport
from programme.models import Fund, FundUse
from subsidies.models import SchemeRate, SubsidyScheme
from subsidies.services import approve_month, compute_month, mark_paid

DEMO_SCHEME = "托育机构运营补助（演示数据）"
# class type, star level (None: any level), amount per child and month. Invented for the demo.
DEMO_RATES = [
    ("infant", None, "300.00"),
    ("toddler", None, "200.00"),
    ("older", None, "150.00"),
    ("mixed", None, "150.00"),
    ("toddler", 3, "300.00"),
    ("older", 3, "250.00"),
]


def seed_subsidies(*, users: dict) -> int:
    """The demo scheme and its months; returns the number of lines."""
    start = dt.date(2025, 1, 1)
    scheme, _created = SubsidyScheme.objects.update_or_create(
        name=DEMO_SCHEME,
        defaults={
            "kind": SubsidyScheme.Kind.PER_CHILD_MONTH,
            "valid_from": start,
            "inclusive_only": False,
            "fund": Fund.objects.filter(kind=Fund.Kind.PROVINCIAL_SUBSIDY).first(),
            "fund_use": FundUse.INSTITUTION_AWARDS,
            "basis": "演示数据：金额为虚构，不代表任何政策标准。",
        },
    )
    for class_type, stars, amount in DEMO_RATES:
        SchemeRate.objects.update_or_create(
            scheme=scheme, class_type=class_type, stars=stars, defaults={"amount": Decimal(amount)}
        )
    periods = list(
        MonthlyReport.objects.filter(state=MonthlyReport.State.ACCEPTED, period__gte=start)
        .order_by("-period")
        .values_list("period", flat=True)
        .distinct()[:2]
    )
    lines = 0
    for index, period in enumerate(periods):
        month = compute_month(scheme, period, actor=users["bureau"])
        if index == 1 and month.state == month.State.DRAFT:
            month = approve_month(month, actor=users["bureau"])
            month = mark_paid(month, reference=f"演示-{period:%Y%m}", actor=users["bureau"])
        lines += month.line_count
    return lines
