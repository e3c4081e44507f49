"""The bureau's oversight of reporting: completeness and timeliness by township, and the window
exceptions that let an institution file a month late. City-wide roles see them; bureau staff act.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from portal.dates import add_months, due_on, locks_on, month_start, opens_on
from portal.pages import add_service_error, portal_page, require_bureau_actor, require_city_wide

from .. import selectors, services
from ..forms import CompletenessFilterForm, ExceptionForm
from ..models import MonthlyReport, ReportWindowException
from .common import (
    PAGE_SIZE,
    SERVICE_ERROR_LABELS,
    nav_context,
    percent,
    state_badge,
)


def _default_period(today: dt.date) -> dt.date:
    """The latest month whose window has opened: last month."""
    return add_months(month_start(today), -1)


@portal_page
@require_GET
def completeness(request):
    require_city_wide(request)
    today = timezone.localdate()
    query = request.GET.copy()
    if not query.get("month"):
        query["month"] = f"{_default_period(today):%Y-%m}"
    filters = CompletenessFilterForm(query)
    data = filters.cleaned_data if filters.is_valid() else {}
    period = data.get("month") or _default_period(today)
    township = data.get("township")
    rows = selectors.completeness_by_township(period)
    for row in rows:
        row.completeness_pct = percent(row.submitted, row.counted)
        row.timeliness_pct = percent(row.on_time, row.counted)
        row.completeness_value = f"{row.completeness * 100:.1f}" if row.counted else None
        row.timeliness_value = f"{row.timeliness * 100:.1f}" if row.counted else None
    totals = {
        "counted": sum(row.counted for row in rows),
        "submitted": sum(row.submitted for row in rows),
        "on_time": sum(row.on_time for row in rows),
    }
    totals["completeness_pct"] = percent(totals["submitted"], totals["counted"])
    totals["timeliness_pct"] = percent(totals["on_time"], totals["counted"])
    missing = selectors.missing_reports(period, township_id=township.pk if township else None)
    page = Paginator(missing, PAGE_SIZE).get_page(request.GET.get("page"))
    late = selectors.days_late(period, today=today)
    page.object_list = list(page.object_list)
    for institution in page.object_list:
        institution.state_label = (
            MonthlyReport.State(institution.report_state).label
            if institution.report_state
            else _("未填报")
        )
        institution.badge = state_badge(institution.report_state)
    return render(
        request,
        "reports/completeness.html",
        {
            "filters": filters,
            "period": period,
            "township": township,
            "rows": rows,
            "totals": totals,
            "page": page,
            "days_late": late,
            "due_on": due_on(period),
            "window_open": opens_on(period) <= today,
            "locked": today >= locks_on(period),
            "today": today,
            **nav_context(request, "completeness"),
        },
    )


# --- Bureau: window exceptions -----------------------------------------------------------------------


@portal_page
@require_http_methods(["GET", "POST"])
def exceptions(request):
    require_city_wide(request)
    if request.method == "POST":
        require_bureau_actor(request)
        form = ExceptionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                exception = services.exception_grant(
                    institution=data["institution"],
                    period=data["month"],
                    open_until=data["open_until"],
                    reason=data["reason"],
                    actor=request.user,
                )
            except ValidationError as error:
                add_service_error(form, error, model=MonthlyReport, labels=SERVICE_ERROR_LABELS)
            else:
                messages.success(
                    request,
                    _("已为%(name)s开通%(month)s月报补报，开放至%(day)s（含当日）。")
                    % {
                        "name": exception.institution.name,
                        "month": f"{exception.period:%Y-%m}",
                        "day": exception.open_until.isoformat(),
                    },
                )
                return redirect("reports:exceptions")
    else:
        initial = {"open_until": timezone.localdate() + dt.timedelta(days=7)}
        if request.GET.get("institution", "").isdigit():
            initial["institution"] = int(request.GET["institution"])
        if request.GET.get("month"):
            initial["month"] = request.GET["month"]
        form = ExceptionForm(initial=initial)
    listing = ReportWindowException.objects.select_related(
        "institution__township", "granted_by"
    ).order_by("-granted_at", "-pk")
    page = Paginator(listing, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    return render(
        request,
        "reports/exceptions.html",
        {"form": form, "page": page, "today": today, **nav_context(request, "exceptions")},
        status=400 if form.errors else 200,
    )
