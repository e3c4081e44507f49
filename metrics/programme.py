"""What metrics gives the pilot programme (programme/, the floor below): the latest city-wide
reading of the indicators linked to its tasks, registered in MetricsConfig.ready."""

from __future__ import annotations

from programme.indicators import IndicatorReading

from .formatting import format_number, status_label
from .models import CITY, Indicator, Snapshot
from .selectors import last_complete_month


def latest_city_readings(indicators: list[str]) -> dict[str, IndicatorReading]:
    """The city snapshot of each indicator in the last complete month computed (one query), as
    the dashboard judges them: a month still running or being reported is not read, so a partial
    figure never puts a task at risk. None for an unknown id."""
    known = [name for name in indicators if name in Indicator.values]
    rows = (
        Snapshot.objects.filter(area=CITY, indicator__in=known, period__lte=last_complete_month())
        .order_by("indicator", "-period")
        .distinct("indicator")
    )
    return {
        row.indicator: IndicatorReading(
            indicator=row.indicator,
            name=str(Indicator(row.indicator).label),
            value=format_number(row.value, row.indicator),
            status=row.status,
            status_text=status_label(row.status, has_target=row.target is not None),
            period=row.period,
        )
        for row in rows
    }
