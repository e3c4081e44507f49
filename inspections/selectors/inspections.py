"""Inspection and finding lists, the score rule and the form's grouping by area."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
)
from django.utils import timezone

from portal.roles import scope

from ..models import (
    PASS_MIN_SCORE,
    Area,
    Finding,
    Inspection,
    InspectionResult,
)


def inspection_list(user, *, today: dt.date | None = None) -> QuerySet[Inspection]:
    """Inspections `user` may see, with institution and township, and the number of findings and
    of open findings (one query per page)."""
    return (
        scope(user, Inspection)
        .select_related("institution__township")
        .annotate(
            findings_count=Count("findings", distinct=True),
            open_findings_count=Count(
                "findings", filter=Q(findings__state__in=Finding.OPEN_STATES), distinct=True
            ),
        )
        .order_by("-inspected_on", "-pk")
    )


@dataclass(frozen=True)
class Score:
    score: Decimal | None
    answered: int
    total: int
    failed: int

    @property
    def complete(self) -> bool:
        return self.answered == self.total


def score_of(results: Iterable) -> Score:
    """Score = 100 x weight of passed items / weight of passed and failed items; items not
    applicable do not count. None when nothing was passed or failed yet. Two decimals."""
    passed = failed_weight = answered = total = failed = 0
    for row in results:
        result = row["result"] if isinstance(row, dict) else row.result
        weight = row["weight"] if isinstance(row, dict) else row.weight
        total += 1
        if result:
            answered += 1
        if result == InspectionResult.Result.PASS:
            passed += weight
        elif result == InspectionResult.Result.FAIL:
            failed_weight += weight
            failed += 1
    counted = passed + failed_weight
    score = None
    if counted:
        score = (Decimal(100) * passed / counted).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return Score(score=score, answered=answered, total=total, failed=failed)


def outcome_for(score: Score) -> str:
    if not score.failed:
        return Inspection.Outcome.PASS
    if score.score is not None and score.score >= PASS_MIN_SCORE:
        return Inspection.Outcome.PASS_WITH_RECTIFICATION
    return Inspection.Outcome.FAIL


@dataclass
class AreaGroup:
    area: str
    label: str
    results: list


def results_by_area(inspection: Inspection) -> list[AreaGroup]:
    """The inspection's results grouped by checklist area in the form's order, each with its
    photos (two queries)."""
    results = list(inspection.results.prefetch_related("photos").order_by("order", "pk"))
    grouped: dict[str, list] = defaultdict(list)
    for result in results:
        grouped[result.area].append(result)
    return [
        AreaGroup(area=value, label=str(label), results=grouped[value])
        for value, label in Area.choices
        if grouped.get(value)
    ]


def finding_list(user, *, today: dt.date | None = None) -> QuerySet[Finding]:
    """Findings `user` may see, annotated `is_overdue` (open and past the deadline on `today`)."""
    today = today or timezone.localdate()
    return (
        scope(user, Finding)
        .select_related("inspection__institution__township")
        .annotate(
            is_overdue_now=ExpressionWrapper(
                Q(state__in=Finding.OPEN_STATES, deadline__lt=today), output_field=BooleanField()
            )
        )
        .order_by(F("is_overdue_now").desc(), "deadline", "pk")
    )


def overdue_findings(today: dt.date) -> QuerySet[Finding]:
    """Open findings whose deadline (inclusive) has passed and that were not yet notified."""
    return Finding.objects.filter(
        state__in=Finding.OPEN_STATES, deadline__lt=today, overdue_notified_at__isnull=True
    )
