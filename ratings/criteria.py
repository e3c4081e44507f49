"""Building a criteria set from plain data: the demo's clearly labelled set and the tests use it;
the bureau enters its own in the admin. The plan gives no criteria, so no migration loads any."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from .models import CriteriaSet, Criterion, StarThreshold

DEMO_SET_NAME = "演示评定标准（非正式）"
# Items and maximum scores for the demonstration only (100 in all); not the bureau's criteria.
DEMO_ITEMS: tuple[tuple[str, int], ...] = (
    ("场地设施：室内外活动面积、采光通风、安全防护（演示）", 20),
    ("人员配备：保育人员持证、师幼比（演示）", 20),
    ("卫生保健：晨午检、膳食、健康档案（演示）", 20),
    ("安全管理：应急预案、演练、一键报警（演示）", 20),
    ("保育照护：一日生活安排、家园共育（演示）", 20),
)
# The total each star level needs in the demonstration set.
DEMO_THRESHOLDS: dict[int, int] = {1: 60, 2: 70, 3: 80, 4: 88, 5: 95}


@transaction.atomic
def build_criteria_set(
    *,
    name: str,
    valid_from: dt.date,
    items: tuple[tuple[str, int | Decimal], ...],
    thresholds: dict[int, int | Decimal],
    note: str = "",
) -> CriteriaSet:
    """The set named `name`, created with its items and thresholds (an existing one is kept)."""
    criteria_set, created = CriteriaSet.objects.get_or_create(
        name=name, defaults={"valid_from": valid_from, "note": note}
    )
    if created:
        Criterion.objects.bulk_create(
            Criterion(criteria_set=criteria_set, order=n, text=text, max_score=Decimal(score))
            for n, (text, score) in enumerate(items, start=1)
        )
        StarThreshold.objects.bulk_create(
            StarThreshold(criteria_set=criteria_set, stars=stars, min_score=Decimal(score))
            for stars, score in thresholds.items()
        )
    return criteria_set


def demo_criteria_set(valid_from: dt.date) -> CriteriaSet:
    return build_criteria_set(
        name=DEMO_SET_NAME,
        valid_from=valid_from,
        items=DEMO_ITEMS,
        thresholds=DEMO_THRESHOLDS,
        note="演示数据，非卫健局正式标准。",
    )
