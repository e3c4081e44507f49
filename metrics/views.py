"""Indicator pages: the dashboard, drill-downs, the forecast, recomputes and the evaluation report.

Who: bureau staff (admins and staff), education staff and auditors see every page; only bureau
staff who may write start a recompute or a report (POST; anyone else 403). Every figure comes
from Snapshot rows: no page recomputes an indicator.
"""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from institutions.inclusive.selectors import inclusive_care_by_township
from institutions.models import Township
from portal import jobs
from portal.dates import due_on, month_end
from portal.pages import bureau_acts, portal_page, require_bureau_actor
from portal.roles import Role, has_role
from programme.selectors import catalogue_summary

from . import exports, report_tasks, selectors, services
from . import forecast as forecasting
from .fees import fee_supervision
from .forms import FeeMonthForm, ForecastForm, MonthChoiceForm, RecomputeForm, ReportForm
from .kpis.drilldown import drilldown as drilldown_of
from .models import CITY, ComputeRun, Indicator

DRILL_PAGE_SIZE = 100
FEE_PAGE_SIZE = 50
# The task force's departments read the indicators too (issue 16); none of them acts here.
VIEW_ROLES = (Role.BUREAU_ADMIN, Role.BUREAU_STAFF, Role.EDUCATION, Role.AUDITOR, Role.DEPARTMENT)


def indicator_page(view):
    """A portal page (login required, never cached) that bureau, education and audit staff
    only may see."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not may_view(request.user):
            raise PermissionDenied(
                _("只有卫健局、教育局、审计人员和试点专班成员单位可以查看试点指标。")
            )
        return view(request, *args, **kwargs)

    return portal_page(wrapped)


def may_view(user) -> bool:
    return bool(getattr(user, "is_superuser", False)) or has_role(user, *VIEW_ROLES)


# Only bureau staff who may write start a recompute or a report (the reason of the 403).
ACTORS_ONLY = gettext_lazy("只有卫健局工作人员可以重新计算指标或生成评估报告。")


def _dashboard_url(month: dt.date | None, **extra) -> str:
    query = {"month": f"{month:%Y-%m}"} if month else {}
    query.update({key: value for key, value in extra.items() if value is not None})
    url = reverse("metrics:dashboard")
    return f"{url}?{urlencode(query)}" if query else url


def _run_payload(run: ComputeRun) -> dict:
    reading = jobs.reading(run)
    return {
        **reading,
        "id": run.pk,
        "months_done": reading["done"],
        "months_total": reading["total"],
        "first": f"{run.first_period:%Y-%m}",
        "last": f"{run.last_period:%Y-%m}",
    }


def _report_payload(period: dt.date) -> dict:
    state = report_tasks.report_state(period)
    # The stored file stays downloadable while a new one is generated or after a failed attempt.
    ready = state["state"] == report_tasks.DONE or report_tasks.report_exists(period)
    generated_at = report_tasks.report_generated_at(period) if ready else None
    return {
        **state,
        "ready": ready,
        "url": reverse("metrics:report_pdf", args=[period]) if ready else "",
        "generated_at": generated_at.strftime("%Y-%m-%d %H:%M") if generated_at else "",
    }


# --- Dashboard ----------------------------------------------------------------------------------------


@indicator_page
@require_GET
def dashboard(request):
    """/zhibiao/?month=YYYY-MM: cards, trends and the township table of one month."""
    months = selectors.snapshot_months()
    form = MonthChoiceForm(request.GET or None, months=months)
    period = None
    if request.GET.get("month"):
        if form.is_valid():
            period = form.cleaned_data["month"]
        else:
            messages.warning(request, _("所选月份尚无计算结果，已显示最近一个有结果的月份。"))
    if period is None and months:
        # The last complete month: the months after it are still running or being reported.
        period = selectors.default_month(months)
        form = MonthChoiceForm(initial={"month": f"{period:%Y-%m}"}, months=months)
    overview = selectors.month_overview(period) if period else None
    run = None
    run_id = request.GET.get("run")
    if run_id and run_id.isdigit():
        run = ComputeRun.objects.filter(pk=int(run_id)).first()
    last_run = run or selectors.latest_run()
    this_month = timezone.localdate().replace(day=1)
    recompute_form = RecomputeForm(
        initial={"first": period or this_month, "last": this_month}, auto_id="recompute_%s"
    )
    report = _report_payload(period) if period else None
    return render(
        request,
        "metrics/dashboard.html",
        {
            "period": period,
            "months": months,
            "form": form,
            "overview": overview,
            "run": _run_payload(run) if run else None,
            "last_run": last_run,
            "may_act": bureau_acts(request.user),
            "recompute_form": recompute_form,
            "report": report,
            # The month's reports are still being filed: report-based figures are provisional.
            "reports_open": bool(period) and selectors.reports_open(period),
            "reports_due": due_on(period) if period else None,
            "complete_month": selectors.default_month(months) if months else None,
            "poll": bool(
                (run and run.state in (ComputeRun.State.QUEUED, ComputeRun.State.RUNNING))
                or (report and not report["finished"])
            ),
            "CITY": CITY,
            # Target 一(五) is a deliverable, not a number (kpis.md): the published catalogue.
            "catalogue": _catalogue_payload(),
            # K9_families is exact only where sessions have attendance lists: say how many do.
            "session_lists": selectors.session_lists(month_end(period)) if period else None,
            # Issue 19's 融合托育 counts per township at the month's end: counts only, read live
            # (support cases and special-needs care are not indicators), four queries.
            "inclusive_care": inclusive_care_by_township(month_end(period)) if period else None,
            "pilot_start": settings.PILOT_START_DATE,
            "pilot_end": settings.PILOT_END_DATE,
        },
    )


def _catalogue_payload() -> dict:
    published, last_change = catalogue_summary()
    return {"published": published, "last_change": last_change}


@indicator_page
@require_GET
def drilldown(request, area: str, indicator: str):
    """/zhibiao/<area>/<indicator>/?month=: what is behind one township's (or the city's) figure."""
    if indicator not in Indicator.values:
        raise Http404
    township = None if area == CITY else get_object_or_404(Township, code=area)
    months = selectors.snapshot_months()
    form = MonthChoiceForm(request.GET or None, months=months)
    if request.GET.get("month") and form.is_valid():
        period = form.cleaned_data["month"]
    elif months:
        period = selectors.default_month(months)
    else:
        raise Http404
    figure = selectors.area_figure(period, area, indicator)
    detail = drilldown_of(period, township, indicator)
    page = Paginator(detail.rows, DRILL_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "metrics/drilldown.html",
        {
            "period": period,
            "area": area,
            "township": township,
            "area_name": township.name if township else _("全市"),
            "figure": figure,
            "detail": detail,
            "page": page,
            "indicator": indicator,
            "back_url": _dashboard_url(period) + "#townships",
        },
    )


# --- Recompute ------------------------------------------------------------------------------------------


@indicator_page
@require_POST
def recompute(request):
    """POST first, last (YYYY-MM): queue a recompute of those months (bureau staff only)."""
    require_bureau_actor(request, ACTORS_ONLY)
    form = RecomputeForm(request.POST)
    back = request.POST.get("month") or None
    try:
        back_month = dt.date.fromisoformat(f"{back}-01") if back else None
    except ValueError:
        back_month = None
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(_dashboard_url(back_month))
    run = services.request_compute(
        first=form.cleaned_data["first"], last=form.cleaned_data["last"], actor=request.user
    )
    messages.info(request, jobs.reading(run)["text"])
    return redirect(_dashboard_url(back_month, run=run.pk) + "#recompute")


@indicator_page
@require_GET
def run_status(request, pk: int):
    """JSON for the progress bar: state, progress (0-100), months done of total."""
    run = get_object_or_404(ComputeRun, pk=pk)
    return JsonResponse(_run_payload(run))


# --- Evaluation report ------------------------------------------------------------------------------------


@indicator_page
@require_POST
def report_request(request):
    """POST month (YYYY-MM): generate that month's evaluation report (bureau staff only)."""
    require_bureau_actor(request, ACTORS_ONLY)
    form = ReportForm(request.POST)
    if not form.is_valid() or form.cleaned_data["month"] not in selectors.snapshot_months():
        messages.error(request, _("请选择已有计算结果的月份。"))
        return redirect(_dashboard_url(None))
    period = form.cleaned_data["month"]
    state = report_tasks.request_report(period=period, actor=request.user)
    if state["state"] == report_tasks.QUEUED:
        messages.info(request, _("%(month)s 评估报告已开始生成。") % {"month": f"{period:%Y-%m}"})
    elif state["state"] == report_tasks.FAILED:
        pass  # the task queue was down: TaskQueueNoticeMiddleware tells the user why
    else:
        messages.info(request, _("%(month)s 评估报告正在生成中。") % {"month": f"{period:%Y-%m}"})
    return redirect(_dashboard_url(period) + "#report")


@indicator_page
@require_GET
def report_status(request, period: dt.date):
    return JsonResponse(_report_payload(period))


@indicator_page
@require_GET
def report_pdf(request, period: dt.date):
    """/zhibiao/baogao/<YYYY-MM>.pdf: the stored report; 404 until it has been generated."""
    path = report_tasks.report_path(period)
    if not default_storage.exists(path):
        raise Http404(_("该月评估报告尚未生成。"))
    response = FileResponse(default_storage.open(path, "rb"), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=False, filename=_("试点评估报告-%(month)s.pdf") % {"month": f"{period:%Y-%m}"}
    )
    return response


@indicator_page
@require_GET
def indicators_xlsx(request, period: dt.date):
    """/zhibiao/daochu/<YYYY-MM>.xlsx: the month's figures, area by indicator, with numerators
    and denominators; 404 for a month never computed."""
    if period not in selectors.snapshot_months():
        raise Http404(_("该月尚无指标计算结果。"))
    return exports.indicators_xlsx(period)


# --- Fee supervision -----------------------------------------------------------------------------------


@indicator_page
@require_GET
def fees(request):
    """/zhibiao/shoufei/?month=YYYY-MM: the month's fees above the city's public fee standard and
    inclusive institutions' fees above the K6 ceiling (metrics/fees.py). Opens on the last
    complete month."""
    form = FeeMonthForm(request.GET if request.GET.get("month") else None)
    period = selectors.last_complete_month()
    if form.is_bound and form.is_valid():
        period = form.cleaned_data["month"]
    elif not form.is_bound:
        form = FeeMonthForm(initial={"month": f"{period:%Y-%m}"})
    result = fee_supervision(period)
    # A province's month has thousands of rows in each list: FEE_PAGE_SIZE at a time, with the
    # totals; each list pages on its own (?page= and ?k6=).
    return render(
        request,
        "metrics/fees.html",
        {
            "form": form,
            "period": period,
            "result": result,
            "tab": "fees",
            "standard_page": Paginator(result.above_standard, FEE_PAGE_SIZE).get_page(
                request.GET.get("page")
            ),
            "k6_page": Paginator(result.above_k6, FEE_PAGE_SIZE).get_page(request.GET.get("k6")),
        },
    )


# --- Forecast -------------------------------------------------------------------------------------------


@indicator_page
@require_GET
def forecast(request):
    """/zhibiao/yuce/?to=YYYY-MM-DD: every target projected to the date, and the gaps."""
    today = timezone.localdate()
    default = forecasting.default_date()
    form = ForecastForm(request.GET if request.GET.get("to") else None, initial={"to": default})
    to = form.cleaned_data["to"] if form.is_bound and form.is_valid() else default
    result = forecasting.forecast(to=to, today=today)
    return render(
        request,
        "metrics/forecast.html",
        {
            "form": form,
            "to": to,
            "result": result,
            "limit": forecasting.PIPELINE_LIST_LIMIT,
            "period": result.latest_period,
            "gap_targets": {
                indicator: result.target_text(indicator) for indicator in forecasting.GAP_INDICATORS
            },
        },
    )
