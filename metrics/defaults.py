"""The plan's targets (kpis.md), loaded by a data migration and restorable by staff."""

from decimal import Decimal

# indicator: (value, comparison, by_year_end)
DEFAULT_TARGETS: dict[str, tuple[Decimal, str, bool]] = {
    "K1": (Decimal("280"), "gte", False),
    "K2": (Decimal("4.5"), "gte", False),
    "K3": (Decimal("0.65"), "gte", False),
    "K4": (Decimal("0.90"), "gte", False),
    "K5": (Decimal("0.90"), "gte", False),
    "K6": (Decimal("0.30"), "lte", False),
    "K7": (Decimal("0.60"), "gte", False),
    "K8": (Decimal("100"), "gte", False),
    # Counted from 1 January: a year's target, judged in December.
    "K9_sessions": (Decimal("400"), "gte", True),
    "K9_families": (Decimal("3000"), "gte", True),
    "K10": (Decimal("1"), "gte", False),
    "K11": (Decimal("1"), "gte", False),
    "K12a": (Decimal("1"), "gte", False),
    "K12b": (Decimal("1"), "gte", False),
    # "100% by December".
    "K12c": (Decimal("1"), "gte", True),
    "K12d": (Decimal("1"), "gte", False),
    "K14": (Decimal("1"), "gte", False),
    "K14_timely": (Decimal("1"), "gte", False),
    "K17": (Decimal("1"), "gte", False),
}


def load_default_targets(target_model, *, overwrite: bool = False) -> int:
    created = 0
    for indicator, (value, comparison, by_year_end) in DEFAULT_TARGETS.items():
        defaults = {"value": value, "comparison": comparison, "by_year_end": by_year_end}
        if overwrite:
            target_model.objects.update_or_create(indicator=indicator, defaults=defaults)
        else:
            created += target_model.objects.get_or_create(indicator=indicator, defaults=defaults)[1]
    return created
