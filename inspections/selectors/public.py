"""Public results (一公开): public fields only, in two queries whatever the institutions."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import (
    Exists,
    OuterRef,
    QuerySet,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from institutions.models import Institution

from ..models import (
    PUBLIC_KINDS,
    Area,
    Finding,
    Inspection,
    InspectionKind,
)


@dataclass
class PublicFinding:
    area: str
    title: str
    severity: str
    deadline: dt.date
    state: str  # plain words: 已整改销号 / 整改中 / 逾期未整改 ...
    state_class: str  # ok / warn / alert, for the badge
    closed_on: dt.date | None


@dataclass
class PublicInspection:
    id: int
    institution_id: int
    kind: str
    kind_label: str
    inspected_on: dt.date
    outcome: str
    outcome_label: str
    findings: list[PublicFinding] = field(default_factory=list)


def _public_finding_state(row: dict, today: dt.date) -> tuple[str, str]:
    if row["state"] == Finding.State.CLOSED:
        if row["closed_on"] <= row["deadline"]:
            return _("已按期整改"), "ok"
        return _("已整改（逾期完成）"), "ok"
    if row["deadline"] < today:
        return _("逾期未整改"), "alert"
    if row["state"] == Finding.State.SUBMITTED:
        return _("整改已提交，待验收"), "warn"
    return _("整改中"), "warn"


def public_results_for(
    institution_ids: Iterable[int], *, today: dt.date | None = None
) -> dict[int, list[PublicInspection]]:
    """Completed spot checks and annual inspections of these institutions, newest first, with
    their findings in plain words and rectification state. Only public fields are read (no
    inspector, no notes, no photos). Two queries whatever the number of institutions."""
    today = today or timezone.localdate()
    kinds = dict(InspectionKind.choices)
    outcomes = dict(Inspection.Outcome.choices)
    inspections = list(
        Inspection.objects.filter(
            institution_id__in=list(institution_ids),
            kind__in=PUBLIC_KINDS,
            state=Inspection.State.COMPLETED,
        )
        .order_by("-inspected_on", "-pk")
        .values("pk", "institution_id", "kind", "inspected_on", "outcome")
    )
    by_pk = {}
    result: dict[int, list[PublicInspection]] = defaultdict(list)
    for row in inspections:
        item = PublicInspection(
            id=row["pk"],
            institution_id=row["institution_id"],
            kind=row["kind"],
            kind_label=str(kinds[row["kind"]]),
            inspected_on=row["inspected_on"],
            outcome=row["outcome"],
            outcome_label=str(outcomes.get(row["outcome"], "")),
        )
        by_pk[row["pk"]] = item
        result[row["institution_id"]].append(item)
    if by_pk:
        areas = dict(Area.choices)
        severities = dict(Finding._meta.get_field("severity").choices)
        for row in (
            Finding.objects.filter(inspection_id__in=list(by_pk))
            .order_by("deadline", "pk")
            .values("inspection_id", "area", "title", "severity", "deadline", "state", "closed_on")
        ):
            state, state_class = _public_finding_state(row, today)
            by_pk[row["inspection_id"]].findings.append(
                PublicFinding(
                    area=str(areas.get(row["area"], "")),
                    title=row["title"],
                    severity=str(severities.get(row["severity"], "")),
                    deadline=row["deadline"],
                    state=state,
                    state_class=state_class,
                    closed_on=row["closed_on"],
                )
            )
    return dict(result)


def institutions_with_public_results(
    *, township_id: int | None = None, q: str = ""
) -> QuerySet[Institution]:
    """Institutions with at least one public result, for the public results page."""
    queryset = Institution.objects.filter(
        Exists(
            Inspection.objects.filter(
                institution=OuterRef("pk"),
                kind__in=PUBLIC_KINDS,
                state=Inspection.State.COMPLETED,
            )
        )
    ).select_related("township")
    if township_id:
        queryset = queryset.filter(township_id=township_id)
    if q:
        queryset = queryset.filter(name__icontains=q)
    return queryset.only(
        "pk", "name", "address", "township__name", "township__sort_order"
    ).order_by("township__sort_order", "name", "pk")
