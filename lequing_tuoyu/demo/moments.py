"""When a demo event happened: a day and a time of day, in the portal's time zone."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))
