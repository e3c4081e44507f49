"""Reads for monthly reports: the review queue and the completeness and timeliness view."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
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
from institutions.reports.window import WindowState, window_state
from institutions.selectors import counted_on
from portal.dates import add_months, deadline_as_datetime, due_on, month_end, month_start, opens_on
from portal.roles import Role, can_write, has_role, is_bureau, scope

from .models import CLASS_FIELDS, MonthlyReport, ReportWindowException


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


def reports_with_exception(
    queryset: QuerySet[MonthlyReport] | None = None,
) -> QuerySet[MonthlyReport]:
    """Reports with their institution and township joined and `exception_until`, the last day of
    the institution's window exception for the month (None without one), so that a list can say
    why each report cannot be edited (`services.edit_block_reason_with_exception`) in one query."""
    queryset = MonthlyReport.objects.all() if queryset is None else queryset
    exception = ReportWindowException.objects.filter(
        institution=OuterRef("institution"), period=OuterRef("period")
    )
    return queryset.select_related("institution", "institution__township").annotate(
        exception_until=Subquery(exception.values("open_until")[:1])
    )


def reportable_institutions(actor) -> QuerySet[Institution]:
    """The institutions `actor` may file monthly reports for: every one for bureau staff, their
    own for operators, none for anyone else (auditors and education staff only read)."""
    if actor is None or not can_write(actor):
        return Institution.objects.none()
    if is_bureau(actor):
        return Institution.objects.all()
    if has_role(actor, Role.OPERATOR):
        return scope(actor, Institution)
    return Institution.objects.none()


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


# --- The operator's month list (added with the report pages) -----------------------------------


def report_periods(*, today: dt.date | None = None) -> list[dt.date]:
    """Every month from the pilot's start whose reporting window has opened by `today`, newest
    first."""
    today = today or timezone.localdate()
    period = month_start(settings.PILOT_START_DATE)
    periods = []
    while opens_on(period) <= today:
        periods.append(period)
        period = add_months(period, 1)
    return periods[::-1]


@dataclass
class ReportMonth:
    """One institution's month on the operator's list: its report (or none) and its window."""

    institution: Institution
    period: dt.date
    report: MonthlyReport | None
    exception_until: dt.date | None
    today: dt.date

    @property
    def due_on(self) -> dt.date:
        return due_on(self.period)

    @property
    def is_submitted(self) -> bool:
        return bool(self.report and self.report.first_submitted_at)

    @property
    def is_on_time(self) -> bool:
        return self.is_submitted and self.report.first_submitted_at <= deadline_as_datetime(
            self.period
        )

    @property
    def days_late(self) -> int:
        """Days past the due day: of the first submission, or until today while missing."""
        if self.is_submitted:
            submitted_on = timezone.localtime(self.report.first_submitted_at).date()
            return max(0, (submitted_on - self.due_on).days)
        return days_late(self.period, today=self.today)

    @property
    def window(self) -> WindowState:
        return window_state(self.period, today=self.today, exception_until=self.exception_until)


def report_months(
    institutions: list[Institution], *, today: dt.date | None = None
) -> dict[int, list[ReportMonth]]:
    """Per institution (by pk): the months it has to report since the pilot started, newest
    first, with its report and window exception for each. Two queries for any number of
    institutions. Months before the institution was filed, or from its closing on, are left out
    (the rules refuse a report for them)."""
    today = today or timezone.localdate()
    periods = report_periods(today=today)
    ids = [institution.pk for institution in institutions]
    if not periods or not ids:
        return {pk: [] for pk in ids}
    reports = {
        (report.institution_id, report.period): report
        for report in MonthlyReport.objects.filter(
            institution_id__in=ids, period__gte=periods[-1], period__lte=periods[0]
        ).only("pk", "institution_id", "period", "state", "first_submitted_at", "submitted_at")
    }
    exceptions = {
        (institution_id, period): open_until
        for institution_id, period, open_until in ReportWindowException.objects.filter(
            institution_id__in=ids, period__gte=periods[-1]
        ).values_list("institution_id", "period", "open_until")
    }
    result = {}
    for institution in institutions:
        months = []
        for period in periods:
            if institution.filed_on is None or institution.filed_on > month_end(period):
                continue
            if institution.closed_on is not None and institution.closed_on <= period:
                continue
            key = (institution.pk, period)
            months.append(
                ReportMonth(institution, period, reports.get(key), exceptions.get(key), today)
            )
        result[institution.pk] = months
    return result


def with_latest_accepted_report(queryset: QuerySet) -> QuerySet:
    """Institutions annotated with their latest accepted monthly report's month
    (`report_period`) and its children enrolled by class (`report_enrolled_<class>`): what the
    public page counts free places from. One subquery per figure, in the same query."""
    latest = MonthlyReport.objects.filter(
        institution=OuterRef("pk"), state=MonthlyReport.State.ACCEPTED
    ).order_by("-period")
    figures = {
        f"report_enrolled_{class_type}": Subquery(latest.values(field)[:1])
        for class_type, field in CLASS_FIELDS.items()
    }
    return queryset.annotate(report_period=Subquery(latest.values("period")[:1]), **figures)


# --- An operator's home (/wode/) ----------------------------------------------------------------


def period_due(today: dt.date) -> dt.date:
    """The month whose report is filed in `today`'s month: the previous one (due on
    `portal.dates.due_on`)."""
    return add_months(month_start(today), -1)


def reports_due(institutions: list[Institution], *, today: dt.date) -> list[ReportMonth]:
    """This month's report to file for each institution: the previous month's, with its report
    (or none yet) and window exception. Institutions that do not report that month (filed
    later, closed, or before the pilot) are left out. Two queries for any number."""
    period = period_due(today)
    if period < month_start(settings.PILOT_START_DATE):
        return []
    institutions = [
        institution
        for institution in institutions
        if institution.filed_on is not None
        and institution.filed_on <= month_end(period)
        and (institution.closed_on is None or institution.closed_on > period)
    ]
    ids = [institution.pk for institution in institutions]
    if not ids:
        return []
    reports = {
        report.institution_id: report
        for report in MonthlyReport.objects.filter(institution_id__in=ids, period=period)
    }
    exceptions = dict(
        ReportWindowException.objects.filter(institution_id__in=ids, period=period).values_list(
            "institution_id", "open_until"
        )
    )
    return [
        ReportMonth(
            institution, period, reports.get(institution.pk), exceptions.get(institution.pk), today
        )
        for institution in institutions
    ]


def returned_reports(institution_ids) -> QuerySet[MonthlyReport]:
    """Reports the bureau returned or reopened to these institutions and still waiting for the
    correction, the oldest month first, with the bureau's reason (`return_reason`)."""
    return (
        MonthlyReport.objects.filter(
            institution_id__in=list(institution_ids), state=MonthlyReport.State.RETURNED
        )
        .select_related("institution")
        .order_by("period", "institution__name", "pk")
    )
