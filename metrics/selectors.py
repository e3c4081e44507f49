"""Reads for the indicator pages and the evaluation report.

Every figure shown comes from Snapshot rows: a page never recomputes an indicator. The month
overview (cards, trend charts, township table) runs four queries whatever the size of the
registry; a drill-down lists the institutions (or reports, sessions, communities, findings)
behind one township figure with the same rules as metrics/computation.py, in a bounded number of
queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    BooleanField,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.utils.translation import gettext as _

from institutions.models import (
    Community,
    InclusiveRecognition,
    Institution,
    MonthlyReport,
    ParentingSession,
    Township,
)
from institutions.selectors import counted_on, institutions_as_of
from portal.dates import add_months, month_end

from .charts import Point, trend_svg
from .formatting import (
    change_direction,
    format_change,
    format_number,
    format_target,
    status_class,
    status_label,
)
from .models import CITY, ComputeRun, Indicator, Snapshot, Target

# The dashboard's cards: the plan's five headline targets and the national indicator.
CARD_INDICATORS = ("K1", "K3", "K4", "K5", "K6", "K2")
# Indicators without a drill-down: voucher figures belong to children and families, not
# institutions (the voucher pages list them).
NOT_DRILLABLE = frozenset({"K13_issued", "K13_redeemed", "K13_use", "K13_families"})
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


# --- Drill-down: what is behind one figure ----------------------------------------------------------

PLACES = frozenset({"K1", "K2", "K3", "K4", "K16"})
FLAGS = {"K11": "has_care_contract", "K17": "has_panic_alarm"}
INSPECTION_KINDS = {"K12a": "patrol", "K12b": "guidance", "K12c": "annual"}
REPORT_STATES = frozenset({"K14", "K14_timely"})


@dataclass
class Drilldown:
    """What is listed behind a figure: `kind` picks the table in the template."""

    kind: str
    rows: QuerySet | list
    description: str
    day: dt.date


def _quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _in_area(queryset: QuerySet, area: Township | None, path: str = "township") -> QuerySet:
    return queryset if area is None else queryset.filter(**{path: area})


def drilldown(period: dt.date, area: Township | None, indicator: str) -> Drilldown:
    """The institutions (or reports, sessions, communities, findings) behind the figure of
    `indicator` for `area` (None: the city) in `period`, read with the rules of kpis.md at the
    month's end D. One query for the rows (two for K8), plus the paginator's count."""
    day = month_end(period)
    registry = _in_area(institutions_as_of(day).filter(is_counted=True), area)
    ordering = ("township__sort_order", "name", "pk")
    if indicator in PLACES:
        rows = registry.filter(places_total__gt=0).select_related("township").order_by(*ordering)
        return Drilldown(
            "places",
            rows,
            _("月末在册（已备案、未停办）且有核定托位的机构；托位为月末有效的核定托位。"),
            day,
        )
    if indicator == "K5":
        rows = (
            registry.filter(care_staff_count__gt=0).select_related("township").order_by(*ordering)
        )
        return Drilldown(
            "staff",
            rows,
            _("月末在册机构的在岗保育人员、教师、保健人员，及其中持有月末有效资格证书的人数。"),
            day,
        )
    if indicator == "K7":
        rows = (
            registry.filter(kind=Institution.Kind.KINDERGARTEN, is_inclusive_kindergarten=True)
            .select_related("township")
            .order_by(*ordering)
        )
        return Drilldown("kindergartens", rows, _("月末在册的普惠性幼儿园及其是否开设托班。"), day)
    if indicator == "K8":
        return Drilldown("inclusive_growth", _inclusive_growth(day, area), _k8_text(), day)
    if indicator in FLAGS:
        rows = registry.select_related("township").order_by(*ordering)
        text = (
            _("月末在册机构及其月末是否有有效的医育结合签约。")
            if indicator == "K11"
            else _("月末在册机构及其月末是否已安装一键式报警。")
        )
        return Drilldown("flag", rows.annotate(flag=F(FLAGS[indicator])), text, day)
    if indicator in INSPECTION_KINDS:
        return Drilldown(
            "inspections",
            _inspected(registry, INSPECTION_KINDS[indicator], indicator, period, day).order_by(
                *ordering
            ),
            _("月末在册机构，及其在统计期内是否完成了该类检查（最近一次完成日期）。"),
            day,
        )
    if indicator in REPORT_STATES:
        from institutions.reports.selectors import counted_with_reports

        rows = _in_area(counted_with_reports(period), area).select_related("township")
        return Drilldown(
            "report_states",
            rows.order_by(*ordering),
            _("月末在册机构的本月月报：提交过一次即计入完整率；截止日期前首次提交计入及时率。"),
            day,
        )
    if indicator in {"K6", "K15"}:
        return _reports(period, day, area, indicator)
    if indicator in {"K9_sessions", "K9_families"}:
        rows = _in_area(
            ParentingSession.objects.filter(held_on__gte=dt.date(day.year, 1, 1), held_on__lte=day),
            area,
        ).select_related("township", "institution")
        return Drilldown(
            "sessions",
            rows.order_by("held_on", "pk"),
            _("1月1日至月末举办的养育照护小组活动。"),
            day,
        )
    if indicator == "K10":
        meets = ExpressionWrapper(
            Q(delivered_places__gte=F("residents") * Value(10) / Value(1000.0)),
            output_field=BooleanField(),
        )
        rows = _in_area(
            Community.objects.filter(
                is_new=True, delivered_on__gte=settings.PILOT_START_DATE, delivered_on__lte=day
            ),
            area,
        )
        return Drilldown(
            "communities",
            rows.annotate(meets=meets).select_related("township").order_by("delivered_on", "pk"),
            _("试点开始后至月末交付的新建小区，及其托位是否达到每千常住人口10个。"),
            day,
        )
    if indicator == "K12d":
        from inspections.selectors import findings_due

        rows = _in_area(
            findings_due(start=period, end=day), area, "inspection__institution__township"
        ).select_related("inspection__institution", "inspection__institution__township")
        return Drilldown(
            "findings",
            rows.order_by("deadline", "pk"),
            _("整改期限在本月的问题，及其是否在期限内销号。"),
            day,
        )
    return Drilldown(
        "none",
        [],
        _("托育券指标按儿童户籍所在镇街统计，明细涉及家庭信息，请在托育券模块查看。"),
        day,
    )


def _k8_text() -> str:
    return _(
        "月末与试点基线日（%(day)s）分别计入的普惠托位；新增 = 月末普惠托位 − 基线普惠托位。"
    ) % {"day": settings.PILOT_BASELINE_DATE.isoformat()}


def _inclusive_growth(day: dt.date, area: Township | None) -> list[Institution]:
    """Institutions inclusive and counted at D or at the baseline, with both place counts."""
    now = {
        i.pk: i
        for i in _in_area(
            institutions_as_of(day).filter(is_counted=True, is_inclusive=True), area
        ).select_related("township")
    }
    baseline = {
        row["pk"]: row["places_total"]
        for row in _in_area(
            institutions_as_of(settings.PILOT_BASELINE_DATE).filter(
                is_counted=True, is_inclusive=True
            ),
            area,
        ).values("pk", "places_total")
    }
    missing = set(baseline) - set(now)
    if missing:
        for institution in Institution.objects.filter(pk__in=missing).select_related("township"):
            institution.places_total = 0
            now[institution.pk] = institution
    rows = list(now.values())
    for institution in rows:
        institution.baseline_places = baseline.get(institution.pk, 0)
        institution.places_change = institution.places_total - institution.baseline_places
    rows.sort(key=lambda i: (i.township.sort_order, i.name, i.pk))
    return rows


def _inspected(registry: QuerySet, kind: str, indicator: str, period: dt.date, day: dt.date):
    from inspections.selectors import completed_inspections

    start = {
        "K12a": period,
        "K12b": _quarter_start(day),
        "K12c": dt.date(day.year, 1, 1),
    }[indicator]
    done = completed_inspections(kind=kind, start=start, end=day).filter(institution=OuterRef("pk"))
    return registry.select_related("township").annotate(
        flag=Exists(done),
        last_done_on=Subquery(
            done.order_by("-inspected_on").values("inspected_on")[:1], output_field=DateField()
        ),
    )


def _reports(period: dt.date, day: dt.date, area: Township | None, indicator: str) -> Drilldown:
    enrolled = (
        F("enrolled_infant") + F("enrolled_toddler") + F("enrolled_older") + F("enrolled_mixed")
    )
    inclusive_at_d = Exists(
        InclusiveRecognition.objects.filter(
            institution=OuterRef("institution"), valid_from__lte=day
        ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
    )
    rows = (
        _in_area(
            MonthlyReport.objects.filter(
                period=period,
                state=MonthlyReport.State.ACCEPTED,
                institution__in=Institution.objects.filter(counted_on(day)).values("pk"),
            ),
            area,
            "institution__township",
        )
        .annotate(enrolled=enrolled, inclusive_at_d=inclusive_at_d)
        .select_related("institution", "institution__township")
        .order_by("institution__township__sort_order", "institution__name", "pk")
    )
    if indicator == "K6":
        rows = rows.filter(
            inclusive_at_d=True, enrolled__gt=0, fee_full_day__isnull=False
        ).annotate(fee_weighted=F("fee_full_day") * F("enrolled"))
        text = _(
            "本月审核通过的月报中，月末在册且普惠认定有效、在托人数大于0的机构：按在托人数加权的全日托月收费。"
        )
        return Drilldown("fees", rows, text, day)
    text = _("本月审核通过的月报（月末在册机构）的在托人数。")
    return Drilldown("enrolment", rows, text, day)


# --- The evaluation report's extra figures ------------------------------------------------------------

SECTION_INDICATORS = {
    "vouchers": ("K13_issued", "K13_redeemed", "K13_use", "K13_families"),
    "inspections": ("K12a", "K12b", "K12c", "K12d"),
    "sessions": ("K9_sessions", "K9_families"),
}
