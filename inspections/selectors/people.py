"""Incidents, staff credit records and the active checklist of a kind."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import (
    Count,
    Q,
    QuerySet,
)
from django.utils import timezone

from portal.roles import scope

from ..models import (
    ChecklistTemplate,
    Incident,
    StaffCreditRecord,
)


def incident_list(user) -> QuerySet[Incident]:
    return (
        scope(user, Incident)
        .select_related("institution__township")
        .annotate(follow_up_count=Count("follow_ups"))
        .order_by("-occurred_at", "-pk")
    )


def disqualified_hashes(hashes: Iterable[str], *, on: dt.date | None = None) -> set[str]:
    """Those of the given ID-number hashes with a staff credit record in force on `on` (default
    today). One query."""
    on = on or timezone.localdate()
    hashes = [h for h in hashes if h]
    if not hashes:
        return set()
    return set(
        StaffCreditRecord.objects.filter(id_number_hash__in=hashes, recorded_on__lte=on)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        .values_list("id_number_hash", flat=True)
    )


def credit_records_for(
    id_number_hash: str, *, on: dt.date | None = None
) -> QuerySet[StaffCreditRecord]:
    on = on or timezone.localdate()
    return StaffCreditRecord.objects.filter(
        id_number_hash=id_number_hash, recorded_on__lte=on
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))


def active_template(kind: str):
    return ChecklistTemplate.objects.filter(kind=kind, is_active=True).first()
