"""Indicator pages (试点指标): /zhibiao/ and below.

Include in lequing_tuoyu/urls.py with `path("", include("metrics.urls"))`.
"""

import datetime as dt

from django.urls import path, register_converter

from . import views

app_name = "metrics"


class MonthConverter:
    """'2025-06' <-> date(2025, 6, 1); a month that does not exist (2025-13) is a 404."""

    regex = r"\d{4}-\d{2}"

    def to_python(self, value: str) -> dt.date:
        year, month = value.split("-")
        return dt.date(int(year), int(month), 1)

    def to_url(self, value) -> str:
        return f"{value:%Y-%m}" if isinstance(value, dt.date) else str(value)


class AreaConverter:
    """`city` or a township's statistical code (330382114)."""

    regex = r"city|\d{6,12}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


class IndicatorConverter:
    """K1 ... K22, K9_sessions, K12a, K14_timely."""

    regex = r"K\d{1,2}[a-z]?(?:_[a-z]+)?"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


register_converter(MonthConverter, "kpi_month")
register_converter(AreaConverter, "kpi_area")
register_converter(IndicatorConverter, "kpi_indicator")

urlpatterns = [
    path("zhibiao/", views.dashboard, name="dashboard"),
    path("zhibiao/yuce/", views.forecast, name="forecast"),
    path("zhibiao/shoufei/", views.fees, name="fees"),
    # Bureau staff only (POST): recompute months, generate a month's evaluation report.
    path("zhibiao/chongsuan/", views.recompute, name="recompute"),
    path("zhibiao/chongsuan/<int:pk>/", views.run_status, name="run_status"),
    path("zhibiao/baogao/", views.report_request, name="report_request"),
    path(
        "zhibiao/baogao/<kpi_month:period>/zhuangtai/",
        views.report_status,
        name="report_status",
    ),
    path("zhibiao/baogao/<kpi_month:period>.pdf", views.report_pdf, name="report_pdf"),
    path("zhibiao/daochu/<kpi_month:period>.xlsx", views.indicators_xlsx, name="indicators_xlsx"),
    path(
        "zhibiao/<kpi_area:area>/<kpi_indicator:indicator>/",
        views.drilldown,
        name="drilldown",
    ),
]
