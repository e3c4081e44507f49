"""The tracked indicators of issue 19 (K18-K22): the health instructors' network, training and the
public-health screenings, each summed per township in SQL (docs/indicators.md, "tracked
indicators of issue 19").

K18-K21 read the counted institutions at D (the registry's `COUNTED` rule) with, per
institution: whether an instructor is assigned at D, its guidance visits in the quarter to D,
and its care staff at D (K5's definition: a care role at D, employed at D) and how many of
them attended a course ending in the year to D (any kind; 医育跟诊 only). One query for all
four; K22 (a count of screenings) one more.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from institutions.health.models import GuidanceVisit, ScreeningMonth
from institutions.models import Institution, InstructorAssignment, StaffMember
from institutions.selectors import COUNTED, employed_on, role_on
from institutions.training.models import TrainingAttendance, TrainingCourse

from . import registry
from .conditions import where_sql
from .month import Month, Totals
from .registry import registry_facts

SHADOWING = TrainingCourse.Kind.SHADOWING


def instructor_on(day: dt.date) -> Subquery:
    """The instructor of the institution's latest assignment effective on or before D (null: a
    record without one ended the assignment, or no record: none assigned)."""
    return Subquery(
        InstructorAssignment.objects.filter(institution=OuterRef("pk"), effective_from__lte=day)
        .order_by("-effective_from")
        .values("instructor")[:1]
    )


def _per_institution(queryset: QuerySet) -> Coalesce:
    """The number of rows of `queryset` (filtered on OuterRef("pk")), 0 for none."""
    return Coalesce(
        Subquery(
            queryset.order_by().values("institution").annotate(n=Count("pk")).values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def trained(start: dt.date, day: dt.date, **course) -> Exists:
    """The staff member (OuterRef "pk") attended a course (of `course`'s lookups) whose last
    day falls in [start, day]."""
    return Exists(
        TrainingAttendance.objects.filter(
            staff=OuterRef("pk"),
            course__ends_on__gte=start,
            course__ends_on__lte=day,
            **{f"course__{name}": value for name, value in course.items()},
        )
    )


def tracked_institutions(month: Month) -> QuerySet[Institution]:
    """The counted institutions at D annotated `township_id_at`, `instructor_at` (K18: not null),
    `quarter_visits` (K19), `care_staff_at` (K20 and K21's denominator: K5's care staff),
    `trained_staff` (K20) and `shadowed_staff` (K21)."""
    day, year_start = month.day, month.year_start
    care_staff = (
        StaffMember.objects.filter(employed_on(day), institution=OuterRef("pk"))
        .annotate(role_at=role_on(day))
        .filter(role_at__in=StaffMember.CARE_ROLES)
    )
    visits = GuidanceVisit.objects.filter(
        institution=OuterRef("pk"), visited_on__gte=month.quarter_start, visited_on__lte=day
    )
    return (
        registry_facts(day)
        .filter(COUNTED)
        .annotate(
            instructor_at=instructor_on(day),
            quarter_visits=_per_institution(visits),
            care_staff_at=_per_institution(care_staff),
            trained_staff=_per_institution(care_staff.filter(trained(year_start, day))),
            shadowed_staff=_per_institution(
                care_staff.filter(trained(year_start, day, kind=SHADOWING))
            ),
        )
    )


def tracked_totals(totals: Totals, month: Month) -> None:
    """K18-K21 per township (by the institution's township at D); one query. On PostgreSQL
    set-based (the registry of institutions.facts and each quarter's visits grouped once),
    else through `tracked_institutions`; tests/metrics/kpis/test_tracked_19.py runs both."""
    if registry.set_based():
        totals.add_rows(_set_based_rows(month), month.townships, "township_id_at")
        return
    rows = (
        tracked_institutions(month)
        .order_by()
        .values("township_id_at")
        .annotate(
            instructed=Count("pk", filter=Q(instructor_at__isnull=False)),
            guidance_visits=Sum("quarter_visits"),
            care_staff_at=Sum("care_staff_at"),
            trained_staff=Sum("trained_staff"),
            shadowed_staff=Sum("shadowed_staff"),
        )
    )
    totals.add_rows(rows, month.townships, "township_id_at")


def _set_based_rows(month: Month) -> list[dict]:
    facts, params = registry.registry_sql(month.day, filed_and_open_only=True)
    counted, counted_params = where_sql(COUNTED)
    visits = GuidanceVisit._meta.db_table
    sql = f"""
        SELECT f.township_id_at,
            count(*) FILTER (WHERE f.instructor_user_id IS NOT NULL) AS instructed,
            sum(coalesce(v.n, 0)) AS guidance_visits,
            sum(f.care_staff_count) AS care_staff_at,
            sum(f.trained_care_staff_count) AS trained_staff,
            sum(f.shadowing_care_staff_count) AS shadowed_staff
        FROM ({facts}) AS f
        LEFT JOIN (
            SELECT institution_id, count(*) AS n FROM {visits}
            WHERE visited_on >= %s AND visited_on <= %s GROUP BY institution_id
        ) AS v ON v.institution_id = f.id
        WHERE {counted}
        GROUP BY f.township_id_at
    """  # noqa: S608 - our SQL and table names; values are parameters
    return registry.dict_rows(sql, [*params, month.quarter_start, month.day, *counted_params])


def screening_months(month: Month) -> QuerySet[ScreeningMonth]:
    """The facilities' screening figures for the months from January of Y to M."""
    return ScreeningMonth.objects.filter(period__gte=month.year_start, period__lte=month.period)


def screening_totals(totals: Totals, month: Month) -> None:
    """K22: early development screenings, by the facility's township; one query."""
    rows = (
        screening_months(month)
        .order_by()
        .values("facility__township_id")
        .annotate(screenings=Sum("development_screenings"))
    )
    totals.add_rows(rows, month.townships, "facility__township_id")


TRACKED_SOURCES = (tracked_totals, screening_totals)
