"""A month's indicators as an xlsx download: one row per area and indicator, with the numerator and
denominator behind each figure, read from the month's snapshots as the dashboard reads them."""

from __future__ import annotations

import datetime as dt

import tablib
from django.http import HttpResponse
from django.utils.translation import gettext as _

from institutions.reports.exports import xlsx_response
from portal.spreadsheets.formats import escape_formulae

from .selectors import Figure, month_overview


def _row(code: str, area: str, figure: Figure) -> tuple:
    return (
        code,
        area,
        figure.code,
        figure.name,
        figure.numerator,
        figure.denominator,
        figure.value,
        figure.display,
        figure.target_display,
        figure.status_text,
    )


def indicators_dataset(period: dt.date) -> tablib.Dataset:
    """The city's row first, then each township's, indicators in kpis.md's order (the
    dashboard's four queries)."""
    overview = month_overview(period, charts=False)
    dataset = tablib.Dataset(
        headers=[
            _("区域代码"),
            _("区域"),
            _("指标编号"),
            _("指标"),
            _("分子"),
            _("分母"),
            _("数值"),
            _("显示值"),
            _("目标"),
            _("状态"),
        ],
        title=f"{period:%Y-%m}",
    )
    for figure in overview.columns:
        dataset.append(_row("", _("全市"), figure))
    for row in overview.townships:
        for figure in row.figures:
            dataset.append(_row(row.township.code, row.township.name, figure))
    escape_formulae(dataset)
    return dataset


def indicators_xlsx(period: dt.date) -> HttpResponse:
    return xlsx_response(
        indicators_dataset(period),
        filename=_("试点指标-%(month)s.xlsx") % {"month": f"{period:%Y-%m}"},
    )
