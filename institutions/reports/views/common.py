"""What the report pages share: the navigation, the state badges, how service errors are named."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _lazy

from portal.pages import bureau_acts, is_operator
from portal.roles import sees_every_institution

from ..models import MonthlyReport

PAGE_SIZE = 50

# State -> badge modifier. The label is always written out too, so colour is never the only cue.
STATE_BADGES = {
    MonthlyReport.State.DRAFT: "info",
    MonthlyReport.State.SUBMITTED: "wait",
    MonthlyReport.State.ACCEPTED: "ok",
    MonthlyReport.State.RETURNED: "alert",
}

# The report forms are plain forms about a MonthlyReport: a service's error on a field they do
# not show is named by the model's verbose names (add_service_error(..., model=MonthlyReport)),
# and a window exception's reason, which is not a report field, by this.
SERVICE_ERROR_LABELS = {"reason": _lazy("原因")}


def nav_context(request, current: str) -> dict:
    user = request.user
    return {
        "nav_current": current,
        "nav_files": is_operator(user),
        "nav_bureau": sees_every_institution(user),
        "may_act": bureau_acts(user),
    }


def percent(part: int, whole: int) -> str | None:
    """'66.7%' to one decimal place; None when there is nothing to count (shown as 无数据)."""
    if not whole:
        return None
    return f"{part * 100 / whole:.1f}%"


def state_badge(state: str | None) -> str:
    return STATE_BADGES.get(state, "missing")
