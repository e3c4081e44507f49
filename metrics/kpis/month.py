"""The month being computed and the per-area sums its sources add up."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from institutions.models import Township
from portal.dates import month_end

from ..models import CITY

ZERO = Decimal(0)


def end_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(
        dt.datetime.combine(day, dt.time.max), timezone.get_default_timezone()
    )


def township_codes() -> dict[int, str]:
    """Every township's code by its key (one query)."""
    return dict(Township.objects.values_list("pk", "code"))


@dataclass(frozen=True)
class Month:
    """Month M (`period`, its first day), D (`day`, its last) and the townships by key."""

    period: dt.date
    townships: dict[int, str]

    @classmethod
    def of(cls, period: dt.date) -> Month:
        return cls(period.replace(day=1), township_codes())

    @property
    def day(self) -> dt.date:
        return month_end(self.period)

    @property
    def end(self) -> dt.datetime:
        return end_of_day(self.day)

    @property
    def quarter_start(self) -> dt.date:
        return dt.date(self.day.year, 3 * ((self.day.month - 1) // 3) + 1, 1)

    @property
    def year_start(self) -> dt.date:
        return dt.date(self.day.year, 1, 1)


class Totals(defaultdict):
    """Per-area sums, {area: {name: Decimal}}; a sum added to a township is added to the city.
    A name never added reads as zero; None values are not added."""

    def __init__(self):
        super().__init__(lambda: defaultdict(lambda: ZERO))

    def add(self, area: str, **values) -> None:
        for name, value in values.items():
            if value is not None:
                self[area][name] += Decimal(value)
                if area != CITY:
                    self[CITY][name] += Decimal(value)

    def add_rows(self, rows, townships: dict[int, str], key: str) -> None:
        """Add grouped rows (dicts) to the township whose key each row holds in `key`."""
        for row in rows:
            self.add(townships[row.pop(key)], **row)
