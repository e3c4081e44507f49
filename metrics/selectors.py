"""Reads for the indicator pages and the evaluation report.

Every figure shown comes from Snapshot rows: a page never recomputes an indicator. The month
overview (cards, trend charts, township table) runs four queries whatever the size of the
registry. A drill-down (metrics/kpis/drilldown.py) lists what is behind one figure with the
definitions the computation reads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from institutions.models import Township
from portal.dates import add_months

from .charts import Point, trend_svg
from .formatting import (
    change_direction,
    format_change,
    format_number,
    format_target,
    status_class,
    status_label,
)
from .kpis.definitions import NOT_DRILLABLE
from .models import CITY, ComputeRun, Indicator, Snapshot, Target

# The dashboard's cards: the plan's five headline targets and the national indicator.
CARD_INDICATORS = ("K1", "K3", "K4", "K5", "K6", "K2")
# Indicators counted from 1 January (their trend restarts each year).
YEAR_TO_DATE = frozenset({"K9_sessions", "K9_families", "K12c"})


def indicator_name(indicator: str) -> str:
    return str(Indicator(indicator).label)


def snapshot_months() -> list[dt.date]:
    """Months that have snapshots, newest first (one query)."""
    return list(
        Snapshot.objects.filter(area=CITY, indicator=Indicator.K1)
        .order_by("-period")
        .values_list("period", flat=True)
    )


def targets() -> dict[str, Target]:
    return {target.indicator: target for target in Target.objects.all()}


def pilot_months(last: dt.date) -> list[dt.date]:
    """Every month from the pilot's start to `last`, oldest first."""
    month, months = settings.PILOT_START_DATE.replace(day=1), []
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months or [last]


def latest_run() -> ComputeRun | None:
    return ComputeRun.objects.select_related("requested_by").first()


# --- One indicator's figure for one area and month ------------------------------------------------


@dataclass
class Figure:
    """A snapshot as shown: value, target, status and the change from the previous month."""

    indicator: str
    area: str
    snapshot: Snapshot | None
    target: Target | None
    previous: Snapshot | None = None

    @property
    def name(self) -> str:
        return indicator_name(self.indicator)

    @property
    def value(self) -> Decimal | None:
        return self.snapshot.value if self.snapshot else None

    @property
    def display(self) -> str:
        return format_number(self.value, self.indicator)

    @property
    def status(self) -> str:
        return self.snapshot.status if self.snapshot else Snapshot.Status.NO_DATA

    @property
    def status_text(self) -> str:
        return status_label(self.status, has_target=self.target_value is not None)

    @property
    def css(self) -> str:
        return status_class(self.status)

    @property
    def target_value(self) -> Decimal | None:
        # The target the status was judged against, stored with the snapshot.
        if self.snapshot is not None:
            return self.snapshot.target
        return self.target.value if self.target else None

    @property
    def comparison(self) -> str | None:
        return self.target.comparison if self.target else None

    @property
    def target_display(self) -> str:
        return format_target(self.target_value, self.indicator, self.comparison)

    @property
    def change(self) -> str | None:
        previous = self.previous.value if self.previous else None
        return format_change(self.value, previous, self.indicator)

    @property
    def direction(self) -> str:
        previous = self.previous.value if self.previous else None
        return change_direction(self.value, previous, self.comparison, self.indicator)

    @property
    def numerator(self) -> Decimal | None:
        return self.snapshot.numerator if self.snapshot else None

    @property
    def denominator(self) -> Decimal | None:
        return self.snapshot.denominator if self.snapshot else None

    @property
    def drillable(self) -> bool:
        return self.indicator not in NOT_DRILLABLE


@dataclass
class Chart:
    indicator: str
    name: str
    svg: str
    figure: Figure


@dataclass
class TownshipRow:
    township: Township
    figures: list[Figure]


@dataclass
class MonthOverview:
    period: dt.date
    city: dict[str, Figure]
    cards: list[Figure]
    charts: list[Chart]
    townships: list[TownshipRow]
    targets: dict[str, Target]
    computed_at: dt.datetime | None = None
    columns: list[Figure] = field(default_factory=list)

    @property
    def has_data(self) -> bool:
        return any(figure.snapshot for figure in self.city.values())

    @property
    def no_data(self) -> list[Figure]:
        """City indicators without data this month (for the data-quality notes)."""
        return [f for f in self.city.values() if f.status == Snapshot.Status.NO_DATA]

    @property
    def with_target(self) -> list[Figure]:
        return [f for f in self.city.values() if f.target is not None]


def month_overview(period: dt.date, *, charts: bool = True) -> MonthOverview:
    """Cards, trend charts and the township table for `period` (three queries)."""
    period = period.replace(day=1)
    goals = targets()
    months = pilot_months(period)
    first = min(months[0], add_months(period, -1))
    series: dict[str, dict[dt.date, Snapshot]] = {}
    by_area: dict[str, dict[str, Snapshot]] = {}
    # One query: the city's months for the cards and trends, and the townships' month.
    for snapshot in Snapshot.objects.filter(
        Q(area=CITY, period__gte=first, period__lte=period) | Q(period=period)
    ):
        if snapshot.area == CITY:
            series.setdefault(snapshot.indicator, {})[snapshot.period] = snapshot
        else:
            by_area.setdefault(snapshot.area, {})[snapshot.indicator] = snapshot
    previous_month = add_months(period, -1)
    city = {
        indicator: Figure(
            indicator,
            CITY,
            series.get(indicator, {}).get(period),
            goals.get(indicator),
            series.get(indicator, {}).get(previous_month),
        )
        for indicator in Indicator.values
    }
    chart_list = []
    if charts:
        for indicator, figure in city.items():
            by_month = series.get(indicator, {})
            points = [
                Point(
                    month,
                    by_month[month].value if month in by_month else None,
                    by_month[month].status if month in by_month else Snapshot.Status.NO_DATA,
                )
                for month in months
            ]
            chart_list.append(
                Chart(
                    indicator,
                    figure.name,
                    trend_svg(
                        points,
                        indicator=indicator,
                        title=_("%(name)s趋势") % {"name": figure.name},
                        target=figure.target_value,
                        comparison=figure.comparison,
                        chart_id=f"trend-{indicator}",
                    ),
                    figure,
                )
            )
    rows = [
        TownshipRow(
            township,
            [
                Figure(
                    indicator,
                    township.code,
                    by_area.get(township.code, {}).get(indicator),
                    goals.get(indicator),
                )
                for indicator in Indicator.values
            ],
        )
        for township in Township.objects.all()
    ]
    computed = [f.snapshot.computed_at for f in city.values() if f.snapshot]
    return MonthOverview(
        period=period,
        city=city,
        cards=[city[indicator] for indicator in CARD_INDICATORS],
        charts=chart_list,
        townships=rows,
        targets=goals,
        computed_at=max(computed) if computed else None,
        columns=list(city.values()),
    )


def area_figure(period: dt.date, area: str, indicator: str) -> Figure:
    snapshot = Snapshot.objects.filter(period=period, area=area, indicator=indicator).first()
    target = Target.objects.filter(indicator=indicator).first()
    return Figure(indicator, area, snapshot, target)


# --- The evaluation report's extra figures ------------------------------------------------------------

SECTION_INDICATORS = {
    "vouchers": ("K13_issued", "K13_redeemed", "K13_use", "K13_families"),
    "inspections": ("K12a", "K12b", "K12c", "K12d"),
    "sessions": ("K9_sessions", "K9_families"),
}
