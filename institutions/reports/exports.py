"""xlsx downloads of monthly reports and parenting sessions, built from the resources' exports."""

from __future__ import annotations

import datetime as dt

import tablib
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from import_export.formats.base_formats import XLSX
from rest_framework.renderers import BaseRenderer, JSONRenderer

from .resources import MonthlyReportResource, ParentingSessionResource, session_export_queryset

XLSX_CONTENT_TYPE = XLSX.CONTENT_TYPE


class XlsxRenderer(BaseRenderer):
    """Lets a client ask for xlsx (Accept or ?format=xlsx) without a 406.

    The file itself is a plain HttpResponse; this renderer only ever renders an error, which
    stays JSON.
    """

    media_type = XLSX_CONTENT_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if isinstance(data, bytes):
            return data
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return JSONRenderer().render(data)


def xlsx_response(dataset: tablib.Dataset, *, filename: str) -> HttpResponse:
    body = XLSX().export_data(dataset)
    response = HttpResponse(body, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def monthly_reports_xlsx(reports: QuerySet, *, period: dt.date) -> HttpResponse:
    """The month's reports in one sheet; one query (institution and township are joined)."""
    reports = reports.select_related("institution", "institution__township").order_by(
        "institution__township__sort_order", "institution__name", "pk"
    )
    # Native numbers and dates, so the bureau can sum columns in Excel.
    dataset = MonthlyReportResource().export(reports, force_native_type=True)
    dataset.title = f"{period:%Y-%m}"
    return xlsx_response(dataset, filename=f"乐清市托育机构月报-{period:%Y-%m}.xlsx")


def parenting_sessions_xlsx(sessions: QuerySet, *, period: dt.date) -> HttpResponse:
    sessions = session_export_queryset(sessions).order_by("held_on", "township__sort_order", "pk")
    dataset = ParentingSessionResource().export(sessions, force_native_type=True)
    dataset.title = f"{period:%Y-%m}"
    return xlsx_response(dataset, filename=f"养育照护小组活动-{period:%Y-%m}.xlsx")
