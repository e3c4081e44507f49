"""What waits for someone today, for the homes at /wode/ (lequing_tuoyu/home.py): an
institution's findings overdue or due soon, a health instructor's routine visits still to make,
the spot checks drawn for an inspector, the rectifications waiting for their verification and the
concerns from the public not yet answered. One query each, whatever the amount of data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)

from institutions.models import Institution, InstructorAssignment

from ..models import (
    Concern,
    DrawAssignment,
    Finding,
    Inspection,
    InspectionKind,
)
from .coverage import ROUTINE_KINDS, CoveragePeriods, coverage_institutions, is_done

# A finding whose deadline (inclusive) falls within this many days from today is "due soon".
DUE_SOON_DAYS = 7


def findings_needing_action(
    institution_ids: Iterable[int], *, today: dt.date, soon_days: int = DUE_SOON_DAYS
) -> QuerySet[Finding]:
    """Open findings of these institutions past their deadline (the deadline is inclusive: due
    today is not overdue) or due within `soon_days` days, annotated `is_overdue_now` as the
    findings list does; overdue first, then by deadline."""
    return (
        Finding.objects.filter(
            inspection__institution_id__in=list(institution_ids),
            state__in=Finding.OPEN_STATES,
            deadline__lte=today + dt.timedelta(days=soon_days),
        )
        .select_related("inspection__institution")
        .annotate(
            is_overdue_now=ExpressionWrapper(Q(deadline__lt=today), output_field=BooleanField())
        )
        .order_by(F("is_overdue_now").desc(), "deadline", "pk")
    )


@dataclass
class RoutineVisit:
    """A routine inspection an institution still needs in the period containing today (a page
    adds the link where it is started)."""

    institution: Institution
    kind: str
    due_by: dt.date  # the period's last day, inclusive

    @property
    def kind_label(self) -> str:
        return str(InspectionKind(self.kind).label)


def routine_visits_due(
    instructor, *, today: dt.date, limit: int | None = None
) -> tuple[list[RoutineVisit], int]:
    """The routine visits the institutions assigned to `instructor` (as health instructor at the
    month's end, as the coverage page counts them) still need: this month's patrol, this
    quarter's guidance and this year's annual inspection, earliest deadline first; with `limit`,
    those of the first `limit` institutions in that order. Also how many institutions need any.
    One query: the count is a window over the same rows, taken before the limit."""
    periods = CoveragePeriods(today)
    ends = {kind: periods.bounds(kind)[1] for kind in ROUTINE_KINDS}
    # An institution's earliest deadline: its periods end in this order (month, quarter, year).
    earliest_due = Case(
        When(patrol_done=False, then=Value(ends[InspectionKind.PATROL])),
        When(guidance_done=False, then=Value(ends[InspectionKind.GUIDANCE])),
        default=Value(ends[InspectionKind.ANNUAL]),
        output_field=DateField(),
    )
    # Only institutions ever assigned to the instructor can have them as instructor on the
    # month's end: a cheap filter before the registry's facts are read for each institution.
    assigned = InstructorAssignment.objects.filter(
        instructor_id=instructor.pk, effective_from__lte=periods.counted_at
    ).values("institution_id")
    institutions = (
        coverage_institutions(periods)
        .filter(pk__in=assigned)
        .filter(instructor_id=instructor.pk)
        .filter(Q(patrol_done=False) | Q(guidance_done=False) | Q(annual_done=False))
        .select_related("township")
        .annotate(earliest_due=earliest_due, needing=Window(Count("pk")))
        .order_by("earliest_due", "township__sort_order", "name", "pk")
    )
    if limit is not None:
        institutions = institutions[:limit]
    institutions = list(institutions)
    visits = [
        RoutineVisit(institution, kind, ends[kind])
        for institution in institutions
        for kind in ROUTINE_KINDS
        if not is_done(institution, kind)
    ]
    # Stable: within a deadline, the order above (earliest deadline, township, name).
    visits.sort(key=lambda visit: visit.due_by)
    return visits, (institutions[0].needing if institutions else 0)


def spot_checks_assigned(inspector) -> QuerySet[DrawAssignment]:
    """Spot checks drawn for `inspector` not yet completed (not started, or a draft), oldest draw
    first, with the draw, the institution and the inspection if one was started."""
    return (
        DrawAssignment.objects.filter(inspectors=inspector)
        .filter(Q(inspection__isnull=True) | Q(inspection__state=Inspection.State.DRAFT))
        .select_related("draw", "institution__township", "inspection")
        .order_by("draw__drawn_on", "draw_id", "position")
    )


def rectifications_to_verify(inspector) -> QuerySet[Finding]:
    """Findings whose rectification waits for verification, from inspections `inspector` made,
    the earliest deadline first."""
    return (
        Finding.objects.filter(state=Finding.State.SUBMITTED, inspection__inspectors=inspector)
        .select_related("inspection__institution")
        .order_by("deadline", "pk")
    )


def concerns_waiting() -> QuerySet[Concern]:
    """Concerns from the public not yet answered (received or in hand), the oldest first."""
    return (
        Concern.objects.filter(state__in=[Concern.State.RECEIVED, Concern.State.IN_HAND])
        .select_related("institution")
        .order_by("received_at", "pk")
    )
