"""Demo monthly reports since the pilot started, and parenting-care sessions.

Reports are bulk-inserted for speed (the province scale has ~200,000), not filed through the
services; their numbers are built to pass the same rules, except the few that carry warnings on
purpose. Most months are accepted; a few reports are late, missing, returned or warned, and the
latest month is partly waiting for review, as a real month looks.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from institutions.models import (
    CHILDREN_PER_CARER,
    ClassType,
    Institution,
    MonthlyReport,
    ParentingSession,
    Township,
)
from institutions.reports.models import CLASS_FIELDS
from institutions.selectors import institutions_as_of
from portal.dates import add_months, deadline_as_datetime, month_end, opens_on

from .moments import at
from .registry import health_facility_name

TOPICS = [
    "婴幼儿喂养与营养",
    "婴幼儿睡眠指导",
    "亲子阅读与早期语言发展",
    "家庭安全与意外伤害预防",
    "儿童早期发展与游戏",
    "常见病预防与护理",
    "入托适应准备",
    "特殊需要儿童家庭支持",
]


def _periods(today: dt.date) -> list[dt.date]:
    """Every month from the pilot's start whose window has opened by today."""
    period = settings.PILOT_START_DATE.replace(day=1)
    periods = []
    while opens_on(period) <= today:
        periods.append(period)
        period = add_months(period, 1)
    return periods


def seed_reports(rng: random.Random, *, institutions: list[Institution], reviewer) -> int:
    today = timezone.localdate()
    ids = [i.pk for i in institutions]
    rows: list[MonthlyReport] = []
    periods = _periods(today)
    fill: dict[int, float] = {}  # each institution's occupancy drifts a little month to month
    for index, period in enumerate(periods):
        latest = index == len(periods) - 1
        end = month_end(period)
        for state in institutions_as_of(
            end, Institution.objects.filter(pk__in=ids, filed_on__lte=end)
        ):
            if not state.is_counted or rng.random() < (0.06 if latest else 0.02):
                continue  # missing
            places = {c: getattr(state, f"places_{c}") for c in CLASS_FIELDS}
            if not sum(places.values()):
                continue  # a kindergarten without childcare classes has nothing to report
            rate = fill.get(state.pk, rng.uniform(0.7, 0.95)) + rng.uniform(-0.03, 0.03)
            fill[state.pk] = rate = min(0.98, max(0.6, rate))
            enrolled = {c: int(p * rate) for c, p in places.items()}
            rows.append(
                _report(rng, state, period, enrolled, latest=latest, today=today, reviewer=reviewer)
            )
    MonthlyReport.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
    return len(rows)


def _report(
    rng: random.Random,
    state: Institution,
    period: dt.date,
    enrolled: dict[str, int],
    *,
    latest: bool,
    today: dt.date,
    reviewer,
) -> MonthlyReport:
    """The month's report of an institution (`state`: its facts as of the month's end) with
    these children enrolled: warned when its staff or fee break the rules, and filed, late,
    returned or accepted as a real month goes."""
    total = sum(enrolled.values())
    need = math.ceil(sum(n / CHILDREN_PER_CARER[ClassType(c)] for c, n in enrolled.items()))
    on_duty, certified = state.care_staff_count, state.certified_care_staff_count
    reason, warnings, comment = "", [], ""
    if on_duty < need:
        warnings.append({"code": "staff_ratio", "message": "保育人员配比低于国家标准。"})
        comment = "已安排兼职保育员补足，正在招聘。"
    fee = state.fee_full_day or Decimal(2000)
    if state.is_inclusive and rng.random() < 0.03:
        fee = fee + 200
        warnings.append({"code": "fee_above_standard", "message": "普惠机构实际收费高于收费标准。"})
        comment = comment or "含延时服务费，已向家长公示。"
    status, first, reason = _filing(rng, period, latest=latest, today=today)
    return MonthlyReport(
        institution_id=state.pk,
        period=period,
        state=status,
        **{CLASS_FIELDS[c]: n for c, n in enrolled.items()},
        voucher_children=int(total * rng.uniform(0, 0.3)),
        special_needs_children=1 if state.special_needs_care and total else 0,
        fee_full_day=fee,
        fee_half_day=state.fee_half_day,
        staff_on_duty=on_duty,
        staff_certified=certified,
        registry_staff_on_duty=on_duty,
        registry_staff_certified=certified,
        attendance_days=rng.randint(18, 23),
        safety_incidents=1 if rng.random() < 0.01 else 0,
        warnings=warnings,
        warning_comment=comment,
        return_reason=reason,
        first_submitted_at=first,
        submitted_at=first,
        reviewed_at=first + dt.timedelta(days=3) if first and status != "submitted" else None,
        reviewed_by=reviewer if first and status != "submitted" else None,
    )


def _filing(
    rng: random.Random, period: dt.date, *, latest: bool, today: dt.date
) -> tuple[str, dt.datetime | None, str]:
    """(state, when first submitted, return reason): most reports accepted, a few late or
    returned; the latest month partly still in draft or waiting for review."""
    deadline = deadline_as_datetime(period).date()
    roll = rng.random()
    if latest and roll < 0.15:
        return MonthlyReport.State.DRAFT, None, ""
    late = roll > 0.93
    day = (
        deadline + dt.timedelta(days=rng.randint(1, 12))
        if late
        else (
            opens_on(period) + dt.timedelta(days=rng.randint(0, (deadline - opens_on(period)).days))
        )
    )
    first = at(min(day, today), rng.randint(8, 18))
    if latest and roll < 0.6:
        return MonthlyReport.State.SUBMITTED, first, ""
    if roll < 0.04:
        return MonthlyReport.State.RETURNED, first, "在托人数与考勤记录不符，请核对后重新提交。"
    return MonthlyReport.State.ACCEPTED, first, ""


def seed_parenting_sessions(rng: random.Random, *, institutions: list[Institution]) -> int:
    today = timezone.localdate()
    townships = list(Township.objects.all())
    hosts = [
        i for i in institutions if i.kind in (Institution.Kind.CENTRE, Institution.Kind.COMMUNITY)
    ]
    rows = []
    day = settings.PILOT_START_DATE
    while day <= today:
        # About 400 a year across the city (K9), fewer in the first months of the pilot.
        for _ in range(rng.choice([0, 1, 1, 1, 2])):
            if hosts and rng.random() < 0.6:
                host = rng.choice(hosts)
                kind, institution, name, township = "institution", host, host.name, host.township
            else:
                township = rng.choice(townships)
                kind, institution = "health_centre", None
                name = health_facility_name(township)
            rows.append(
                ParentingSession(
                    held_on=day,
                    organiser_kind=kind,
                    institution=institution,
                    organiser_name=name,
                    township=township,
                    topic=rng.choice(TOPICS),
                    families_reached=rng.randint(5, 12),
                )
            )
        day += dt.timedelta(days=1)
    ParentingSession.objects.bulk_create(rows, batch_size=5000)
    return len(rows)
