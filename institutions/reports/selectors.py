"""Reads for monthly reports: the review queue and the completeness and timeliness view."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Count,
    DateTimeField,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from institutions.models import Institution, Township
from institutions.selectors import counted_on

from .models import MonthlyReport
from .window import deadline_as_datetime, due_on, month_end


def review_queue(
    *,
    period: dt.date | None = None,
    states: list[str] | None = None,
    township_id: int | None = None,
    with_warnings: bool | None = None,
) -> QuerySet[MonthlyReport]:
    """Reports for the bureau to review, oldest submission first."""
    queryset = MonthlyReport.objects.select_related("institution", "institution__township")
    if period:
        queryset = queryset.filter(period=period)
    queryset = queryset.filter(state__in=states or [MonthlyReport.State.SUBMITTED])
    if township_id:
        queryset = queryset.filter(institution__township_id=township_id)
    if with_warnings is True:
        queryset = queryset.exclude(warnings=[])
    elif with_warnings is False:
        queryset = queryset.filter(warnings=[])
    return queryset.order_by("submitted_at", "pk")


def counted_with_reports(period: dt.date) -> QuerySet[Institution]:
    """Institutions counted at the month's end, with their report's state and first submission."""
    report = MonthlyReport.objects.filter(institution=OuterRef("pk"), period=period)
    deadline = deadline_as_datetime(period)
    return (
        Institution.objects.filter(counted_on(month_end(period)))
        .annotate(
            report_state=Subquery(report.values("state")[:1]),
            first_submitted_at=Subquery(
                report.values("first_submitted_at")[:1], output_field=DateTimeField()
            ),
        )
        .annotate(
            is_submitted=ExpressionWrapper(
                Q(first_submitted_at__isnull=False), output_field=BooleanField()
            ),
            is_on_time=ExpressionWrapper(
                Q(first_submitted_at__isnull=False) & Q(first_submitted_at__lte=deadline),
                output_field=BooleanField(),
            ),
        )
    )


@dataclass
class TownshipCompleteness:
    township: Township
    counted: int
    submitted: int
    on_time: int

    @property
    def completeness(self) -> float | None:
        return self.submitted / self.counted if self.counted else None

    @property
    def timeliness(self) -> float | None:
        return self.on_time / self.counted if self.counted else None


def completeness_by_township(period: dt.date) -> list[TownshipCompleteness]:
    """Per township: counted institutions, those that submitted at least once, those on time.

    Two queries whatever the number of institutions.
    """
    rows = {
        row["township"]: row
        for row in counted_with_reports(period)
        .order_by()
        .values("township")
        .annotate(
            counted=Count("pk"),
            submitted=Count("pk", filter=Q(is_submitted=True)),
            on_time=Count("pk", filter=Q(is_on_time=True)),
        )
    }
    result = []
    for township in Township.objects.all():
        row = rows.get(township.pk, {"counted": 0, "submitted": 0, "on_time": 0})
        result.append(
            TownshipCompleteness(township, row["counted"], row["submitted"], row["on_time"])
        )
    return result


def missing_reports(period: dt.date, *, township_id: int | None = None) -> QuerySet[Institution]:
    """Counted institutions that have not submitted the month's report, most overdue first."""
    queryset = counted_with_reports(period).filter(is_submitted=False).select_related("township")
    if township_id:
        queryset = queryset.filter(township_id=township_id)
    return queryset.order_by("township__sort_order", "name")


def days_late(period: dt.date, *, today: dt.date | None = None) -> int:
    """Days past the due day for a report still missing today (0 when not yet due)."""
    today = today or timezone.localdate()
    return max(0, (today - due_on(period)).days)
