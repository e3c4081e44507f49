"""The definitions table: one row per indicator of kpis.md, read alike by the computation, the
forecast and the drill-down."""

import collections
from decimal import Decimal

import pytest
from django.db.models import Q

from metrics import forecast
from metrics.computation import compute_figures
from metrics.kpis.conditions import fields_of, where_sql
from metrics.kpis.definitions import (
    ACTIVITY,
    BY_ID,
    DEFINITIONS,
    REGISTRY,
    REGISTRY_INDICATORS,
    VOUCHERS,
    area_values,
)
from metrics.kpis.drilldown import drilldown, listed_total
from metrics.kpis.month import Month
from metrics.kpis.population import monthly_income
from metrics.kpis.registry import registry_totals, totals_by_name
from metrics.kpis.sources import SOURCES
from metrics.models import CITY, Indicator
from tests.factories import township

from .builders import A, B, D, M, small_registry

# kpis.md, "Common rules", Ids.
KPIS_MD_IDS = [
    *(f"K{n}" for n in range(1, 9)),
    "K9_sessions",
    "K9_families",
    "K10",
    "K11",
    "K12a",
    "K12b",
    "K12c",
    "K12d",
    "K13_issued",
    "K13_redeemed",
    "K13_use",
    "K13_families",
    "K14",
    "K14_timely",
    "K15",
    "K16",
    "K17",
]
# Issue 19's tracked indicators (docs/indicators.md, "tracked indicators of issue 19").
ISSUE_19_IDS = ["K18", "K19", "K20", "K21", "K22"]


def test_every_indicator_of_kpis_md_has_exactly_one_definition():
    counts = collections.Counter(d.id for d in DEFINITIONS)
    assert sorted(counts) == sorted(KPIS_MD_IDS + ISSUE_19_IDS)
    assert set(counts.values()) == {1}
    # The snapshots' indicators are the table's, in its order.
    assert [d.id for d in DEFINITIONS] == list(Indicator.values)


def test_only_the_voucher_figures_have_no_drill_down():
    assert {d.id for d in DEFINITIONS if d.drill is None} == {
        "K13_issued",
        "K13_redeemed",
        "K13_use",
        "K13_families",
    }
    assert {d.id for d in DEFINITIONS if d.drill is not None} >= set(REGISTRY_INDICATORS)


def test_a_condition_reads_the_same_in_sql():
    condition = Q(kind="kindergarten", is_inclusive_kindergarten=True) & (
        ~Q(has_panic_alarm=True) | Q(places_total__gt=0) | Q(first_submitted_at__isnull=True)
    )
    sql, params = where_sql(condition)
    assert sql == (
        "(f.is_inclusive_kindergarten) AND (f.kind = %s) AND ((NOT ((f.has_panic_alarm)))"
        " OR (f.places_total > %s) OR (f.first_submitted_at IS NULL))"
    )
    assert params == ["kindergarten", 0]
    assert fields_of(condition) == {
        "kind",
        "is_inclusive_kindergarten",
        "has_panic_alarm",
        "places_total",
        "first_submitted_at",
    }
    assert where_sql(Q()) == ("", [])
    with pytest.raises(ValueError, match="icontains"):
        where_sql(Q(name__icontains="园"))


@pytest.mark.django_db
def test_every_total_a_definition_names_is_added_up_by_a_source():
    small_registry()
    month = Month.of(M)
    totals = registry_totals(month.day, period=month.period, townships=month.townships)
    for source in SOURCES:
        source(totals, month)
    produced = set(area_values(totals[CITY], monthly_income(2025)))
    registry_names = set(totals_by_name(M))
    for d in DEFINITIONS:
        names = {d.numerator, d.denominator} - {None}
        if d.source == VOUCHERS:
            continue  # no vouchers here: tests/metrics/test_indicators.py has them
        assert names <= produced, d.id
        if d.source == ACTIVITY:
            assert d.numerator in registry_names and d.denominator in registry_names, d.id


@pytest.mark.django_db
def test_the_forecast_reads_the_registry_as_the_computation_does():
    small_registry()
    figures = compute_figures(M)
    totals = registry_totals(D)
    for area in (CITY, A, B, "330382210"):
        values = forecast.registry_values(totals.get(area, {}))
        assert set(values) == set(REGISTRY_INDICATORS)
        for indicator, value in values.items():
            assert value == figures[area, indicator].value, (area, indicator)


def _sum(rows, field: str) -> Decimal:
    return Decimal(sum(getattr(row, field) or 0 for row in rows))


def _behind(detail, definition) -> tuple:
    """(numerator, denominator) as the drill-down's rows add them up."""
    rows, name = detail.rows, definition.id
    if definition.source in (REGISTRY, ACTIVITY) and detail.kind != "inclusive_growth":
        totals = totals_by_name(M)
        listed = listed_total(definition, totals)
        found = {}
        for total in (totals.get(definition.numerator), totals.get(definition.denominator)):
            if total is not None:  # the rows of each registry total among the listed ones
                chosen = list(total.rows(rows))
                found[total.name] = _sum(chosen, total.field) if total.field else len(chosen)
        assert found[listed.name] == (_sum(rows, listed.field) if listed.field else len(list(rows)))
        flagged = {
            "flag": lambda row: row.flag,
            "kindergartens": lambda row: row.places_total > 0,
            "report_states": lambda row: (
                row.is_on_time if name == "K14_timely" else row.is_submitted
            ),
        }.get(detail.kind)
        if flagged:  # what the page shows agrees with the numerator
            assert sum(1 for row in rows if flagged(row)) == found[definition.numerator]
        return found.get(definition.numerator), found.get(definition.denominator)
    rows = list(rows)
    if detail.kind == "inclusive_growth":
        return _sum(rows, "places_change"), None
    if detail.kind == "fees":
        return _sum(rows, "fee_weighted") / _sum(rows, "enrolled"), None
    if detail.kind == "enrolment":
        return _sum(rows, "enrolled"), None
    if detail.kind == "sessions":
        return (len(rows) if name == "K9_sessions" else _sum(rows, "families_reached")), None
    if detail.kind == "guidance":  # K18, K19: every counted institution
        if name == "K18":
            return sum(1 for row in rows if row.instructor_at), len(rows)
        return _sum(rows, "quarter_visits"), len(rows)
    if detail.kind == "training":  # K20, K21: the institutions with care staff
        field = "trained_staff" if name == "K20" else "shadowed_staff"
        return _sum(rows, field), _sum(rows, "care_staff_at")
    if detail.kind == "screenings":
        return _sum(rows, "development_screenings"), None
    flag = {"communities": "meets", "findings": "closed_on_time"}[detail.kind]
    return sum(1 for row in rows if getattr(row, flag)), len(rows)


@pytest.mark.django_db
def test_a_drill_down_lists_what_the_computation_counts():
    small_registry()
    figures = compute_figures(M)
    for area, where in ((CITY, None), (A, township(A[-3:])), (B, township(B[-3:]))):
        for definition in DEFINITIONS:
            detail = drilldown(M, where, definition.id)
            figure = figures[area, definition.id]
            if definition.drill is None:
                assert (detail.kind, list(detail.rows)) == ("none", []), definition.id
                continue
            numerator, denominator = _behind(detail, definition)
            assert numerator == figure.numerator, (area, definition.id)
            if denominator is not None:
                assert denominator == figure.denominator, (area, definition.id)


@pytest.mark.django_db
def test_the_small_registry_gives_every_kind_of_drill_down_something_to_list():
    small_registry()
    figures = compute_figures(M)
    for indicator in BY_ID:
        if BY_ID[indicator].drill is not None:
            assert figures[CITY, indicator].numerator, indicator
