"""The registry at D, and its sums per township in one set-based query.

Every registry total is a row of REGISTRY (or of `activity`, the month's inspections and reports
of the same institutions): the institutions it counts, as a Q on the facts of
`institutions_as_of` (COUNTED: kpis.md's counted institutions), and the column it sums (none: it
counts them). The nightly computation and the forecast read the totals through
`registry_totals`; the drill-down lists the institutions of the same rows.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from functools import reduce

from django.conf import settings
from django.db import connection
from django.db.models import Count, DateTimeField, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL

from inspections.selectors import completed_inspections
from institutions import facts_store
from institutions.facts import facts_sql
from institutions.models import Institution, MonthlyReport
from institutions.selectors import COUNTED, KINDERGARTEN, RUNS_CLASS, institutions_as_of
from portal.dates import deadline_as_datetime

from .conditions import fields_of, where_sql
from .month import Month, Totals, township_codes
from .population import population_totals

# kpis.md's counting rule (COUNTED, RUNS_CLASS) is written once, in institutions.selectors: the
# registry totals, the reports of counted institutions and the drill-down read it from here, the
# report completeness, inspection coverage and draw pages through `counted_on`. K7's totals read
# the filed and open institutions without it.
INCLUSIVE_KINDERGARTEN = Q(kind_at=KINDERGARTEN, is_inclusive_kindergarten_at=True)


@dataclass(frozen=True)
class Total:
    """SUM(`field`) over the institutions `where` selects, or their number when `field` is None."""

    name: str
    where: Q
    field: str | None = None

    def rows(self, facts: QuerySet[Institution]) -> QuerySet[Institution]:
        """The institutions this total adds up (for a sum, those with something to add)."""
        rows = facts.filter(self.where)
        return rows.filter(**{f"{self.field}__gt": 0}) if self.field else rows


INCLUSIVE = Q(is_inclusive=True)
INCLUSIVE_PLACES = Total("inclusive_places", COUNTED & INCLUSIVE, "places_total")
REGISTRY = (
    Total("institutions", COUNTED),
    Total("places", COUNTED, "places_total"),
    Total("infant_places", COUNTED, "places_infant"),
    Total("kindergarten_places", COUNTED & Q(kind_at=KINDERGARTEN), "places_total"),
    INCLUSIVE_PLACES,
    Total("care_staff", COUNTED, "care_staff_count"),
    Total("certified_staff", COUNTED, "certified_care_staff_count"),
    Total("inclusive_kindergartens", INCLUSIVE_KINDERGARTEN),
    Total("inclusive_kindergartens_with_class", INCLUSIVE_KINDERGARTEN & RUNS_CLASS),
    Total("with_contract", COUNTED & Q(has_care_contract=True)),
    Total("with_alarm", COUNTED & Q(has_panic_alarm=True)),
)
# K12a-c: the inspection kind each activity total counts, and where its period starts.
INSPECTIONS = {
    "patrolled": ("patrol", lambda month: month.period),
    "guided": ("guidance", lambda month: month.quarter_start),
    "annually_inspected": ("annual", lambda month: month.year_start),
}


def activity(period: dt.date) -> tuple[Total, ...]:
    """The month's inspections (K12a-c) and report submissions (K14) of the counted institutions:
    a report counts once submitted, and on time when first submitted by the month's deadline."""
    return (
        *(Total(name, COUNTED & Q(**{name: True})) for name in INSPECTIONS),
        Total("submitted", COUNTED & Q(first_submitted_at__isnull=False)),
        Total(
            "on_time",
            COUNTED
            & Q(first_submitted_at__isnull=False)
            & Q(first_submitted_at__lte=deadline_as_datetime(period)),
        ),
    )


def totals_by_name(period: dt.date | None = None) -> dict[str, Total]:
    return {total.name: total for total in (*REGISTRY, *(activity(period) if period else ()))}


def registry_facts(day: dt.date, period: dt.date | None = None) -> QuerySet[Institution]:
    """Institutions filed and open at `day` with their facts at `day`; with `period` (whose
    last day is `day`), also the month's activity: patrolled, guided, annually_inspected,
    first_submitted_at."""
    facts = institutions_as_of(day).filter(is_counted=True)
    if period is None:
        return facts
    month = Month(period, {})

    def done(name: str) -> Exists:
        kind, start = INSPECTIONS[name]
        inspected = completed_inspections(kind=kind, start=start(month), end=day)
        return Exists(inspected.filter(institution=OuterRef("pk")))

    # order_by(): one row per (institution, month) anyway, and the model's default ordering
    # joined the institution and township tables into the subquery for every institution.
    report = MonthlyReport.objects.filter(institution=OuterRef("pk"), period=period).order_by()
    return facts.annotate(
        **{name: done(name) for name in INSPECTIONS},
        first_submitted_at=Subquery(
            report.values("first_submitted_at")[:1], output_field=DateTimeField()
        ),
    )


def registry_sums(
    day: dt.date,
    totals: Iterable[Total],
    period: dt.date | None = None,
    among: Q | None = None,
) -> list[dict]:
    """One row per township: `totals` over the registry at `day` (one query). `among` narrows
    the rows read first, for totals that all count within it (a cheap condition: it is repeated
    in the inner query's WHERE).

    On PostgreSQL the registry is read set-based (institutions.facts: one pass per fact
    table); elsewhere through `registry_facts` (`institutions_as_of`'s correlated subqueries).
    tests/metrics/kpis/test_set_based_registry.py holds the two to the same sums."""
    totals = list(totals)
    if set_based():
        inner_sql, inner_params = set_based_facts(day, period)
        if among is not None:
            among_sql, among_params = where_sql(among, "a")
            inner_sql = f"SELECT * FROM ({inner_sql}) AS a WHERE {among_sql}"  # noqa: S608
            inner_params = [*inner_params, *among_params]
    else:
        inner_sql, inner_params = _orm_facts(day, totals, period, among)
    columns, params = [], []
    for total in totals:
        value = f"SUM(f.{total.field})" if total.field else "COUNT(f.id)"
        where, where_params = where_sql(total.where)
        columns.append(f"{value} FILTER (WHERE {where})" if where else value)
        columns[-1] += f" AS {total.name}"
        params += where_params
    # The facts subquery is kept whole (OFFSET 0): aggregating the annotated queryset directly
    # made PostgreSQL evaluate the places subqueries once per aggregate using them (17
    # correlated lookups per institution instead of 4). SQLite wants a LIMIT before an OFFSET.
    keep_whole = "OFFSET 0" if connection.vendor == "postgresql" else "LIMIT -1 OFFSET 0"
    sql = f"""
        SELECT f.township_id_at, {", ".join(columns)}
        FROM ({inner_sql} {keep_whole}) AS f
        GROUP BY f.township_id_at
    """  # noqa: S608 - the inner SQL is Django's, the names are the table's, values are parameters
    return dict_rows(sql, [*params, *inner_params])


def dict_rows(sql: str, params: list) -> list[dict]:
    """The rows of `sql` as dicts by column name."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


# Switched off by the test that compares the set-based registry with the ORM's.
SET_BASED = [True]


# The days whose registry `read_once` has filled in (institutions.facts_store).
_KEPT: set[dt.date] = set()


@contextmanager
def read_once(day: dt.date):
    """Within the block, every set-based read of the registry at `day` (the month's totals,
    reports, findings and tracked indicators) reads the facts kept at `day`
    (institutions.facts_store), once those missing are computed, instead of computing the
    registry again. PostgreSQL, inside a transaction (compute_period's) only."""
    if not set_based() or not connection.in_atomic_block or day in _KEPT:
        yield
        return
    facts_store.fill(day)
    _KEPT.add(day)
    try:
        yield
    finally:
        _KEPT.discard(day)


def registry_sql(day: dt.date, *, filed_and_open_only: bool) -> tuple[str, list]:
    """institutions.facts' registry at `day`, or the rows kept of it within `read_once`."""
    if day in _KEPT:
        return facts_store.kept_sql(day, filed_and_open_only=filed_and_open_only)
    return facts_sql(day, filed_and_open_only=filed_and_open_only)


def set_based() -> bool:
    """Whether the indicators read the set-based registry, and K9 and K13 their one-query SQL
    (PostgreSQL, unless a test compares them with the ORM's readings)."""
    return connection.vendor == "postgresql" and SET_BASED[0]


def by_township_at(
    rows: QuerySet | tuple[str, list],
    day: dt.date,
    columns: str,
    params: list,
    *,
    counted_only: bool,
) -> list[dict]:
    """`columns` (aggregates over `y`: each of `rows` with its institution's facts at `day`)
    per township at `day`. `rows` are values() (or SQL and its parameters) naming their
    institution `institution_ref`; with `counted_only`, only the rows of kpis.md's counted
    institutions at `day`. PostgreSQL."""
    rows_sql, rows_params = rows if isinstance(rows, tuple) else rows.query.sql_with_params()
    facts, facts_params = registry_sql(day, filed_and_open_only=counted_only)
    counted, counted_params = where_sql(COUNTED, "f") if counted_only else ("TRUE", [])
    sql = f"""
        SELECT y.township_id_at, {columns}
        FROM (
            SELECT x.*, f.township_id_at, f.is_inclusive
            FROM ({rows_sql}) AS x JOIN ({facts}) AS f ON f.id = x.institution_ref
            WHERE {counted}
        ) AS y
        GROUP BY y.township_id_at
    """  # noqa: S608 - Django's SQL and ours; values are parameters
    return dict_rows(sql, [*params, *rows_params, *facts_params, *counted_params])


def counted_ids(day: dt.date):
    """The ids of kpis.md's counted institutions at `day`, for `institution__in=`: set-based
    on PostgreSQL (the same facts as `registry_sums`), else through `registry_facts`."""
    if set_based():
        sql, params = registry_sql(day, filed_and_open_only=True)
        where, where_params = where_sql(COUNTED, "c")
        return RawSQL(  # noqa: S611 - our SQL, values are parameters
            f"SELECT c.id FROM ({sql}) AS c WHERE {where}",  # noqa: S608
            [*params, *where_params],
        )
    return registry_facts(day).filter(COUNTED).values("pk")


def _orm_facts(day: dt.date, totals: list[Total], period, among) -> tuple[str, list]:
    fields = {"id", "township_id_at"}
    for total in totals:
        fields |= fields_of(total.where) | ({total.field} if total.field else set())
    facts = registry_facts(day, period)
    facts = (facts if among is None else facts.filter(among)).order_by().values(*sorted(fields))
    sql, params = facts.query.sql_with_params()
    return sql, list(params)


def set_based_facts(day: dt.date, period: dt.date | None = None) -> tuple[str, list]:
    """`registry_facts` as SQL, set-based: the filed and open institutions at `day` with their
    facts (institutions.facts) and, with `period`, the month's activity joined by hash: each
    inspection kind's institutions (K12a-c, the same `completed_inspections`) and the month's
    report's first submission (K14).

    The three kinds' inspections are read in one pass (their union, grouped by institution):
    an inspection of the union is in its kind's set when made on or after that kind's start,
    as every one is completed and made by `day`. Three joins read most of the inspections'
    pages three times."""
    sql, params = registry_sql(day, filed_and_open_only=True)
    if period is None:
        return sql, params
    month = Month(period, {})
    done = reduce(
        operator.or_,
        (
            completed_inspections(kind=kind, start=start(month), end=day)
            for kind, start in INSPECTIONS.values()
        ),
    )
    done_sql, done_params = (
        done.order_by()
        .values("institution_id")
        .annotate(
            **{
                name: Count("pk", filter=Q(kind=kind, inspected_on__gte=start(month)))
                for name, (kind, start) in INSPECTIONS.items()
            }
        )
        .query.sql_with_params()
    )
    flags = ", ".join(f"(coalesce(done.{name}, 0) > 0) AS {name}" for name in INSPECTIONS)
    report = MonthlyReport._meta.db_table
    sql = f"""
        SELECT r.*, {flags}, mr.first_submitted_at
        FROM ({sql}) AS r
        LEFT JOIN ({done_sql}) AS done ON done.institution_id = r.id
        LEFT JOIN {report} AS mr ON mr.institution_id = r.id AND mr.period = %s
    """  # noqa: S608 - Django's SQL and our table names; values are parameters
    return sql, [*params, *done_params, period]


def registry_totals(
    day: dt.date, *, period: dt.date | None = None, townships: dict[int, str] | None = None
) -> Totals:
    """Per area: the registry's totals at `day`, the inclusive places at the pilot baseline (K8)
    and the population base of `day`'s year. The forecast reads the registry on any day; the
    nightly computation passes `period` (`day` is its last day) to read the month's inspections
    and reports in the same query. Three queries, four without `townships`."""
    townships = township_codes() if townships is None else townships
    totals = Totals()
    columns = (*REGISTRY, *(activity(period) if period else ()))
    totals.add_rows(registry_sums(day, columns, period), townships, "township_id_at")
    for row in registry_sums(settings.PILOT_BASELINE_DATE, [INCLUSIVE_PLACES], among=INCLUSIVE):
        totals.add(
            townships[row["township_id_at"]],
            baseline_inclusive_places=row[INCLUSIVE_PLACES.name],
        )
    population_totals(totals, townships, day.year)
    return totals
