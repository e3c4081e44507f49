"""The pilot's indicators, exactly as ../shared/spec/kpis.md defines them.

`compute_figures(period)` reads the database with a fixed number of aggregate queries (about a
dozen, whatever the number of institutions) and returns every indicator's numerator and
denominator for the city and each township. Township figures are grouped in SQL; the city figure
is the sum of the groups' totals (never an average of township ratios), plus rows that belong to
no township (vouchers of children registered outside Yueqing), plus city-wide distinct counts.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from institutions.models import (
    Community,
    InclusiveRecognition,
    Institution,
    MonthlyReport,
    ParentingSession,
    Township,
)
from institutions.selectors import counted_on, institutions_as_of
from portal.dates import deadline_as_datetime, month_end

from .models import CITY, CityIncome, PopulationBase

ZERO = Decimal(0)
THOUSAND = Decimal(1000)


@dataclass
class Figure:
    numerator: Decimal | None
    denominator: Decimal | None
    kind: str  # "ratio", "per_thousand", "count", "fee_ratio"

    @property
    def value(self) -> Decimal | None:
        if self.kind == "count":
            return self.numerator
        if self.numerator is None or not self.denominator:
            return None  # no data is not zero
        value = Decimal(self.numerator) / Decimal(self.denominator)
        return value * THOUSAND if self.kind == "per_thousand" else value


def end_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(
        dt.datetime.combine(day, dt.time.max), timezone.get_default_timezone()
    )


def _quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _population(year: int) -> dict[int, PopulationBase]:
    """Each township's row for `year`, else its latest earlier one."""
    rows: dict[int, PopulationBase] = {}
    for row in PopulationBase.objects.filter(year__lte=year).order_by("township_id", "-year"):
        rows.setdefault(row.township_id, row)
    return rows


def _income(year: int) -> Decimal | None:
    """The city's income of year Y-1, else the latest earlier one (the plan's 上一年度)."""
    row = CityIncome.objects.filter(year__lte=year - 1).order_by("-year").first()
    return row.per_capita_disposable_income if row else None


class _Totals(defaultdict):
    """Per-group sums; the city group adds every group."""

    def __init__(self):
        super().__init__(lambda: defaultdict(lambda: ZERO))

    def add(self, group, **values) -> None:
        for name, value in values.items():
            if value is not None:
                self[group][name] += Decimal(value)
                self[CITY][name] += Decimal(value)


def compute_figures(period: dt.date) -> dict[tuple[str, str], Figure]:
    """Every indicator for `period` (a month's first day): {(area, indicator): Figure}."""
    period = period.replace(day=1)
    day = month_end(period)
    year_start = dt.date(day.year, 1, 1)
    end = end_of_day(day)
    townships = {t.pk: t.code for t in Township.objects.all()}
    totals = _Totals()

    # 1. The registry as it stood at D, and the routine inspections done by D.
    from inspections.selectors import completed_inspections, findings_due

    def done(kind: str, start: dt.date) -> Exists:
        return Exists(
            completed_inspections(kind=kind, start=start, end=day).filter(
                institution=OuterRef("pk")
            )
        )

    # order_by(): one row per (institution, month) anyway, and the model's default ordering
    # joined the institution and township tables into the subquery for every institution.
    report = MonthlyReport.objects.filter(institution=OuterRef("pk"), period=period).order_by()
    # One row per counted institution with its facts at D, aggregated per township by the
    # outer query. The subquery is kept whole (OFFSET 0): aggregating the annotated queryset
    # directly made PostgreSQL evaluate the places subqueries once per aggregate using them
    # (17 correlated lookups per institution instead of 4).
    facts = (
        institutions_as_of(day)
        .filter(is_counted=True)
        .annotate(
            patrolled=done("patrol", period),
            guided=done("guidance", _quarter_start(day)),
            annually_inspected=done("annual", year_start),
            first_submitted_at=Subquery(
                report.values("first_submitted_at")[:1], output_field=DateTimeField()
            ),
        )
        .order_by()
        .values(
            "id",
            "township_id",
            "kind",
            "is_inclusive_kindergarten",
            "places_total",
            "places_infant",
            "is_inclusive",
            "care_staff_count",
            "certified_care_staff_count",
            "has_care_contract",
            "has_panic_alarm",
            "patrolled",
            "guided",
            "annually_inspected",
            "first_submitted_at",
        )
    )
    facts_sql, facts_params = facts.query.sql_with_params()
    kindergarten = Institution.Kind.KINDERGARTEN.value
    # SQLite (`make run` without PostgreSQL) wants a LIMIT before an OFFSET.
    keep_whole = "OFFSET 0" if connection.vendor == "postgresql" else "LIMIT -1 OFFSET 0"
    on_time_before = connection.ops.adapt_datetimefield_value(deadline_as_datetime(period))
    registry_sql = f"""
        SELECT f.township_id,
            COUNT(f.id) AS institutions,
            SUM(f.places_total) AS places,
            SUM(f.places_infant) AS infant_places,
            SUM(f.places_total) FILTER (WHERE f.kind = %s) AS kindergarten_places,
            SUM(f.places_total) FILTER (WHERE f.is_inclusive) AS inclusive_places,
            SUM(f.care_staff_count) AS care_staff,
            SUM(f.certified_care_staff_count) AS certified_staff,
            COUNT(f.id) FILTER (WHERE f.kind = %s AND f.is_inclusive_kindergarten)
                AS inclusive_kindergartens,
            COUNT(f.id) FILTER (
                WHERE f.kind = %s AND f.is_inclusive_kindergarten AND f.places_total > 0
            ) AS inclusive_kindergartens_with_class,
            COUNT(f.id) FILTER (WHERE f.has_care_contract) AS with_contract,
            COUNT(f.id) FILTER (WHERE f.has_panic_alarm) AS with_alarm,
            COUNT(f.id) FILTER (WHERE f.patrolled) AS patrolled,
            COUNT(f.id) FILTER (WHERE f.guided) AS guided,
            COUNT(f.id) FILTER (WHERE f.annually_inspected) AS annually_inspected,
            COUNT(f.id) FILTER (WHERE f.first_submitted_at IS NOT NULL) AS submitted,
            COUNT(f.id) FILTER (WHERE f.first_submitted_at <= %s) AS on_time
        FROM ({facts_sql} {keep_whole}) AS f
        GROUP BY f.township_id
    """  # noqa: S608 - the inner SQL is Django's, every value is a parameter
    with connection.cursor() as cursor:
        cursor.execute(
            registry_sql,
            [kindergarten, kindergarten, kindergarten, on_time_before, *facts_params],
        )
        names = [column[0] for column in cursor.description]
        registry = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    for row in registry:
        group = townships[row.pop("township_id")]
        totals.add(group, **row)

    # 2. Inclusive places at the pilot baseline (K8).
    for row in (
        institutions_as_of(settings.PILOT_BASELINE_DATE)
        .filter(is_counted=True, is_inclusive=True)
        .order_by()
        .values("township_id")
        .annotate(places=Sum("places_total"))
    ):
        totals.add(townships[row["township_id"]], baseline_inclusive_places=row["places"])

    # 3. Accepted reports for M of counted institutions: enrolment (K15) and the inclusive
    #    institutions' enrolment-weighted fee (K6), read from the registry at D.
    enrolled = (
        F("enrolled_infant") + F("enrolled_toddler") + F("enrolled_older") + F("enrolled_mixed")
    )
    inclusive_at_d = Exists(
        InclusiveRecognition.objects.filter(
            institution=OuterRef("institution"), valid_from__lte=day
        ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
    )
    counted_ids = Institution.objects.filter(counted_on(day)).values("pk")
    fee_rows = Q(inclusive_at_d=True, enrolled__gt=0, fee_full_day__isnull=False)
    for row in (
        MonthlyReport.objects.filter(
            period=period, state=MonthlyReport.State.ACCEPTED, institution__in=counted_ids
        )
        .annotate(enrolled=enrolled, inclusive_at_d=inclusive_at_d)
        .order_by()
        .values("institution__township_id")
        .annotate(
            enrolled_children=Sum("enrolled"),
            fee_weighted=Sum(F("fee_full_day") * F("enrolled"), filter=fee_rows),
            fee_enrolment=Sum("enrolled", filter=fee_rows),
        )
    ):
        group = townships[row.pop("institution__township_id")]
        totals.add(group, **row)

    # 4. Parenting-care sessions from 1 January to D (K9).
    for row in (
        ParentingSession.objects.filter(held_on__gte=year_start, held_on__lte=day)
        .order_by()
        .values("township_id")
        .annotate(sessions=Count("pk"), families=Coalesce(Sum("families_reached"), 0))
    ):
        totals.add(
            townships[row["township_id"]], sessions=row["sessions"], families=row["families"]
        )

    # 5. New communities delivered from the pilot's start to D (K10).
    meets = ExpressionWrapper(
        Q(delivered_places__gte=F("residents") * Value(10) / Value(1000.0)),
        output_field=BooleanField(),
    )
    for row in (
        Community.objects.filter(
            is_new=True, delivered_on__gte=settings.PILOT_START_DATE, delivered_on__lte=day
        )
        .annotate(meets=meets)
        .order_by()
        .values("township_id")
        .annotate(new_communities=Count("pk"), meeting=Count("pk", filter=Q(meets=True)))
    ):
        group = townships[row.pop("township_id")]
        totals.add(group, **row)

    # 6. Findings whose deadline falls in M, and those closed by it (K12d).
    for row in (
        findings_due(start=period, end=day)
        .order_by()
        .values("inspection__institution__township_id")
        .annotate(
            findings_due=Count("pk"), closed_on_time=Count("pk", filter=Q(closed_on_time=True))
        )
    ):
        group = townships[row.pop("inspection__institution__township_id")]
        totals.add(group, **row)

    # 7. Vouchers to D, by the child's registered township (K13); children registered outside
    #    Yueqing count in the city figure only.
    _voucher_totals(totals, townships, end)

    population = _population(day.year)
    for township_id, row in population.items():
        totals.add(
            townships[township_id],
            children_under_3=row.children_under_3,
            residents=row.residents,
        )
    income = _income(day.year)

    figures: dict[tuple[str, str], Figure] = {}
    for area in [CITY, *townships.values()]:
        t = totals[area]
        has_population = (area == CITY and population) or area in {townships[i] for i in population}
        figures.update(_area_figures(area, t, income, bool(has_population)))
    return figures


def _voucher_totals(totals: _Totals, townships: dict[int, str], end: dt.datetime) -> None:
    from vouchers.models import LedgerEntry, Redemption

    for row in (
        LedgerEntry.objects.filter(created_at__lte=end)
        .order_by()
        .values("voucher__child__hukou_township_id")
        .annotate(
            issued=Coalesce(Sum("amount", filter=Q(kind=LedgerEntry.Kind.ISSUE)), ZERO),
            redeemed=Coalesce(
                -Sum(
                    "amount",
                    filter=Q(kind__in=[LedgerEntry.Kind.REDEMPTION, LedgerEntry.Kind.REVERSAL]),
                ),
                ZERO,
            ),
        )
    ):
        group = townships.get(row["voucher__child__hukou_township_id"])
        if group is None:  # registered outside Yueqing: the city figure only
            totals[CITY]["voucher_issued"] += row["issued"]
            totals[CITY]["voucher_redeemed"] += row["redeemed"]
        else:
            totals.add(group, voucher_issued=row["issued"], voucher_redeemed=row["redeemed"])

    redeemed_by_d = Redemption.objects.filter(created_at__lte=end).filter(
        Q(status=Redemption.Status.ACTIVE) | Q(reversed_at__gt=end)
    )
    for row in (
        redeemed_by_d.order_by()
        .values("voucher__child__hukou_township_id")
        .annotate(families=Count("voucher__child__guardian", distinct=True))
    ):
        group = townships.get(row["voucher__child__hukou_township_id"])
        if group is not None:
            totals[group]["voucher_families"] += row["families"]
    # A family with children in two townships counts once for the city.
    totals[CITY]["voucher_families"] = Decimal(
        redeemed_by_d.aggregate(n=Count("voucher__child__guardian", distinct=True))["n"]
    )


def _area_figures(area: str, t, income: Decimal | None, has_population: bool) -> dict:
    def ratio(numerator: str, denominator: str) -> Figure:
        return Figure(t[numerator], t[denominator], "ratio")

    under3 = t["children_under_3"] if has_population else None
    residents = t["residents"] if has_population else None
    monthly_income = income / 12 if income else None
    mean_fee = t["fee_weighted"] / t["fee_enrolment"] if t["fee_enrolment"] else None
    inclusive_places = t["inclusive_places"]
    figures = {
        "K1": Figure(t["places"], under3, "per_thousand"),
        "K2": Figure(t["places"], residents, "per_thousand"),
        "K3": ratio("kindergarten_places", "places"),
        "K4": ratio("inclusive_places", "places"),
        "K5": ratio("certified_staff", "care_staff"),
        "K6": Figure(mean_fee, monthly_income, "ratio"),
        "K7": ratio("inclusive_kindergartens_with_class", "inclusive_kindergartens"),
        "K8": Figure(inclusive_places - t["baseline_inclusive_places"], None, "count"),
        "K9_sessions": Figure(t["sessions"], None, "count"),
        "K9_families": Figure(t["families"], None, "count"),
        "K10": ratio("meeting", "new_communities"),
        "K11": ratio("with_contract", "institutions"),
        "K12a": ratio("patrolled", "institutions"),
        "K12b": ratio("guided", "institutions"),
        "K12c": ratio("annually_inspected", "institutions"),
        "K12d": ratio("closed_on_time", "findings_due"),
        "K13_issued": Figure(t["voucher_issued"], None, "count"),
        "K13_redeemed": Figure(t["voucher_redeemed"], None, "count"),
        "K13_use": ratio("voucher_redeemed", "voucher_issued"),
        "K13_families": Figure(t["voucher_families"], None, "count"),
        "K14": ratio("submitted", "institutions"),
        "K14_timely": ratio("on_time", "institutions"),
        "K15": Figure(t["enrolled_children"], under3, "ratio"),
        "K16": ratio("infant_places", "places"),
        "K17": ratio("with_alarm", "institutions"),
    }
    return {(area, indicator): figure for indicator, figure in figures.items()}
