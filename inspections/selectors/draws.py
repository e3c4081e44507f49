"""The draw's pool with its risk flags, conflicts of interest, and published draws."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import (
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.utils.translation import gettext as _

from institutions.models import Institution, MonthlyReport
from institutions.selectors import counted_on
from portal.dates import add_months, deadline_as_datetime
from portal.roles import Role

from ..models import (
    ConflictOfInterest,
    DrawAssignment,
    Finding,
    Inspection,
    RandomDraw,
)
from .coverage import (
    instructor_on,
)

# Risk weighting (an option of the draw): each flag adds its weight to the base weight of 1.
RISK_WEIGHTS = {
    "overdue_rectification": 2,  # an open finding past its deadline on the draw day
    "late_or_warned_report": 1,  # a monthly report in the last 12 months late or with warnings
    "past_failure": 2,  # an inspection ended "fail" before the draw day
}
RISK_LOOKBACK_MONTHS = 12


def draw_candidates(
    *,
    on: dt.date,
    township_ids: Iterable[int] = (),
    kinds: Iterable[str] = (),
    risky_only: bool = False,
) -> QuerySet[Institution]:
    """Institutions counted on `on` (filtered by township and kind), annotated with the risk
    flags and `risk_weight`. One query."""
    first_month = add_months(on.replace(day=1), -RISK_LOOKBACK_MONTHS)
    late = Q(pk__in=[])
    month = first_month
    while month < on.replace(day=1):
        late |= Q(period=month, first_submitted_at__gt=deadline_as_datetime(month))
        month = add_months(month, 1)
    reports = MonthlyReport.objects.filter(
        institution=OuterRef("pk"), period__gte=first_month, period__lt=on.replace(day=1)
    ).filter(late | ~Q(warnings=[]))
    queryset = (
        Institution.objects.filter(counted_on(on))
        .select_related("township")
        .annotate(
            overdue_rectification=Exists(
                Finding.objects.filter(
                    inspection__institution=OuterRef("pk"),
                    deadline__lt=on,
                    found_on__lte=on,
                ).filter(Q(closed_on__isnull=True) | Q(closed_on__gt=on))
            ),
            late_or_warned_report=Exists(reports),
            past_failure=Exists(
                Inspection.objects.filter(
                    institution=OuterRef("pk"),
                    state=Inspection.State.COMPLETED,
                    outcome=Inspection.Outcome.FAIL,
                    inspected_on__lt=on,
                )
            ),
        )
        .order_by("pk")
    )
    township_ids = [int(pk) for pk in township_ids]
    kinds = list(kinds)
    if township_ids:
        queryset = queryset.filter(township_id__in=township_ids)
    if kinds:
        queryset = queryset.filter(kind__in=kinds)
    if risky_only:
        queryset = queryset.filter(
            Q(overdue_rectification=True) | Q(late_or_warned_report=True) | Q(past_failure=True)
        )
    return queryset


def risk_weight(institution: Institution) -> int:
    return 1 + sum(weight for flag, weight in RISK_WEIGHTS.items() if getattr(institution, flag))


def conflicted_pairs(
    *, on: dt.date, institution_ids: Iterable[int], inspector_ids: Iterable[int]
) -> set[tuple[int, int]]:
    """(institution, inspector) pairs that must not meet on `on`: the institution's assigned
    health instructor that day, and recorded conflicts of interest valid that day. Two queries."""
    institution_ids = list(institution_ids)
    inspector_ids = set(inspector_ids)
    pairs: set[tuple[int, int]] = set()
    assigned = (
        Institution.objects.filter(pk__in=institution_ids)
        .annotate(instructor_id=instructor_on(on))
        .values_list("pk", "instructor_id")
    )
    for institution_id, instructor_id in assigned:
        if instructor_id in inspector_ids:
            pairs.add((institution_id, instructor_id))
    recorded = (
        ConflictOfInterest.objects.filter(
            institution_id__in=institution_ids, inspector_id__in=inspector_ids, valid_from__lte=on
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .values_list("institution_id", "inspector_id")
    )
    pairs.update(recorded)
    return pairs


def inspector_pool_candidates() -> QuerySet:
    """Active users in the inspector group: who can be drawn."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.INSPECTOR.group_name)
        .distinct()
        .order_by("pk")
    )


def draws_with_assignments() -> QuerySet[RandomDraw]:
    """Draws with their drawn institutions, inspectors and started inspections (four queries
    for one draw's page)."""
    return RandomDraw.objects.select_related("created_by", "published_by").prefetch_related(
        Prefetch(
            "assignments",
            queryset=DrawAssignment.objects.select_related(
                "institution__township", "inspection"
            ).prefetch_related("inspectors"),
        )
    )


def inspector_code(position: int) -> str:
    """The public name of the inspector at `position` (0-based) of a draw's sorted pool."""
    return _("检查员%(n)02d") % {"n": position + 1}


@dataclass
class PublicDrawnInstitution:
    position: int
    institution_id: int
    name: str
    township: str
    inspector_codes: list[str]
    inspected_on: dt.date | None
    outcome_label: str


@dataclass
class PublicDraw:
    id: int
    title: str
    drawn_on: dt.date
    seed: int
    algorithm: str
    risk_weighted: bool
    sample_size: int
    inspectors_per_institution: int
    published_at: dt.datetime
    pool: list[dict]  # {"id", "name", "township", "weight"}
    inspector_codes: list[str]
    conflicts: list[tuple[int, str, str]]  # (institution id, institution name, inspector code)
    drawn: list[PublicDrawnInstitution]

    def as_json(self) -> dict:
        """What anyone needs to re-run the draw (inspections/draw.py), with no personal data.

        Inspectors appear as their number in the draw (1 for 检查员01, ...): numbering keeps the
        order of the recorded pool, so re-running with the numbers gives the same result."""
        numbers = {code: index + 1 for index, code in enumerate(self.inspector_codes)}
        return {
            "id": self.id,
            "title": self.title,
            "drawn_on": self.drawn_on.isoformat(),
            "algorithm": self.algorithm,
            "seed": self.seed,
            "sample_size": self.sample_size,
            "inspectors_per_institution": self.inspectors_per_institution,
            "risk_weighted": self.risk_weighted,
            "institution_pool": [
                {"id": row["id"], "name": row["name"], "weight": row["weight"]} for row in self.pool
            ],
            "inspector_pool": list(numbers.values()),
            "conflicts": [
                {"institution_id": institution_id, "inspector": numbers.get(code)}
                for institution_id, _name, code in self.conflicts
            ],
            "result": [
                {
                    "position": row.position,
                    "institution_id": row.institution_id,
                    "institution": row.name,
                    "inspectors": [numbers.get(code) for code in row.inspector_codes],
                }
                for row in self.drawn
            ],
        }


def published_draws(
    *, draw_ids: Iterable[int] | None = None, limit: int | None = 20
) -> list[PublicDraw]:
    """Published draws, newest first, as the public sees them: institutions by name, inspectors
    only by their code in the draw. Four queries whatever the pool sizes."""
    draws = RandomDraw.objects.filter(published_at__isnull=False).order_by("-drawn_on", "-pk")
    if draw_ids is not None:
        draws = draws.filter(pk__in=list(draw_ids))
    draws = draws.only(
        "pk",
        "title",
        "drawn_on",
        "seed",
        "algorithm",
        "risk_weighted",
        "sample_size",
        "inspectors_per_institution",
        "published_at",
        "institution_pool",
        "inspector_pool",
        "conflicts",
    )
    draws = list(draws[:limit] if limit else draws)
    if not draws:
        return []
    pool_ids = {int(pk) for draw in draws for pk, _weight in draw.institution_pool}
    names = {
        row["pk"]: row
        for row in Institution.objects.filter(pk__in=pool_ids).values(
            "pk", "name", "township__name"
        )
    }
    assignments = _assignments_by_draw(draws)
    return [_public_draw(draw, names, assignments[draw.pk]) for draw in draws]


def _assignments_by_draw(draws: list[RandomDraw]) -> dict[int, list[DrawAssignment]]:
    """The draws' assignments with their inspections and inspectors, by draw (two queries)."""
    assignments = defaultdict(list)
    for row in (
        DrawAssignment.objects.filter(draw__in=draws)
        .select_related("inspection")
        .prefetch_related("inspectors")
        .only(
            "pk",
            "draw_id",
            "position",
            "institution_id",
            "inspection__inspected_on",
            "inspection__state",
            "inspection__outcome",
        )
        .order_by("position")
    ):
        assignments[row.draw_id].append(row)
    return assignments


def _public_draw(
    draw: RandomDraw, names: dict[int, dict], assignments: list[DrawAssignment]
) -> PublicDraw:
    codes = {int(pk): inspector_code(index) for index, pk in enumerate(draw.inspector_pool)}
    return PublicDraw(
        id=draw.pk,
        title=draw.title,
        drawn_on=draw.drawn_on,
        seed=draw.seed,
        algorithm=draw.algorithm,
        risk_weighted=draw.risk_weighted,
        sample_size=draw.sample_size,
        inspectors_per_institution=draw.inspectors_per_institution,
        published_at=draw.published_at,
        pool=[
            {
                "id": int(pk),
                "name": names.get(int(pk), {}).get("name", ""),
                "township": names.get(int(pk), {}).get("township__name", ""),
                "weight": int(weight),
            }
            for pk, weight in draw.institution_pool
        ],
        inspector_codes=list(codes.values()),
        conflicts=[
            (int(a), names.get(int(a), {}).get("name", ""), codes.get(int(b), "?"))
            for a, b in draw.conflicts
        ],
        drawn=[_public_drawn(assignment, names, codes) for assignment in assignments],
    )


def _public_drawn(
    assignment: DrawAssignment, names: dict[int, dict], codes: dict[int, str]
) -> PublicDrawnInstitution:
    inspection = getattr(assignment, "inspection", None)
    done = inspection is not None and inspection.state == Inspection.State.COMPLETED
    info = names.get(assignment.institution_id, {})
    return PublicDrawnInstitution(
        position=assignment.position,
        institution_id=assignment.institution_id,
        name=info.get("name", ""),
        township=info.get("township__name", ""),
        inspector_codes=sorted(codes.get(u.pk, "?") for u in assignment.inspectors.all()),
        inspected_on=inspection.inspected_on if done else None,
        outcome_label=str(inspection.get_outcome_display()) if done else _("待检查"),
    )
