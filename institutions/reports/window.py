"""Whether the reporting window lets a report be filed today (the calendar is portal.dates)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.dates import locks_on, opens_on


@dataclass(frozen=True)
class WindowState:
    editable: bool
    reason: str  # why it cannot be edited, empty when editable


def window_state(
    period: dt.date, *, today: dt.date | None = None, exception_until=None
) -> WindowState:
    """Whether the window lets a draft be filed today, and if not, why (in the user's language)."""
    today = today or timezone.localdate()
    if today < opens_on(period):
        return WindowState(
            False,
            _("%(month)s的月报将于%(day)s开放填报。")
            % {"month": f"{period:%Y-%m}", "day": opens_on(period).isoformat()},
        )
    if today >= locks_on(period) and not (exception_until and today <= exception_until):
        return WindowState(
            False,
            _(
                "%(month)s的月报已于%(day)s锁定（截止日期后%(days)s天）。如需补报，请联系卫健局开通补报许可。"
            )
            % {
                "month": f"{period:%Y-%m}",
                "day": locks_on(period).isoformat(),
                "days": settings.REPORT_LOCK_AFTER_DAYS,
            },
        )
    return WindowState(True, "")
