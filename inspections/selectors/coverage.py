"""Coverage: which counted institutions still need their patrol, guidance and annual inspection,
by township and by health instructor, in a bounded number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)

from institutions.models import Institution, InstructorAssignment, Township
from institutions.selectors import counted_on

from ..models import (
    ROUTINE_PERIODS,
    InspectionKind,
)
from .indicators import (
    completed_inspections,
    period_bounds,
)


def instructor_on(as_of: dt.date) -> Subquery:
    """The health instructor assigned to the institution (OuterRef pk) on `as_of`."""
    return Subquery(
        InstructorAssignment.objects.filter(institution=OuterRef("pk"), effective_from__lte=as_of)
        .order_by("-effective_from")
        .values("instructor")[:1]
    )


def _done(kind: str, start: dt.date, end: dt.date) -> Exists:
    return Exists(
        completed_inspections(kind=kind, start=start, end=end).filter(institution=OuterRef("pk"))
    )


@dataclass(frozen=True)
class CoveragePeriods:
    """The routine periods containing one day: its month (patrol), quarter (guidance) and year
    (annual). Counted institutions are those counted at the end of the month."""

    day: dt.date

    def bounds(self, kind: str) -> tuple[dt.date, dt.date]:
        return period_bounds(ROUTINE_PERIODS[kind], self.day)

    @property
    def counted_at(self) -> dt.date:
        return period_bounds("month", self.day)[1]


ROUTINE_KINDS = tuple(ROUTINE_PERIODS)
_FLAG = {
    InspectionKind.PATROL: "patrol_done",
    InspectionKind.GUIDANCE: "guidance_done",
    InspectionKind.ANNUAL: "annual_done",
}


def is_done(institution: Institution, kind: str) -> bool:
    """Whether an institution from `coverage_institutions` had its `kind` inspection in the
    period."""
    return bool(getattr(institution, _FLAG[kind]))


def coverage_institutions(
    periods: CoveragePeriods, *, queryset: QuerySet[Institution] | None = None
) -> QuerySet[Institution]:
    """Counted institutions, each annotated `patrol_done`, `guidance_done`, `annual_done` (a
    completed inspection of that kind in its period) and `instructor_id` (on the month's end)."""
    queryset = Institution.objects.all() if queryset is None else queryset
    flags = {}
    for kind in ROUTINE_KINDS:
        start, end = periods.bounds(kind)
        flags[_FLAG[kind]] = _done(kind, start, end)
    return queryset.filter(counted_on(periods.counted_at)).annotate(
        instructor_id=instructor_on(periods.counted_at), **flags
    )


def still_needed(
    periods: CoveragePeriods,
    *,
    kind: str | None = None,
    township_id: int | None = None,
    instructor_id: int | None = None,
) -> QuerySet[Institution]:
    """Counted institutions still needing an inspection (of `kind`, or of any routine kind)."""
    queryset = coverage_institutions(periods).select_related("township")
    if kind:
        queryset = queryset.filter(**{_FLAG[kind]: False})
    else:
        queryset = queryset.filter(
            Q(patrol_done=False) | Q(guidance_done=False) | Q(annual_done=False)
        )
    if township_id:
        queryset = queryset.filter(township_id=township_id)
    if instructor_id:
        queryset = queryset.filter(instructor_id=instructor_id)
    return queryset.order_by("township__sort_order", "name", "pk")


@dataclass
class CoverageRow:
    key: object  # a Township, a user, or None (no instructor)
    counted: int = 0
    done: dict[str, int] = field(default_factory=dict)

    def missing(self, kind: str) -> int:
        return self.counted - self.done.get(kind, 0)

    def share(self, kind: str) -> float | None:
        return self.done.get(kind, 0) / self.counted if self.counted else None

    @property
    def cells(self) -> list[tuple[str, str, int, int, float | None]]:
        """(kind, label, done, missing, share) per routine kind, for templates."""
        return [
            (k, InspectionKind(k).label, self.done.get(k, 0), self.missing(k), self.share(k))
            for k in ROUTINE_KINDS
        ]


def _grouped(periods: CoveragePeriods, by: str) -> dict:
    counts = {"counted": Count("pk")}
    for kind in ROUTINE_KINDS:
        counts[kind] = Count("pk", filter=Q(**{_FLAG[kind]: True}))
    return {
        row[by]: row
        for row in coverage_institutions(periods).order_by().values(by).annotate(**counts)
    }


def _row(key, data: dict | None) -> CoverageRow:
    data = data or {}
    return CoverageRow(
        key=key,
        counted=data.get("counted", 0),
        done={kind: data.get(kind, 0) for kind in ROUTINE_KINDS},
    )


def coverage_by_township(periods: CoveragePeriods) -> list[CoverageRow]:
    """One row per township (all 25, in order). Two queries."""
    rows = _grouped(periods, "township")
    return [_row(township, rows.get(township.pk)) for township in Township.objects.all()]


def coverage_by_instructor(periods: CoveragePeriods) -> list[CoverageRow]:
    """One row per health instructor with counted institutions, and one (key None) for the
    institutions without one. Two queries."""
    rows = _grouped(periods, "instructor_id")
    users = get_user_model().objects.in_bulk([pk for pk in rows if pk is not None])
    result = [_row(users[pk], data) for pk, data in rows.items() if pk in users]
    result.sort(key=lambda row: row.key.get_full_name() or row.key.get_username())
    if None in rows:
        result.append(_row(None, rows[None]))
    return result


def coverage_total(rows: list[CoverageRow]) -> CoverageRow:
    total = CoverageRow(key=None, done=dict.fromkeys(ROUTINE_KINDS, 0))
    for row in rows:
        total.counted += row.counted
        for kind in ROUTINE_KINDS:
            total.done[kind] += row.done.get(kind, 0)
    return total
