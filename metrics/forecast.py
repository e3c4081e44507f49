"""Forecast and gap: where each target will stand on a chosen date, and what it would take.

Two projections per target, shown side by side (they answer different questions and are never
added together):

- **Trend**: a least-squares line through the city's snapshots of the last 12 complete months
  (ended; for report-based indicators, past the reports' due day) with data, extended to the date. Indicators counted from 1 January (K9, K12c) fit only the latest year's
  months, and are not projected into another year.
- **Pipeline** (registry indicators only): the registry as it will stand on the date with what is
  already recorded — institutions filed with a future filing date, inclusive recognitions valid
  from a future day, approved places effective in the future, and also known closures and
  expiries — read with the same as-of selector the indicators use.

The gap per township says how many more places (K1), inclusive places (K4) and certified care
staff (K5) would meet the targets as they stand in the Target table, now (latest snapshots) and
once the pipeline has landed.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.conf import settings
from django.db.models import Exists, F, IntegerField, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from institutions.models import ApprovedPlaces, InclusiveRecognition, Township
from institutions.selectors import institutions_as_of
from portal.dates import add_months

from . import selectors
from .formatting import format_number, format_target, status_class, unit_of
from .kpis.definitions import BY_ID, REGISTRY_INDICATORS, REPORT_BASED, area_figures
from .kpis.registry import registry_totals
from .models import CITY, HEADLINE, Indicator, Snapshot, Target, Unit
from .selectors import YEAR_TO_DATE, indicator_name

TREND_MONTHS = 12
PIPELINE_LIST_LIMIT = 100
THOUSAND = Decimal(1000)
# Indicators read from the monthly reports: final only once the month's reports are due.
# The gap table: how many of what would meet each target.
GAP_INDICATORS = ("K1", "K4", "K5")


def default_date() -> dt.date:
    """The pilot's last day (settings.PILOT_END_DATE): the horizon the plan's targets are set for."""
    return settings.PILOT_END_DATE


def position(day: dt.date) -> float:
    """Time in months, so that a month's snapshot (taken at its last day) sits at a whole number:
    the end of June 2025 and the first instant of July are both 2025 * 12 + 6."""
    days = calendar.monthrange(day.year, day.month)[1]
    return day.year * 12 + day.month - 1 + day.day / days


def snapshot_position(period: dt.date) -> float:
    return period.year * 12 + period.month


def least_squares(points: list[tuple[float, float]]) -> tuple[float, float] | None:
    """(slope, intercept) of the least-squares line, or None with fewer than two distinct x."""
    if len(points) < 2:
        return None
    n = len(points)
    mean_x = sum(x for x, _y in points) / n
    mean_y = sum(y for _x, y in points) / n
    sxx = sum((x - mean_x) ** 2 for x, _y in points)
    if sxx == 0:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / sxx
    return slope, mean_y - slope * mean_x


def _clamp(value: float, indicator: str) -> Decimal:
    value = max(value, 0.0)
    if unit_of(indicator) == Unit.SHARE:
        value = min(value, 1.0)
    return Decimal(str(round(value, 6)))


def judge(value: Decimal | None, target: Target | None) -> str:
    if value is None:
        return Snapshot.Status.NO_DATA
    if target is None:
        return Snapshot.Status.TRACKED
    if target.comparison == Target.Comparison.AT_MOST:
        met = value <= target.value
    else:
        met = value >= target.value
    return Snapshot.Status.MET if met else Snapshot.Status.NOT_MET


# --- The registry as it stands on a day ------------------------------------------------------------


def registry_values(t: dict[str, Decimal]) -> dict[str, Decimal | None]:
    """The registry indicators from `registry_totals` sums, by kpis.md's definitions."""
    figures = area_figures(t, definitions=[BY_ID[indicator] for indicator in REGISTRY_INDICATORS])
    return {indicator: figure.value for indicator, figure in figures.items()}


# --- Projections ------------------------------------------------------------------------------------


@dataclass
class Projection:
    indicator: str
    target: Target
    latest: Snapshot | None
    trend: Decimal | None
    trend_points: int
    pipeline: Decimal | None
    is_registry: bool

    @property
    def name(self) -> str:
        return indicator_name(self.indicator)

    @property
    def is_headline(self) -> bool:
        return self.indicator in (*HEADLINE, "K2")

    @property
    def target_display(self) -> str:
        return format_target(self.target.value, self.indicator, self.target.comparison)

    @property
    def latest_display(self) -> str:
        return format_number(self.latest.value if self.latest else None, self.indicator)

    @property
    def trend_display(self) -> str:
        if self.trend is None:
            return _("数据不足")
        return format_number(self.trend, self.indicator)

    @property
    def pipeline_display(self) -> str:
        if not self.is_registry:
            return "—"
        return format_number(self.pipeline, self.indicator)

    @property
    def trend_status(self) -> str:
        return judge(self.trend, self.target)

    @property
    def pipeline_status(self) -> str:
        return judge(self.pipeline, self.target) if self.is_registry else ""

    @property
    def trend_css(self) -> str:
        return status_class(self.trend_status)

    @property
    def pipeline_css(self) -> str:
        return status_class(self.pipeline_status) if self.is_registry else ""


def last_complete_month(indicator: str, today: dt.date) -> dt.date:
    """The latest month whose figure is final: it has ended (a month still running has only part
    of its inspections, sessions and vouchers); for report-based indicators, its reports' due day
    has also passed."""
    if indicator in REPORT_BASED:
        return selectors.last_complete_month(today)
    return add_months(today.replace(day=1), -1)


def trend_projection(
    snapshots: list[Snapshot], indicator: str, to: dt.date
) -> tuple[Decimal | None, int]:
    """The least-squares projection of `snapshots` (one indicator, one area) to `to`, and the
    number of months it rests on."""
    rows = [s for s in snapshots if s.value is not None]
    if indicator in YEAR_TO_DATE and rows:
        year = max(s.period for s in rows).year
        if to.year != year:
            return None, 0
        rows = [s for s in rows if s.period.year == year]
    line = least_squares([(snapshot_position(s.period), float(s.value)) for s in rows])
    if line is None:
        return None, len(rows)
    slope, intercept = line
    return _clamp(slope * position(to) + intercept, indicator), len(rows)


# --- Gaps -------------------------------------------------------------------------------------------


@dataclass
class Gap:
    """How many more of something would meet a target: `amount` (and an `alternative` way)."""

    status: str  # "met", "gap", "no_data", "n/a"
    amount: int | None = None
    alternative: int | None = None
    key: str = ""

    @property
    def css(self) -> str:
        return {"met": "met", "gap": "not-met", "no_data": "no-data"}.get(self.status, "tracked")

    @property
    def display(self) -> str:
        if self.status == "met":
            return _("已达标")
        if self.status == "no_data":
            return _("无数据")
        if self.amount is None:
            return "—"
        return f"{self.amount:,}"

    @property
    def alternative_display(self) -> str:
        return "" if self.alternative is None else f"{self.alternative:,}"


def _ceil(value: Decimal) -> int:
    return max(0, math.ceil(value))


def places_gap(places: Decimal | None, under3: Decimal | None, target: Target | None) -> Gap:
    """K1: places still needed so that places / children under 3 x 1000 meets the target."""
    if target is None or target.comparison != Target.Comparison.AT_LEAST:
        return Gap("n/a")
    if not under3:
        return Gap("no_data")
    shortfall = Decimal(target.value) * Decimal(under3) / THOUSAND - Decimal(places or 0)
    return Gap("met") if shortfall <= 0 else Gap("gap", _ceil(shortfall))


def share_gap(part: Decimal | None, whole: Decimal | None, target: Target | None) -> Gap:
    """K4 / K5: `amount` = how many of the whole must move into the part (recognise existing
    places as inclusive; certify existing staff); `alternative` = how many new ones already in the
    part would have to be added (new inclusive places; newly hired certified staff)."""
    if target is None or target.comparison != Target.Comparison.AT_LEAST:
        return Gap("n/a")
    if not whole:
        return Gap("no_data")
    share = Decimal(target.value)
    shortfall = share * Decimal(whole) - Decimal(part or 0)
    if shortfall <= 0:
        return Gap("met")
    added = _ceil(shortfall / (1 - share)) if share < 1 else None
    return Gap("gap", _ceil(shortfall), added)


@dataclass
class GapRow:
    area: str
    name: str
    places: Gap
    places_after: Gap
    inclusive: Gap
    inclusive_after: Gap
    certified: Gap
    certified_after: Gap

    @property
    def gap_cells(self) -> list[Gap]:
        """The six cells of the gap table, each tagged with its column."""
        names = (
            "places",
            "places_after",
            "inclusive",
            "inclusive_after",
            "certified",
            "certified_after",
        )
        return [replace(getattr(self, name), key=name) for name in names]


def _gaps(
    area: str, name: str, snapshots: dict[str, Snapshot], future: dict, goals: dict[str, Target]
) -> GapRow:
    def parts(indicator: str) -> tuple[Decimal | None, Decimal | None]:
        snapshot = snapshots.get(indicator)
        return (snapshot.numerator, snapshot.denominator) if snapshot else (None, None)

    places, under3 = parts("K1")
    inclusive, all_places = parts("K4")
    certified, care_staff = parts("K5")
    has_population = bool(future.get("has_population"))
    return GapRow(
        area=area,
        name=name,
        places=places_gap(places, under3, goals.get("K1")),
        places_after=places_gap(
            future.get("places"),
            future.get("children_under_3") if has_population else None,
            goals.get("K1"),
        ),
        inclusive=share_gap(inclusive, all_places, goals.get("K4")),
        inclusive_after=share_gap(
            future.get("inclusive_places"), future.get("places"), goals.get("K4")
        ),
        certified=share_gap(certified, care_staff, goals.get("K5")),
        certified_after=share_gap(
            future.get("certified_staff"), future.get("care_staff"), goals.get("K5")
        ),
    )


# --- The forecast page ------------------------------------------------------------------------------


@dataclass
class Forecast:
    to: dt.date
    today: dt.date
    latest_period: dt.date | None
    trend_first: dt.date | None
    trend_last: dt.date | None
    projections: list[Projection]
    gaps: list[GapRow]
    city_gap: GapRow | None
    now: dict[str, Decimal]
    future: dict[str, Decimal]
    new_institutions: list = field(default_factory=list)
    new_recognitions: list = field(default_factory=list)
    place_changes: list = field(default_factory=list)
    targets: dict[str, Target] = field(default_factory=dict)

    def pipeline_change(self, name: str) -> Decimal:
        return self.future.get(name, Decimal(0)) - self.now.get(name, Decimal(0))

    @property
    def added_places(self) -> Decimal:
        return self.pipeline_change("places")

    @property
    def added_inclusive_places(self) -> Decimal:
        return self.pipeline_change("inclusive_places")

    @property
    def added_certified_staff(self) -> Decimal:
        return self.pipeline_change("certified_staff")

    @property
    def added_institutions(self) -> Decimal:
        return self.pipeline_change("institutions")

    def target_text(self, indicator: str) -> str:
        target = self.targets.get(indicator)
        return format_target(target.value, indicator, target.comparison) if target else "—"


def pipeline_lists(today: dt.date, to: dt.date) -> tuple[list, list, list]:
    """What is recorded to happen after today and on or before `to`: filings, inclusive
    recognitions and approved-place changes (at most PIPELINE_LIST_LIMIT + 1 rows each)."""
    limit = PIPELINE_LIST_LIMIT + 1
    filed = list(
        institutions_as_of(to)
        .filter(filed_on__gt=today, filed_on__lte=to)
        .select_related("township")
        .order_by("filed_on", "township__sort_order", "name")[:limit]
    )
    recognition = InclusiveRecognition.objects.filter(
        institution=OuterRef("pk"), valid_from__gt=today, valid_from__lte=to
    )
    recognised = list(
        institutions_as_of(to)
        .filter(Exists(recognition))
        .annotate(
            recognised_from=Subquery(recognition.order_by("valid_from").values("valid_from")[:1])
        )
        .select_related("township")
        .order_by("recognised_from", "township__sort_order", "name")[:limit]
    )
    total = F("infant") + F("toddler") + F("older") + F("mixed")
    earlier = (
        ApprovedPlaces.objects.filter(
            institution=OuterRef("institution"), effective_from__lt=OuterRef("effective_from")
        )
        .order_by("-effective_from")
        .annotate(total_places=F("infant") + F("toddler") + F("older") + F("mixed"))
        .values("total_places")[:1]
    )
    changes = list(
        ApprovedPlaces.objects.filter(effective_from__gt=today, effective_from__lte=to)
        .annotate(
            total_places=total,
            previous_places=Subquery(earlier, output_field=IntegerField()),
        )
        .select_related("institution", "institution__township")
        .order_by("effective_from", "institution__township__sort_order", "institution__name")[
            :limit
        ]
    )
    for change in changes:
        change.change = change.total_places - (change.previous_places or 0)
    return filed, recognised, changes


def forecast(*, to: dt.date, today: dt.date | None = None) -> Forecast:
    """Projections of every target to `to`, the pipeline, and the gap per township."""
    today = today or timezone.localdate()
    goals = {t.indicator: t for t in Target.objects.all()}
    this_month = today.replace(day=1)
    latest = (
        Snapshot.objects.filter(area=CITY, indicator=Indicator.K1, period__lte=this_month)
        .order_by("-period")
        .values_list("period", flat=True)
        .first()
    )
    last_complete = {
        indicator: min(latest, last_complete_month(indicator, today)) if latest else None
        for indicator in Indicator.values
    }
    trend_last = last_complete[Indicator.K1]
    trend_first = add_months(trend_last, -(TREND_MONTHS - 1)) if trend_last else None
    series: dict[str, list[Snapshot]] = {}
    if latest:
        earliest = add_months(min(m for m in last_complete.values() if m), -(TREND_MONTHS - 1))
        for snapshot in Snapshot.objects.filter(
            area=CITY, period__gte=earliest, period__lte=latest
        ).order_by("period"):
            series.setdefault(snapshot.indicator, []).append(snapshot)
    now = registry_totals(today)
    future = registry_totals(to)
    city_future = registry_values(future.get(CITY, {}))
    projections = []
    for indicator in Indicator.values:
        target = goals.get(indicator)
        if target is None:
            continue
        rows = series.get(indicator, [])
        last = last_complete[indicator]
        window = [
            s for s in rows if last and add_months(last, -(TREND_MONTHS - 1)) <= s.period <= last
        ]
        trend, count = trend_projection(window, indicator, to)
        projections.append(
            Projection(
                indicator=indicator,
                target=target,
                latest=rows[-1] if rows and rows[-1].period == latest else None,
                trend=trend,
                trend_points=count,
                pipeline=city_future.get(indicator),
                is_registry=indicator in REGISTRY_INDICATORS,
            )
        )
    by_area: dict[str, dict[str, Snapshot]] = {}
    if latest:
        for snapshot in Snapshot.objects.filter(period=latest, indicator__in=GAP_INDICATORS):
            by_area.setdefault(snapshot.area, {})[snapshot.indicator] = snapshot
    gaps = [
        _gaps(t.code, t.name, by_area.get(t.code, {}), future.get(t.code, {}), goals)
        for t in Township.objects.all()
    ]
    city_gap = _gaps(CITY, _("全市"), by_area.get(CITY, {}), future.get(CITY, {}), goals)
    filed, recognised, changes = pipeline_lists(today, to)
    return Forecast(
        to=to,
        today=today,
        latest_period=latest,
        trend_first=trend_first,
        trend_last=trend_last,
        projections=projections,
        gaps=gaps,
        city_gap=city_gap,
        now=now.get(CITY, {}),
        future=future.get(CITY, {}),
        new_institutions=filed,
        new_recognitions=recognised,
        place_changes=changes,
        targets=goals,
    )
