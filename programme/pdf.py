"""The task force's weekly summary (专班周报) as a PDF, rendered with WeasyPrint as the evaluation
report is: the board (status, overdue, at risk, linked indicators), the week's progress updates,
the open supervision findings and the deliverables. Small enough to render in the request."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import selectors
from .models import Deliverable, ProgressUpdate, SupervisionFinding
from .phases import current_phase

logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

WEEK = dt.timedelta(days=7)


def weekly_context(today: dt.date) -> dict:
    since = today - WEEK + dt.timedelta(days=1)  # the seven days ending today, both included
    rows = selectors.board(today=today)
    start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    return {
        "today": today,
        "since": since,
        "phase": current_phase(today),
        "rows": rows,
        "counts": selectors.board_counts(rows),
        "at_risk_days": selectors.AT_RISK_DAYS,
        "updates": ProgressUpdate.objects.filter(created_at__gte=start)
        .select_related("task", "sub_item", "department")
        .prefetch_related("evidence")
        .order_by("task__number", "created_at"),
        "findings": SupervisionFinding.objects.filter(resolved=False)
        .select_related("round", "task")
        .order_by("round__held_on", "task__number", "pk"),
        "deliverables": Deliverable.objects.select_related("task").order_by("pk"),
        "generated_at": timezone.localtime(),
        "DEMO_MODE": settings.DEMO_MODE,
        "title": _("乐清市普惠托育基本公共服务试点工作专班周报"),
    }


def weekly_summary_pdf(today: dt.date) -> bytes:
    # Imported here: loading WeasyPrint (Pango, fonts) is slow and only PDFs need it.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string("programme/pdf/weekly.html", weekly_context(today))
    fetcher = URLFetcher(allowed_protocols={"data"}, timeout=1)
    return HTML(string=html, url_fetcher=fetcher).write_pdf()
