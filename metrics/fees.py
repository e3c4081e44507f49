"""Fee supervision (收费监管, plan tasks 6.1 and 一(一)): a month's fees against the two ceilings.

- The city's public fee standard: every filed report of the month (submitted or accepted) whose
  full-day or half-day fee is above the standard that applies to it, by the one rule the report's
  own warning uses (institutions/public_fees.py, institutions/reports/validators.py).
- The K6 ceiling: the accepted reports K6 reads (counted inclusive institutions with enrolment
  and a full-day fee, metrics/kpis/sources.py FEE_ROWS) whose full-day fee is above 30% of the
  city's monthly income of the year before (the same income K6 divides by).

Three queries whatever the number of reports: the reports, the standards, the income.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import F
from django.utils.translation import gettext as _

from institutions.models import MonthlyReport
from institutions.public_fees import MODES, ceiling_for, standards_on
from institutions.reports.models import CLASS_FIELDS
from portal.dates import month_end

from .kpis.population import monthly_income
from .kpis.sources import FEE_ROWS, accepted_reports

K6_SHARE = Decimal("0.30")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class AboveStandard:
    report: MonthlyReport
    mode: str  # "全日托" / "半日托"
    fee: Decimal
    ceiling: Decimal
    since: dt.date

    @property
    def excess(self) -> Decimal:
        return self.fee - self.ceiling


@dataclass(frozen=True)
class AboveK6:
    report: MonthlyReport
    fee: Decimal
    ceiling: Decimal

    @property
    def share(self) -> Decimal:
        """The fee as a percentage of the monthly income (the ceiling is 30%)."""
        return (self.fee / self.ceiling * K6_SHARE * 100).quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class FeeSupervision:
    period: dt.date
    standards_in_force: int
    above_standard: list[AboveStandard]
    k6_ceiling: Decimal | None  # None: no income entered for the year before
    above_k6: list[AboveK6]


def above_public_standard(period: dt.date) -> tuple[int, list[AboveStandard]]:
    """(how many standards are in force at the month's end, the filed reports above theirs)."""
    standards = standards_on(month_end(period))
    if not standards:
        return 0, []
    reports = (
        MonthlyReport.objects.filter(
            period=period,
            state__in=[MonthlyReport.State.SUBMITTED, MonthlyReport.State.ACCEPTED],
        )
        .select_related("institution")
        .order_by("institution__name", "pk")
    )
    rows = []
    for report in reports:
        class_types = [ct for ct, name in CLASS_FIELDS.items() if getattr(report, name) > 0]
        for field_name in MODES:
            fee = getattr(report, field_name)
            if fee is None:
                continue
            ceiling = ceiling_for(
                standards,
                ownership=report.institution.ownership,
                class_types=class_types,
                field=field_name,
            )
            if ceiling is not None and fee > ceiling.amount:
                mode = _("全日托") if field_name == "fee_full_day" else _("半日托")
                rows.append(
                    AboveStandard(
                        report, mode, fee, ceiling.amount, ceiling.standard.effective_from
                    )
                )
    return len(standards), rows


def above_k6_ceiling(period: dt.date) -> tuple[Decimal | None, list[AboveK6]]:
    """(the ceiling, the inclusive institutions' accepted reports above it), as K6 reads them."""
    income = monthly_income(period.year)
    if income is None:
        return None, []
    ceiling = (income * K6_SHARE).quantize(CENT, ROUND_HALF_UP)
    reports = (
        accepted_reports(period, month_end(period))
        .filter(FEE_ROWS, fee_full_day__gt=ceiling)
        .select_related("institution")
        .order_by(F("fee_full_day").desc(), "institution__name")
    )
    return ceiling, [AboveK6(report, report.fee_full_day, ceiling) for report in reports]


def fee_supervision(period: dt.date) -> FeeSupervision:
    in_force, above = above_public_standard(period)
    ceiling, above_k6 = above_k6_ceiling(period)
    return FeeSupervision(period, in_force, above, ceiling, above_k6)
