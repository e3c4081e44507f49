"""The population base and the income (kpis.md, "population base")."""

from __future__ import annotations

from decimal import Decimal

from ..models import CityIncome, PopulationBase
from .month import Totals


def population_totals(totals: Totals, townships: dict[int, str], year: int) -> None:
    """Each township's residents and children under 3 of `year`, else of its latest earlier
    year; `has_population` counts the townships that have a row (K1, K2, K15 need one)."""
    seen: set[int] = set()
    for row in PopulationBase.objects.filter(year__lte=year).order_by("township_id", "-year"):
        if row.township_id in seen:
            continue
        seen.add(row.township_id)
        totals.add(
            townships[row.township_id],
            children_under_3=row.children_under_3,
            residents=row.residents,
            has_population=1,
        )


def monthly_income(year: int) -> Decimal | None:
    """The city's income of year Y-1, else the latest earlier one (the plan's 上一年度), by the
    month: K6's denominator for every area."""
    row = CityIncome.objects.filter(year__lte=year - 1).order_by("-year").first()
    return row.per_capita_disposable_income / 12 if row else None
