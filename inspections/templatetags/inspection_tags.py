"""Template helpers of the inspection pages: the section's tabs, badges and percentages."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.roles import sees_every_institution

register = template.Library()


@register.simple_tag(takes_context=True)
def inspection_tabs(context) -> list[dict]:
    """The section's tabs; coverage and draws are for city-wide roles only."""
    request = context.get("request")
    user = getattr(request, "user", None)
    current = context.get("tab")
    tabs = [
        ("inspections", "inspections:inspection_list", _("检查记录")),
        ("findings", "inspections:finding_list", _("问题整改")),
        ("incidents", "inspections:incident_list", _("事件报告")),
    ]
    if sees_every_institution(user):
        tabs += [
            ("coverage", "inspections:coverage", _("检查覆盖")),
            ("draws", "inspections:draw_list", _("双随机抽查")),
        ]
    return [
        {"url": reverse(name), "label": label, "current": key == current}
        for key, name, label in tabs
    ]


BADGES = {
    # inspection outcomes and states, finding states, incident states
    "pass": "ok",
    "rectify": "warn",
    "fail": "alert",
    "completed": "ok",
    "draft": "info",
    "open": "warn",
    "submitted": "info",
    "returned": "alert",
    "closed": "ok",
    "high": "alert",
    "medium": "warn",
    "low": "info",
    "accepted": "ok",
    "sent_back": "alert",
    "pending": "info",
}


@register.filter
def badge(value) -> str:
    """The badge modifier for a state, outcome or severity value."""
    return BADGES.get(str(value), "muted")


@register.filter
def percent(value) -> str:
    """0.8333 -> 83.3%; None -> 无数据 (no data is not zero)."""
    if value is None:
        return _("无数据")
    return f"{value * 100:.1f}%"
