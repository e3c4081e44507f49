"""The pilot's indicators, exactly as ../shared/spec/kpis.md defines them.

`compute_figures(period)` reads the database with a fixed number of aggregate queries (about a
dozen, whatever the number of institutions) and returns every indicator's numerator and
denominator for the city and each township. Township figures are grouped in SQL; the city figure
is the sum of the groups' totals (never an average of township ratios), plus rows that belong to
no township (vouchers of children registered outside Yueqing), plus city-wide distinct counts.

The definitions are metrics/kpis/definitions.py; the registry's totals are
metrics/kpis/registry.py (shared with the forecast), the other sources metrics/kpis/sources.py.
"""

from __future__ import annotations

import datetime as dt

from .kpis.definitions import Figure, area_figures
from .kpis.month import Month
from .kpis.population import monthly_income
from .kpis.registry import read_once, registry_totals
from .kpis.sources import SOURCES
from .models import CITY


def compute_figures(period: dt.date) -> dict[tuple[str, str], Figure]:
    """Every indicator for `period` (a month's first day): {(area, indicator): Figure}."""
    month = Month.of(period)
    with read_once(month.day):
        totals = registry_totals(month.day, period=month.period, townships=month.townships)
        for source in SOURCES:
            source(totals, month)
    income = monthly_income(month.day.year)
    figures: dict[tuple[str, str], Figure] = {}
    for area in [CITY, *month.townships.values()]:
        for indicator, figure in area_figures(totals[area], income).items():
            figures[area, indicator] = figure
    return figures
