"""The inspections app's kinds, areas and severities, and the numbers its rules use.

A module of its own, below the models and the validators, so both can import it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class InspectionKind(models.TextChoices):
    PATROL = "patrol", _("月巡查")
    GUIDANCE = "guidance", _("季指导")
    ANNUAL = "annual", _("年检")
    HOLIDAY_JOINT = "holiday_joint", _("节前联合检查")
    SPOT_CHECK = "spot_check", _("双随机抽查")


# Kinds whose results are published (一公开): spot checks and annual inspections.
PUBLIC_KINDS = (InspectionKind.SPOT_CHECK, InspectionKind.ANNUAL)
# How often each routine kind is due (coverage, K12a-K12c).
ROUTINE_PERIODS = {
    InspectionKind.PATROL: "month",
    InspectionKind.GUIDANCE: "quarter",
    InspectionKind.ANNUAL: "year",
}
# A spot check is made by at least this many inspectors (双随机: two drawn inspectors).
SPOT_CHECK_MIN_INSPECTORS = 2


class Area(models.TextChoices):
    """Checklist areas, in the order the form shows them."""

    FIRE_SAFETY = "fire_safety", _("消防安全")
    FOOD_SAFETY = "food_safety", _("食品安全")
    HEALTH_CARE = "health_care", _("卫生保健与晨午检")
    FACILITIES = "facilities", _("设施设备与视频监控")
    STAFFING = "staffing", _("人员配备与师生比")
    RECORDS = "records", _("档案与制度")


class Severity(models.TextChoices):
    HIGH = "high", _("严重")
    MEDIUM = "medium", _("一般")
    LOW = "low", _("轻微")


# Days from the inspection day to the rectification deadline, by severity. The inspector may
# move a finding's deadline; this is the default. A count of days, never a date.
SEVERITY_DEADLINE_DAYS: dict[str, int] = {
    Severity.HIGH: 7,
    Severity.MEDIUM: 15,
    Severity.LOW: 30,
}


def default_deadline(found_on: dt.date, severity: str) -> dt.date:
    return found_on + dt.timedelta(days=SEVERITY_DEADLINE_DAYS[severity])


# Outcome rule: no failed item is a pass; failed items with a score of at least this are a pass
# with rectification; below it, a fail.
PASS_MIN_SCORE = Decimal("60")
