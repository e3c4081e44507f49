"""Dates the whole portal counts with: months, and the reporting calendar (DHIS2-style): when the report for month M may be filed.

- opens on the 1st of M+1;
- due (on time) until settings.REPORT_DEADLINE_DAY of M+1, inclusive;
- locks settings.REPORT_LOCK_AFTER_DAYS days after the due day, unless the bureau granted the
  institution an exception for that month (ReportWindowException, open until a day, inclusive).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from django.conf import settings
from django.utils import timezone


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(period: dt.date) -> dt.date:
    return period.replace(day=calendar.monthrange(period.year, period.month)[1])


def add_months(period: dt.date, months: int) -> dt.date:
    index = period.year * 12 + period.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def parse_period(text: str) -> dt.date:
    """'2025-03' -> 2025-03-01; raises ValueError on anything else."""
    year, month = text.split("-")
    return dt.date(int(year), int(month), 1)


# A month as a person or a client writes it: the one rule of the pages' month field, the API's
# month fields and parameters, and the schema that documents them.
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"


def parse_month(text: str) -> dt.date:
    """'2025-03' -> 2025-03-01, exactly as MONTH_PATTERN says (blanks around it aside); raises
    ValueError on anything else ('2025-3', '0000-01'), which `parse_period` may let through."""
    text = str(text).strip()
    if not re.fullmatch(MONTH_PATTERN, text):
        raise ValueError(text)
    return parse_period(text)


def format_month(period: dt.date) -> str:
    return f"{period:%Y-%m}"


def opens_on(period: dt.date) -> dt.date:
    return add_months(period, 1)


def due_on(period: dt.date) -> dt.date:
    following = add_months(period, 1)
    last = calendar.monthrange(following.year, following.month)[1]
    return following.replace(day=min(settings.REPORT_DEADLINE_DAY, last))


def locks_on(period: dt.date) -> dt.date:
    """The first day on which the report can no longer be filed without an exception."""
    return due_on(period) + dt.timedelta(days=settings.REPORT_LOCK_AFTER_DAYS + 1)


def deadline_as_datetime(period: dt.date) -> dt.datetime:
    """The end of the due day, Asia/Shanghai: a submission at or before it is on time."""
    end = dt.datetime.combine(due_on(period), dt.time.max)
    return timezone.make_aware(end, timezone.get_default_timezone())
