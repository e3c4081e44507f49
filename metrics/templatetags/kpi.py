"""Template filters of the indicator pages and the evaluation report (formatting.py's rules)."""

from decimal import Decimal

from django import template

from metrics.formatting import format_number

register = template.Library()


@register.filter
def kpi(value, indicator: str) -> str:
    """`{{ value|kpi:"K4" }}`: 40.0%, 333.3, 1,234 or 无数据, by the indicator's unit."""
    return format_number(value, indicator)


@register.filter
def thousands(value) -> str:
    """An integer with thousands separators (1,234); a dash for nothing."""
    if value is None or value == "":
        return "—"
    return f"{int(Decimal(value).to_integral_value()):,}"


@register.filter
def signed(value) -> str:
    """+12, −3, 0 (a change in places or staff)."""
    if value is None:
        return "—"
    number = int(Decimal(value).to_integral_value())
    if number > 0:
        return f"+{number:,}"
    if number < 0:
        return f"−{abs(number):,}"
    return "0"


@register.filter
def share_of(part, whole) -> str:
    """`{{ certified|share_of:staff }}`: 66.7% (one decimal place); 无数据 when whole is 0."""
    if not whole:
        return format_number(None, "K5")
    return format_number(Decimal(part or 0) / Decimal(whole), "K5")


@register.filter
def kpi_code(indicator: str) -> str:
    """The indicator's number as kpis.md writes it: "K9" for both K9_sessions and K9_families
    (the name beside it tells them apart); the stored id stays in data attributes and URLs."""
    return str(indicator).split("_", 1)[0]
