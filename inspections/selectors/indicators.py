"""Periods, and the reads the indicators K12a-K12d take: completed inspections of a kind in a
period, findings due in a period and whether they were closed by their deadline."""

from __future__ import annotations

import calendar
import datetime as dt

from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
)

from portal.dates import add_months

from ..models import (
    Finding,
    Inspection,
)

GRANULARITIES = ("month", "quarter", "year")


def period_bounds(granularity: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The month, quarter or year containing `day`: (first day, last day), both included."""
    if granularity == "month":
        start = day.replace(day=1)
        months = 1
    elif granularity == "quarter":
        start = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
        months = 3
    elif granularity == "year":
        start = day.replace(month=1, day=1)
        months = 12
    else:
        raise ValueError(granularity)
    last_month = add_months(start, months - 1)
    end = last_month.replace(day=calendar.monthrange(last_month.year, last_month.month)[1])
    return start, end


def completed_inspections(*, kind: str, start: dt.date, end: dt.date) -> QuerySet[Inspection]:
    """Completed inspections of `kind` made from `start` to `end`, both included.

    K12a: `Institution.objects.filter(counted_on(D), Exists(completed_inspections(kind="patrol",
    start=M's first day, end=D).filter(institution=OuterRef("pk"))))`.
    """
    return Inspection.objects.filter(
        kind=kind, state=Inspection.State.COMPLETED, inspected_on__gte=start, inspected_on__lte=end
    )


def findings_due(*, start: dt.date, end: dt.date) -> QuerySet[Finding]:
    """Findings whose deadline falls from `start` to `end` (both included), annotated
    `closed_on_time`: closed (verified) on or before the deadline. K12d for month M is
    the `closed_on_time` count / the count, with M's first and last day."""
    return Finding.objects.filter(deadline__gte=start, deadline__lte=end).annotate(
        closed_on_time=ExpressionWrapper(
            Q(state=Finding.State.CLOSED, closed_on__lte=F("deadline")),
            output_field=BooleanField(),
        )
    )
