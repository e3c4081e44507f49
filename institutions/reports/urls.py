"""Pages for monthly reports: operators' months and form, the bureau's review and completeness,
window exceptions, and parenting-care sessions."""

import datetime as dt

from django.urls import path, register_converter

from . import views

app_name = "reports"


class MonthConverter:
    """'2025-03' in a URL <-> date(2025, 3, 1). A month that does not exist is a 404."""

    regex = r"\d{4}-\d{2}"

    def to_python(self, value: str) -> dt.date:
        year, month = value.split("-")
        return dt.date(int(year), int(month), 1)  # ValueError (e.g. month 13): no match, 404

    def to_url(self, value) -> str:
        return f"{value:%Y-%m}" if isinstance(value, dt.date) else str(value)


register_converter(MonthConverter, "yuebao_month")

urlpatterns = [
    # Operators (login; another institution's month is a 404).
    path("yuebao/", views.month_list, name="month_list"),
    path(
        "yuebao/<int:institution_pk>/<yuebao_month:period>/",
        views.report_form,
        name="report_form",
    ),
    # Bureau: bureau staff act; inspectors, education staff and auditors only view.
    path("yuebao/shenhe/", views.review_queue, name="review_queue"),
    path("yuebao/shenhe/<int:report_pk>/", views.review_detail, name="review_detail"),
    path("yuebao/wanzheng/", views.completeness, name="completeness"),
    path("yuebao/buhao/", views.exceptions, name="exceptions"),
    # Parenting-care group sessions (养育照护小组活动).
    path("yangyu/", views.sessions, name="sessions"),
    path("yangyu/daochu/", views.sessions_export, name="sessions_export"),
]
