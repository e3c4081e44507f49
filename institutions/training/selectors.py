"""Reads of training records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Sum

from .models import TrainingAttendance


def training_hours(staff_ids: Iterable[int], year: int) -> dict[int, Decimal]:
    """Each staff member's training hours in calendar `year`, in one query: the hours attended of
    courses that ended in that year (a course spanning New Year counts in the year it ends).
    Staff members without attendance are absent from the answer (read with .get(pk, 0))."""
    rows = (
        TrainingAttendance.objects.filter(
            staff_id__in=list(staff_ids),
            course__ends_on__gte=dt.date(year, 1, 1),
            course__ends_on__lte=dt.date(year, 12, 31),
        )
        .values("staff_id")
        .annotate(total=Sum("hours"))
        .values_list("staff_id", "total")
    )
    return dict(rows)
