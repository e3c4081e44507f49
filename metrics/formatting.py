"""How indicator values are written (kpis.md, "Values"), for the pages and the PDF alike.

Shares as percentages to one decimal place (0.4 -> 40.0%), "per 1000" figures to one decimal
place (333.33 -> 333.3), counts and yuan as integers with thousands separators (1,234; 12,000 元).
A missing value is 无数据, never 0.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from .models import DECIMAL_UNITS, UNITS, Snapshot, Target, Unit

ONE_PLACE = Decimal("0.1")
HUNDRED = Decimal(100)

# A report-based figure of a month whose reports are still being filed (before the due day):
# shown, but marked and never judged met or not met.
PROVISIONAL = "provisional"

# Status -> CSS modifier (metrics.css) and the word written beside the colour.
STATUS_CLASSES = {
    Snapshot.Status.MET: "met",
    Snapshot.Status.NOT_MET: "not-met",
    Snapshot.Status.NO_DATA: "no-data",
    Snapshot.Status.TRACKED: "tracked",
    PROVISIONAL: "provisional",
}


def unit_of(indicator: str) -> str:
    """The indicator's unit; every indicator not listed in UNITS is a share."""
    return UNITS.get(indicator, Unit.SHARE)


def _one_place(value: Decimal) -> Decimal:
    return Decimal(value).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def _integer(value: Decimal) -> str:
    return f"{int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP)):,}"


def format_number(value: Decimal | None, indicator: str, *, with_unit: bool = True) -> str:
    """The value as kpis.md says it is shown; 无数据 for None."""
    if value is None:
        return _("无数据")
    unit = unit_of(indicator)
    if unit == Unit.SHARE:
        return f"{_one_place(Decimal(value) * HUNDRED)}%"
    if unit in DECIMAL_UNITS:
        return f"{_one_place(value)}"
    if unit == Unit.YUAN:
        return _("%(amount)s 元") % {"amount": _integer(value)} if with_unit else _integer(value)
    return _integer(value)


def format_target(target: Decimal | None, indicator: str, comparison: str | None) -> str:
    """'≥ 280.0', '≤ 30.0%'; a dash for an indicator without a target."""
    if target is None:
        return "—"
    sign = "≤" if comparison == Target.Comparison.AT_MOST else "≥"
    return f"{sign} {format_number(target, indicator)}"


def _delta(current: Decimal, previous: Decimal, indicator: str) -> Decimal:
    """The change as it is written: percentage points (one place) for shares, one place per 1000,
    whole counts and yuan."""
    delta = Decimal(current) - Decimal(previous)
    unit = unit_of(indicator)
    if unit == Unit.SHARE:
        return _one_place(delta * HUNDRED)
    if unit in DECIMAL_UNITS:
        return _one_place(delta)
    return delta.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def format_change(current: Decimal | None, previous: Decimal | None, indicator: str) -> str | None:
    """The change from last month: percentage points for shares, the same unit otherwise.
    None when either month has no data."""
    if current is None or previous is None:
        return None
    step = _delta(current, previous, indicator)
    unit = unit_of(indicator)
    if unit == Unit.SHARE:
        return _("%(sign)s%(points)s 个百分点") % {"sign": _sign(step), "points": abs(step)}
    if unit in DECIMAL_UNITS:
        return f"{_sign(step)}{abs(step)}"
    text = f"{_sign(step)}{abs(int(step)):,}"
    return _("%(amount)s 元") % {"amount": text} if unit == Unit.YUAN else text


def _sign(value: Decimal) -> str:
    if value > 0:
        return "+"
    if value < 0:
        return "−"
    return "±"


def change_direction(
    current: Decimal | None, previous: Decimal | None, comparison: str | None, indicator: str
) -> str:
    """'better', 'worse' or 'same' (as written, after rounding) against the target's direction;
    'neutral' without a target or without both months."""
    if current is None or previous is None:
        return "neutral"
    step = _delta(current, previous, indicator)
    if step == 0:
        return "same"
    if comparison is None:
        return "neutral"
    good = step > 0 if comparison == Target.Comparison.AT_LEAST else step < 0
    return "better" if good else "worse"


def change_trend(current: Decimal | None, previous: Decimal | None, indicator: str) -> str:
    """'up', 'down' or 'same' as written (the arrow's direction; its colour says better or
    worse); '' without both months."""
    if current is None or previous is None:
        return ""
    step = _delta(current, previous, indicator)
    return "up" if step > 0 else "down" if step < 0 else "same"


def status_label(status: str, *, has_target: bool) -> str:
    if status == PROVISIONAL:
        return _("暂定（月报未截止）")
    if status == Snapshot.Status.TRACKED and has_target:
        # A year's target (K9, K12c) before December.
        return _("进行中（12月考核）")
    return str(Snapshot.Status(status).label)


def status_class(status: str) -> str:
    return STATUS_CLASSES.get(status, "tracked")
