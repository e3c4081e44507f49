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

from django.db.models import Case, DecimalField, F, Q, Value, When
from django.db.models.functions import Greatest
from django.utils.translation import gettext as _

from institutions.models import MonthlyReport
from institutions.public_fees import MODES, Standards, ceiling_for, standards_on
from institutions.reports.models import CLASS_FIELDS
from portal.dates import month_end

from .kpis.population import monthly_income
from .kpis.sources import FEE_ROWS, accepted_reports

K6_SHARE = Decimal("0.30")
CENT = Decimal("0.01")
MONEY = DecimalField(max_digits=12, decimal_places=2)
# What the page shows of a report (a province's month lists thousands: only these are loaded).
REPORT_FIELDS = ("pk", "period", "state", "institution__name")


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
    above_any = Q()
    for field_name in MODES:
        ceiling = _ceiling_sql(standards, field_name)
        if ceiling is not None:
            above_any |= Q(**{f"{field_name}__gt": ceiling})
    if not above_any:
        return len(standards), []
    # The database keeps the reports above their ceiling by the same rule (a city has thousands
    # of reports a month, few above); `ceiling_for` below then gives each row's ceiling.
    reports = (
        MonthlyReport.objects.filter(
            period=period,
            state__in=[MonthlyReport.State.SUBMITTED, MonthlyReport.State.ACCEPTED],
        )
        .filter(above_any)
        .select_related("institution")
        .only(*REPORT_FIELDS, *CLASS_FIELDS.values(), *MODES, "institution__ownership")
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


def _ceiling_sql(standards: Standards, field_name: str):
    """`ceiling_for` as an SQL expression on a report: per ownership, the highest of the enrolled
    classes' ceilings, NULL when an enrolled class has no ceiling for this mode (or none is
    enrolled). None when no ownership has a ceiling for this mode."""
    whens = []
    for ownership in sorted({ownership for ownership, _class_type in standards}):
        amounts = {}
        for class_type, enrolled in CLASS_FIELDS.items():
            standard = standards.get((ownership, str(class_type)))
            amounts[enrolled] = getattr(standard, MODES[field_name]) if standard else None
        present = [
            Case(When(**{f"{enrolled}__gt": 0}, then=Value(amount)), output_field=MONEY)
            for enrolled, amount in amounts.items()
            if amount is not None
        ]
        if not present:
            continue
        without_ceiling = Q(**{f"{e}__lte": 0 for e, amount in amounts.items() if amount is None})
        highest = Greatest(*present, output_field=MONEY) if len(present) > 1 else present[0]
        whens.append(When(Q(institution__ownership=ownership) & without_ceiling, then=highest))
    return Case(*whens, default=None, output_field=MONEY) if whens else None


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
        .only(*REPORT_FIELDS, "fee_full_day")
        .order_by(F("fee_full_day").desc(), "institution__name")
    )
    return ceiling, [AboveK6(report, report.fee_full_day, ceiling) for report in reports]


def fee_supervision(period: dt.date) -> FeeSupervision:
    in_force, above = above_public_standard(period)
    ceiling, above_k6 = above_k6_ceiling(period)
    return FeeSupervision(period, in_force, above, ceiling, above_k6)
