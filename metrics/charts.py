"""Trend charts drawn on the server as SVG: the same markup goes into the page and the PDF.

Nothing is loaded from elsewhere and no script runs: the chart is a few lines, dots and labels with
presentation attributes only (no style attributes, so a strict CSP and WeasyPrint both accept it).
A month without data is a gap in the line, never a drop to zero.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .formatting import format_number, format_target, unit_of
from .models import DECIMAL_UNITS, Snapshot, Target, Unit

WIDTH, HEIGHT = 360, 190
LEFT, RIGHT, TOP, BOTTOM = 46, 14, 26, 30
FONT = "Noto Sans CJK SC, Noto Serif CJK SC, sans-serif"
LINE = "#0b6e4f"
TARGET = "#b42318"
GRID = "#d9dee5"
TEXT = "#5f6b7a"
DOT = {
    Snapshot.Status.MET: "#17603a",
    Snapshot.Status.NOT_MET: "#b42318",
    Snapshot.Status.TRACKED: "#0a5c8a",
}


@dataclass(frozen=True)
class Point:
    period: dt.date
    value: Decimal | None
    status: str = Snapshot.Status.TRACKED


def _nice_step(span: float, ticks: int = 4) -> float:
    raw = span / ticks if span > 0 else 1.0
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _tick_label(value: float, indicator: str) -> str:
    unit = unit_of(indicator)
    if unit == Unit.SHARE:
        percent = value * 100
        return f"{percent:.0f}%" if abs(percent - round(percent)) < 1e-9 else f"{percent:.1f}%"
    if unit in DECIMAL_UNITS:
        return f"{value:.0f}" if abs(value - round(value)) < 1e-9 else f"{value:.1f}"
    if abs(value) >= 10_000:
        return _("%(n)s万") % {"n": f"{value / 10_000:g}"}
    return f"{value:,.0f}"


def _month_label(period: dt.date) -> str:
    return f"{period:%Y-%m}"


@dataclass(frozen=True)
class _Frame:
    """Where the points sit: the plot area and the value axis from `y_min` to `y_max`."""

    points: list[Point]
    y_min: float
    y_max: float
    step: float
    plot_w: int = WIDTH - LEFT - RIGHT
    plot_h: int = HEIGHT - TOP - BOTTOM

    def x(self, index: int) -> float:
        if len(self.points) <= 1:
            return LEFT + self.plot_w / 2
        return LEFT + self.plot_w * index / (len(self.points) - 1)

    def y(self, value: float) -> float:
        return TOP + self.plot_h * (1 - (value - self.y_min) / (self.y_max - self.y_min))


def _frame(points: list[Point], indicator: str, target: Decimal | None) -> _Frame:
    values = [float(p.value) for p in points if p.value is not None]
    top_value = max([*values, float(target) if target is not None else 0.0, 0.0])
    bottom_value = min([*values, 0.0])
    step = _nice_step(top_value - bottom_value or 1.0)
    y_max = step * math.ceil((top_value * 1.05) / step) if top_value > 0 else step * 4
    if unit_of(indicator) == Unit.SHARE and 0 < top_value <= 1:
        y_max = min(y_max, 1.0)  # a share never passes 100%: no axis above it
    y_min = step * math.floor(bottom_value / step) if bottom_value < 0 else 0.0
    return _Frame(points, y_min, y_max, step)


def _target_band(frame: _Frame, target: Decimal | None, comparison: str | None) -> list[str]:
    """Where the target is met: a pale band, so the eye sees the side of the line that counts."""
    if target is None:
        return []
    ty = min(max(frame.y(float(target)), TOP), TOP + frame.plot_h)
    band_top, band_bottom = (
        (TOP, ty) if comparison != Target.Comparison.AT_MOST else (ty, TOP + frame.plot_h)
    )
    if band_bottom <= band_top:
        return []
    return [
        f'<rect x="{LEFT}" y="{band_top:.1f}" width="{frame.plot_w}" height="{band_bottom - band_top:.1f}"'
        ' fill="#e3f4ea" fill-opacity="0.6"/>'
    ]


def _grid(frame: _Frame, indicator: str) -> list[str]:
    parts, tick = [], frame.y_min
    while tick <= frame.y_max + frame.step / 1000:
        ty = frame.y(tick)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{LEFT - 5}" y="{ty + 3.5:.1f}" text-anchor="end" fill="{TEXT}">{escape(_tick_label(tick, indicator))}</text>'
        )
        tick += frame.step
    return parts


def _month_labels(frame: _Frame) -> list[str]:
    """The first month, the last and up to three evenly between."""
    points = frame.points
    if not points:
        return []
    count = min(len(points), 5)
    shown = sorted({round(i * (len(points) - 1) / max(count - 1, 1)) for i in range(count)})
    parts = []
    for index in shown:
        anchor = "middle"
        if len(points) > 1 and index == 0:
            anchor = "start"
        elif len(points) > 1 and index == len(points) - 1:
            anchor = "end"
        parts.append(
            f'<text x="{frame.x(index):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="{anchor}"'
            f' fill="{TEXT}">{_month_label(points[index].period)}</text>'
        )
    return parts


def _target_line(frame: _Frame, target: Decimal | None, target_text: str) -> list[str]:
    """The target as a dashed line; its label sits in a legend above the plot, where no line
    or value can hide it."""
    if target is None:
        return []
    ty = frame.y(float(target))
    return [
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="{TARGET}"'
        ' stroke-width="1.5" stroke-dasharray="5 4"/>'
        f'<line x1="{LEFT}" x2="{LEFT + 18}" y1="10" y2="10" stroke="{TARGET}"'
        ' stroke-width="1.5" stroke-dasharray="5 4"/>'
        f'<text x="{LEFT + 22}" y="13.5" fill="{TARGET}">'
        f"{escape(_('目标') + ' ' + target_text)}</text>"
    ]


def _line(frame: _Frame) -> list[str]:
    """The line, broken where a month has no data, and a dot per month with data."""
    segment: list[str] = []
    segments: list[list[str]] = []
    for index, point in enumerate(frame.points):
        if point.value is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        segment.append(f"{frame.x(index):.1f},{frame.y(float(point.value)):.1f}")
    if segment:
        segments.append(segment)
    parts = [
        f'<polyline points="{" ".join(run)}" fill="none" stroke="{LINE}" stroke-width="2"'
        ' stroke-linejoin="round"/>'
        for run in segments
        if len(run) > 1
    ]
    for index, point in enumerate(frame.points):
        if point.value is not None:
            colour = DOT.get(point.status, LINE)
            parts.append(
                f'<circle cx="{frame.x(index):.1f}" cy="{frame.y(float(point.value)):.1f}" r="2.6" fill="{colour}"/>'
            )
    return parts


def _latest_label(frame: _Frame, indicator: str) -> list[str]:
    """The latest value written by its dot; "no data" across the plot when there is none."""
    latest = next((p for p in reversed(frame.points) if p.value is not None), None)
    if latest is None:
        return [
            f'<text x="{LEFT + frame.plot_w / 2:.1f}" y="{TOP + frame.plot_h / 2:.1f}" text-anchor="middle"'
            f' font-size="13" fill="{TEXT}">{escape(_("无数据"))}</text>'
        ]
    index = frame.points.index(latest)
    lx, ly = frame.x(index), frame.y(float(latest.value))
    return [
        f'<text x="{min(lx, WIDTH - RIGHT):.1f}" y="{max(ly - 7, 22):.1f}" text-anchor="end"'
        f' font-weight="700" fill="{LINE}">{escape(format_number(latest.value, indicator))}</text>'
    ]


def trend_svg(
    points: list[Point],
    *,
    indicator: str,
    title: str,
    target: Decimal | None = None,
    comparison: str | None = None,
    chart_id: str = "",
) -> SafeString:
    """A line chart of `points` (oldest first) with the target as a dashed line."""
    chart_id = escape(chart_id or f"chart-{indicator}")
    frame = _frame(points, indicator, target)
    target_text = format_target(target, indicator, comparison)
    description = "；".join(
        f"{_month_label(p.period)} {format_number(p.value, indicator)}" for p in points
    )
    parts = [
        f'<svg class="trend-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}"'
        f' width="{WIDTH}" height="{HEIGHT}" role="img" aria-labelledby="{chart_id}-t {chart_id}-d"'
        f' font-family="{FONT}" font-size="10">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(_("目标") + " " + target_text + "。" + description)}</desc>',
        *_target_band(frame, target, comparison),
        *_grid(frame, indicator),
        *_month_labels(frame),
        *_target_line(frame, target, target_text),
        *_line(frame),
        *_latest_label(frame, indicator),
        "</svg>",
    ]
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
