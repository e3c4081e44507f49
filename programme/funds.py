"""The funds' figures (plan.md §5): budget and spending by month and use, the vouchers use's
spending read from the voucher ledger (never typed), and the performance figures, each with its
formula as the page states it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from portal.dates import add_months, month_start
from vouchers.selectors import families_redeeming, net_redemptions_by_month

from .models import Fund, FundMonth, FundUse

ZERO = Decimal("0.00")

FORMULAS = {
    "spent_share": _(
        "支出占预算比例 = 各月支出合计 ÷ 各月预算合计（预算合计为 0 或未填时为“无数据”）"
    ),
    "per_use": _(
        "各用途支出 = 该用途各月支出合计；托育券发放的支出取自托育券流水：抵扣金额减去冲正金额"
    ),
    "voucher_cost": _(
        "每户托育券成本 = 托育券支出 ÷ 同期至少有一笔未冲正抵扣的家庭数（家庭数为 0 时为“无数据”）"
    ),
}


def pilot_months() -> list[dt.date]:
    """Every month of the pilot (PILOT_START_DATE to PILOT_END_DATE), oldest first."""
    month, last = month_start(settings.PILOT_START_DATE), month_start(settings.PILOT_END_DATE)
    months = []
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


@dataclass
class FundRow:
    period: dt.date
    use: str
    budget: Decimal | None
    spent: Decimal | None
    from_ledger: bool = False

    @property
    def use_label(self) -> str:
        return str(FundUse(self.use).label) if self.use else ""


@dataclass
class UseFigure:
    use: str
    label: str
    budget: Decimal
    spent: Decimal


@dataclass
class FundOverview:
    fund: Fund
    rows: list[FundRow]
    per_use: list[UseFigure] = field(default_factory=list)
    families: int | None = None

    @property
    def budget_total(self) -> Decimal:
        return sum((r.budget or ZERO for r in self.rows), ZERO)

    @property
    def spent_total(self) -> Decimal:
        return sum((r.spent or ZERO for r in self.rows), ZERO)

    @property
    def spent_share(self) -> Decimal | None:
        budget = self.budget_total
        return None if not budget else (self.spent_total / budget).quantize(Decimal("0.0001"))

    @property
    def voucher_spent(self) -> Decimal:
        return sum((r.spent or ZERO for r in self.rows if r.use == FundUse.VOUCHERS), ZERO)

    @property
    def voucher_cost_per_family(self) -> Decimal | None:
        if not self.families:
            return None
        return (self.voucher_spent / self.families).quantize(Decimal("0.01"))


def voucher_spending(months: list[dt.date]) -> dict[dt.date, Decimal]:
    """The ledger's net redemptions for each of `months` (zero where there were none)."""
    if not months:
        return {}
    ledger = net_redemptions_by_month(month_from=months[0], month_to=months[-1])
    return {month: ledger.get(month, ZERO) for month in months}


def fund_overview(fund: Fund) -> FundOverview:
    typed = list(FundMonth.objects.filter(fund=fund).order_by("period", "use"))
    rows = [FundRow(r.period, r.use, r.budget, r.spent) for r in typed if r.use != FundUse.VOUCHERS]
    overview = FundOverview(fund=fund, rows=rows)
    if fund.kind != Fund.Kind.PROVINCIAL_SUBSIDY:
        return overview
    months = pilot_months()
    budgets = {r.period: r.budget for r in typed if r.use == FundUse.VOUCHERS}
    for month, spent in voucher_spending(months).items():
        rows.append(FundRow(month, FundUse.VOUCHERS, budgets.get(month), spent, from_ledger=True))
    rows.sort(key=lambda r: (r.period, list(FundUse.values).index(r.use)))
    for use in FundUse:
        mine = [r for r in rows if r.use == use]
        overview.per_use.append(
            UseFigure(
                use=use.value,
                label=str(use.label),
                budget=sum((r.budget or ZERO for r in mine), ZERO),
                spent=sum((r.spent or ZERO for r in mine), ZERO),
            )
        )
    if months:
        overview.families = families_redeeming(month_from=months[0], month_to=months[-1])
    return overview


def funds_overview() -> list[FundOverview]:
    return [fund_overview(fund) for fund in Fund.objects.order_by("pk")]
