"""The pilot indicators' latest values, as the programme shows them beside the tasks they measure.

The indicators are computed by `metrics`, which stands above `programme` (tests/architecture):
metrics hands its reader in here from its AppConfig.ready (`register_indicator_reader`). Without
one (an installation without metrics), the tasks show no readings and nothing is at risk for
want of an indicator.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

NOT_MET = "not_met"


@dataclass(frozen=True)
class IndicatorReading:
    indicator: str  # K7, K13_redeemed ...
    name: str
    value: str  # as shown, with its unit; "无数据" when there is none
    status: str  # met, not_met, no_data or tracked (kpis.md, "Status")
    status_text: str
    period: dt.date | None  # the month of the latest city figure

    @property
    def not_met(self) -> bool:
        return self.status == NOT_MET


Reader = Callable[[list[str]], dict[str, IndicatorReading]]
_readers: list[Reader] = []


def register_indicator_reader(reader: Reader) -> None:
    """`reader(indicators)` answers the latest city-wide reading of each indicator it knows."""
    if reader not in _readers:
        _readers.append(reader)


def latest_readings(indicators: Iterable[str]) -> dict[str, IndicatorReading]:
    wanted = sorted(set(indicators))
    readings: dict[str, IndicatorReading] = {}
    for reader in _readers:
        readings.update(reader(wanted))
    return readings
