"""The evaluation report (试点评估报告) of a month as a PDF, rendered with WeasyPrint.

Sections: 一 targets and their status, 二 trend charts (the dashboard's SVGs), 三 townships,
四 vouchers (K13), inspections (K12) and parenting sessions (K9), 五 data-quality notes
(institutions missing the month's report, indicators without data); then the task force's part
(programme): 六 task progress, 七 deliverables, 八 supervision, 九 funds. Every indicator figure
comes from the month's snapshots, as on the dashboard.

Nothing is fetched while rendering (the fetcher accepts only data: URIs) and the fonts are the
system's Noto CJK (fonts-noto-cjk), so every Chinese glyph is embedded.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from institutions.reports.selectors import missing_reports
from portal.dates import due_on, month_end
from programme.funds import FORMULAS, funds_overview
from programme.models import Deliverable, SupervisionFinding
from programme.selectors import board, board_counts

from .models import Snapshot
from .selectors import SECTION_INDICATORS, month_overview

logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

MISSING_LIST_LIMIT = 200
# The township table, split in three so that each fits a landscape A4 page.
TOWNSHIP_TABLES = (
    ("K1", "K2", "K3", "K4", "K5", "K6", "K7", "K8", "K15", "K16"),
    ("K10", "K11", "K12a", "K12b", "K12c", "K12d", "K14", "K14_timely", "K17"),
    ("K18", "K19", "K20", "K21", "K22"),
)

Progress = Callable[[int, str], None]


def _no_data_townships(overview) -> list[dict]:
    """Per indicator with a target: the townships whose figure has no data."""
    notes = []
    for index, column in enumerate(overview.columns):
        if column.target is None:
            continue
        names = [
            row.township.name
            for row in overview.townships
            if row.figures[index].status == Snapshot.Status.NO_DATA
        ]
        if names:
            notes.append({"figure": column, "townships": names})
    return notes


def evaluation_context(period: dt.date, *, progress: Progress | None = None) -> dict:
    progress = progress or (lambda _percent, _step: None)
    overview = month_overview(period)
    progress(30, "charts")
    index = {figure.indicator: i for i, figure in enumerate(overview.columns)}
    tables = [
        {
            "columns": [overview.city[indicator] for indicator in columns],
            "rows": [
                {
                    "township": row.township,
                    "figures": [row.figures[index[indicator]] for indicator in columns],
                }
                for row in overview.townships
            ],
        }
        for columns in TOWNSHIP_TABLES
    ]
    missing = missing_reports(period)
    missing_count = missing.count()
    missing_by_township: dict[str, list[str]] = {}
    for institution in missing[:MISSING_LIST_LIMIT]:
        missing_by_township.setdefault(institution.township.name, []).append(institution.name)
    return {
        "period": period,
        "day": month_end(period),
        "overview": overview,
        "summary": overview.with_target,
        "tracked": [f for f in overview.city.values() if f.target is None],
        "tables": tables,
        "sections": {
            name: [overview.city[indicator] for indicator in indicators]
            for name, indicators in SECTION_INDICATORS.items()
        },
        "reports_due": due_on(period),
        "missing": missing_by_township,
        "missing_count": missing_count,
        "missing_limit": MISSING_LIST_LIMIT,
        "no_data": overview.no_data,
        "no_data_townships": _no_data_townships(overview),
        "met_count": sum(1 for f in overview.with_target if f.status == Snapshot.Status.MET),
        "generated_at": timezone.localtime(),
        "PORTAL_NAME": settings.PORTAL_NAME,
        "DEMO_MODE": settings.DEMO_MODE,
        "title": _("乐清市普惠托育基本公共服务试点评估报告"),
        "pilot_start": settings.PILOT_START_DATE,
        "pilot_end": settings.PILOT_END_DATE,
        **programme_sections(month_end(period)),
    }


def programme_sections(day: dt.date) -> dict:
    """The task force's part of the report (六 to 九): the board as of the month's last day, the
    deliverables, the supervision findings and the funds."""
    rows = board(today=day)
    return {
        "task_rows": rows,
        "task_counts": board_counts(rows),
        "deliverables": list(Deliverable.objects.select_related("task").order_by("pk")),
        "findings": list(
            SupervisionFinding.objects.filter(round__held_on__lte=day)
            .select_related("round", "task")
            .order_by("round__held_on", "task__number", "pk")
        ),
        "funds": funds_overview(),
        "fund_formulas": FORMULAS,
    }


def evaluation_report_pdf(period: dt.date, *, progress: Progress | None = None) -> bytes:
    # Imported here: loading WeasyPrint (Pango, fonts) is slow and only PDFs need it.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    progress = progress or (lambda _percent, _step: None)
    # The report is the bureau's document: in Chinese whoever asked for it, in whatever language.
    with translation.override(settings.LANGUAGE_CODE):
        context = evaluation_context(period.replace(day=1), progress=progress)
        html = render_to_string("metrics/pdf/evaluation.html", context)
    progress(50, "rendering")
    fetcher = URLFetcher(allowed_protocols={"data"}, timeout=1)
    return HTML(string=html, url_fetcher=fetcher).write_pdf()
