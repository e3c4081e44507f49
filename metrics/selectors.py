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
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from institutions.models import ParentingSession, SessionAttendance, Township
from portal.dates import add_months, due_on

from .charts import Point, trend_svg
from .formatting import (
    PROVISIONAL,
    change_direction,
    change_trend,
    format_change,
    format_number,
    format_target,
    status_class,
    status_label,
)
from .kpis.definitions import NOT_DRILLABLE, REPORT_BASED
from .models import CITY, HEADLINE, ComputeRun, Indicator, Snapshot, Target

# The dashboard's strip of cards: the plan's five headline targets (一、试点目标; the catalogue
# target is a deliverable, not a figure).
CARD_INDICATORS = HEADLINE
# Indicators counted from 1 January (their trend restarts each year).
YEAR_TO_DATE = frozenset({"K9_sessions", "K9_families", "K12c", "K20", "K21", "K22"})


def indicator_name(indicator: str) -> str:
    return str(Indicator(indicator).label)


def snapshot_months() -> list[dt.date]:
    """Months that have snapshots, newest first (one query)."""
    return list(
        Snapshot.objects.filter(area=CITY, indicator=Indicator.K1)
        .order_by("-period")
        .values_list("period", flat=True)
    )


def reports_open(period: dt.date, today: dt.date | None = None) -> bool:
    """Whether the month's reports are still being filed (up to and including the due day)."""
    return (today or timezone.localdate()) <= due_on(period)


def last_complete_month(today: dt.date | None = None) -> dt.date:
    """The latest month that has ended and whose reports' due day has passed."""
    today = today or timezone.localdate()
    month = add_months(today.replace(day=1), -1)
    while reports_open(month, today):
        month = add_months(month, -1)
    return month


def default_month(months: list[dt.date], today: dt.date | None = None) -> dt.date | None:
    """The month a page opens on: the newest of `months` (newest first) that is complete, else
    the oldest one there is (every month computed is still open)."""
    complete = last_complete_month(today)
    return next((month for month in months if month <= complete), months[-1] if months else None)


def not_met_in_last_complete_month(
    today: dt.date | None = None,
) -> tuple[dt.date | None, list[tuple[str, str]]]:
    """The city's indicators not met in the last complete month computed, as (month, [(id,
    name), ...]) in the indicators' order; (None, []) when none is. A month still running or
    being reported is never read: its report-based figures are only partial. One query."""
    latest = (
        Snapshot.objects.filter(area=CITY, period__lte=last_complete_month(today))
        .order_by("-period")
        .values("period")[:1]
    )
    order = {value: number for number, value in enumerate(Indicator.values)}
    rows = sorted(
        Snapshot.objects.filter(
            area=CITY, status=Snapshot.Status.NOT_MET, period=Subquery(latest)
        ).values_list("indicator", "period"),
        key=lambda row: order.get(row[0], len(order)),
    )
    labels = dict(Indicator.choices)
    period = rows[0][1] if rows else None
    return period, [(indicator, str(labels.get(indicator, indicator))) for indicator, _p in rows]


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
    # A report-based figure of a month whose reports are still being filed: never judged.
    provisional: bool = False

    @property
    def name(self) -> str:
        return indicator_name(self.indicator)

    @property
    def code(self) -> str:
        """The indicator's number as kpis.md writes it ("K9" for K9_sessions and K9_families:
        the name beside it tells them apart); the stored id stays in URLs and data attributes."""
        return self.indicator.split("_", 1)[0]

    @property
    def value(self) -> Decimal | None:
        return self.snapshot.value if self.snapshot else None

    @property
    def display(self) -> str:
        return format_number(self.value, self.indicator)

    @property
    def status(self) -> str:
        if self.provisional:
            return PROVISIONAL
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
        """Better or worse against the target (the arrow's colour)."""
        if self.provisional:
            return "neutral"
        previous = self.previous.value if self.previous else None
        return change_direction(self.value, previous, self.comparison, self.indicator)

    @property
    def trend(self) -> str:
        """Up, down or same (the arrow's direction)."""
        previous = self.previous.value if self.previous else None
        return change_trend(self.value, previous, self.indicator)

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

    @property
    def code(self) -> str:
        return self.figure.code


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

    @property
    def provisional(self) -> list[Figure]:
        return [f for f in self.city.values() if f.provisional]


def _charts(
    city: dict[str, Figure],
    series: dict[str, dict[dt.date, Snapshot]],
    months: list[dt.date],
    today: dt.date,
) -> list[Chart]:
    """One trend per indicator over `months`; a month without data, or whose report-based figure
    is still provisional, is a gap in the line."""
    chart_list = []
    for indicator, figure in city.items():
        by_month = {
            month: snapshot
            for month, snapshot in series.get(indicator, {}).items()
            if not (indicator in REPORT_BASED and reports_open(month, today))
        }
        points = [
            Point(
                month,
                by_month[month].value if month in by_month else None,
                by_month[month].status if month in by_month else Snapshot.Status.NO_DATA,
            )
            for month in months
        ]
        svg = trend_svg(
            points,
            indicator=indicator,
            title=_("%(name)s趋势") % {"name": figure.name},
            target=figure.target_value,
            comparison=figure.comparison,
            chart_id=f"trend-{indicator}",
        )
        chart_list.append(Chart(indicator, figure.name, svg, figure))
    return chart_list


def month_overview(
    period: dt.date, *, charts: bool = True, today: dt.date | None = None
) -> MonthOverview:
    """Cards, trend charts and the township table for `period` (three queries). Report-based
    figures of a month whose reports are still open are provisional, and a gap in the trends."""
    period = period.replace(day=1)
    today = today or timezone.localdate()
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
    open_now = reports_open(period, today)
    open_before = reports_open(previous_month, today)

    def provisional(indicator: str) -> bool:
        return open_now and indicator in REPORT_BASED

    city = {
        indicator: Figure(
            indicator,
            CITY,
            series.get(indicator, {}).get(period),
            goals.get(indicator),
            # A provisional month is not compared with: its change would be the filing's pace.
            None
            if open_before and indicator in REPORT_BASED
            else series.get(indicator, {}).get(previous_month),
            provisional=provisional(indicator),
        )
        for indicator in Indicator.values
    }
    chart_list = _charts(city, series, months, today) if charts else []
    rows = [
        TownshipRow(
            township,
            [
                Figure(
                    indicator,
                    township.code,
                    by_area.get(township.code, {}).get(indicator),
                    goals.get(indicator),
                    provisional=provisional(indicator),
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
    provisional = indicator in REPORT_BASED and reports_open(period)
    return Figure(indicator, area, snapshot, target, provisional=provisional)


# --- The evaluation report's extra figures ------------------------------------------------------------

SECTION_INDICATORS = {
    "vouchers": ("K13_issued", "K13_redeemed", "K13_use", "K13_families"),
    "inspections": ("K12a", "K12b", "K12c", "K12d"),
    "sessions": ("K9_sessions", "K9_families"),
}


def session_lists(day: dt.date) -> dict:
    """The dashboard's note under K9: of the sessions held from 1 January to `day`, how many
    have an attendance list (K9_families is exact only once all have one)."""
    counts = ParentingSession.objects.filter(
        held_on__gte=dt.date(day.year, 1, 1), held_on__lte=day
    ).aggregate(
        sessions=Count("pk"),
        listed=Count(
            "pk", filter=Q(Exists(SessionAttendance.objects.filter(session=OuterRef("pk"))))
        ),
    )
    counts["share"] = share_text(counts["listed"], counts["sessions"])
    return counts


def share_text(part: int, whole: int) -> str | None:
    """'66.7%' to one decimal place; None when there is nothing to count."""
    return f"{part * 100 / whole:.1f}%" if whole else None
