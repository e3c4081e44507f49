"""Demo population base and income (estimates from demo-data.md), then the indicators computed.

At city scale (350 institutions) about 1.45 million residents and 27,500 children under 3, spread
over the townships roughly by size; a smaller demo has the population in proportion to the
institutions loaded, so that its indicators land near the targets (some met, some missed, some
close) instead of 40 institutions' places over the whole city's children. Income around
70,000-80,000 yuan a year. Labelled as estimates wherever shown.
"""

from __future__ import annotations

import random
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from metrics.models import CityIncome, PopulationBase
from metrics.services import compute_period
from portal.dates import add_months

from .registry import township_pool

RESIDENTS = 1_450_000
# The city scale's institutions (demo-data.md: about 350), whom the whole population is for.
CITY_INSTITUTIONS = 350
CHILDREN_UNDER_3 = 27_500
INCOME_BY_YEARS_BEFORE_PILOT = {2: Decimal("69800"), 1: Decimal("73500"), 0: Decimal("77100")}


def population_share(institutions: int) -> Decimal:
    """The part of the city's population that `institutions` serve: 1 from city scale up."""
    return min(Decimal(1), Decimal(max(institutions, 1)) / Decimal(CITY_INSTITUTIONS))


def seed_population(rng: random.Random, *, institutions: int = CITY_INSTITUTIONS) -> int:
    if PopulationBase.objects.exists():
        return 0
    pilot_year = settings.PILOT_START_DATE.year
    townships, weights = township_pool()
    total = Decimal(sum(weights)) / population_share(institutions)
    rows = []
    for year in range(pilot_year - 2, timezone.localdate().year + 1):
        # Births fall a little each year, so the under-3 population shrinks slowly.
        shrink = Decimal(1) - Decimal("0.03") * (year - (pilot_year - 2))
        for township, weight in zip(townships, weights, strict=True):
            share = Decimal(weight) / Decimal(total)
            children = int(CHILDREN_UNDER_3 * share * shrink * Decimal(rng.uniform(0.95, 1.05)))
            rows.append(
                PopulationBase(
                    township=township,
                    year=year,
                    residents=int(RESIDENTS * share * Decimal(rng.uniform(0.97, 1.03))),
                    children_under_3=children,
                    births=children // 3,
                )
            )
    PopulationBase.objects.bulk_create(rows)
    for years_before, income in INCOME_BY_YEARS_BEFORE_PILOT.items():
        CityIncome.objects.get_or_create(
            year=pilot_year - years_before, defaults={"per_capita_disposable_income": income}
        )
    return len(rows)


def compute_indicators() -> int:
    """Snapshots for every month from the pilot's start to the current month."""
    month = settings.PILOT_START_DATE.replace(day=1)
    this_month = timezone.localdate().replace(day=1)
    count = 0
    while month <= this_month:
        compute_period(month)
        count += 1
        month = add_months(month, 1)
    return count
