"""The bureau's review of monthly reports: the queue (one or many at once) and a report's page.

City-wide roles see them; only bureau staff who may write act (403 on a POST from anyone else).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.dates import add_months, due_on
from portal.pages import (
    add_service_error,
    portal_page,
    require_bureau_actor,
    require_city_wide,
    safe_next,
)
from portal.roles import get_scoped_or_404, scope

from .. import selectors, services
from ..forms import BulkReviewForm, ReviewActionForm, ReviewFilterForm
from ..models import CLASS_FIELDS, MonthlyReport
from ..validators import Warning
from .common import (
    PAGE_SIZE,
    SERVICE_ERROR_LABELS,
    nav_context,
    state_badge,
)
from .months import readonly_sections


@portal_page
@require_http_methods(["GET", "POST"])
def review_queue(request):
    require_city_wide(request)
    bulk = BulkReviewForm(request.POST or None)
    if request.method == "POST":
        require_bureau_actor(request)
        back = safe_next(request, reverse("reports:review_queue"))
        if bulk.is_valid():
            data = bulk.cleaned_data
            ids = list(
                scope(request.user, MonthlyReport)
                .filter(pk__in=data["report"])
                .values_list("pk", flat=True)
            )
            done, errors = services.reports_review_many(
                report_ids=ids, actor=request.user, action=data["action"], reason=data["reason"]
            )
            if data["action"] == "accept":
                message = _("已通过 %(n)s 份月报。") % {"n": done}
            else:
                message = _("已退回 %(n)s 份月报。") % {"n": done}
            messages.success(request, message)
            for error in errors[:10]:
                messages.error(request, error)
            if len(errors) > 10:
                messages.error(request, _("另有 %(n)s 份未能处理。") % {"n": len(errors) - 10})
            return redirect(back)
    filters = ReviewFilterForm(request.GET or None)
    queue = selectors.review_queue(**filters.filters())
    page = Paginator(queue, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    for report in page.object_list:
        report.badge = state_badge(report.state)
        report.is_late = bool(
            report.first_submitted_at
            and timezone.localtime(report.first_submitted_at).date() > due_on(report.period)
        )
    return render(
        request,
        "reports/review_queue.html",
        {
            "filters": filters,
            "bulk": bulk,
            "page": page,
            "shows_submitted": filters.filters()["states"] == [MonthlyReport.State.SUBMITTED],
            "checked": set(request.POST.getlist("report")),
            **nav_context(request, "review"),
        },
        status=400 if bulk.errors else 200,
    )


def _history_rows(report: MonthlyReport) -> list[dict]:
    """The report's audit trail in words: who did what, when, and why."""
    labels = {
        "created": _("开始填报（草稿）"),
        "updated": _("保存草稿"),
        "submitted": _("提交"),
        "accepted": _("审核通过"),
    }
    rows, previous_state = [], None
    for record in report.history.select_related("history_user").order_by(
        "history_date", "history_id"
    ):
        reason = record.history_change_reason or ""
        detail = ""
        if reason.startswith("returned"):
            # Both are recorded as "returned: <reason>"; the state before tells them apart.
            action = {
                MonthlyReport.State.ACCEPTED: _("重新打开"),
                MonthlyReport.State.SUBMITTED: _("退回"),
            }.get(previous_state, _("退回/重新打开"))
            detail = reason.partition(": ")[2]
        else:
            action = labels.get(reason, _("修改"))
        rows.append(
            {
                "when": record.history_date,
                "who": record.history_user,
                "action": action,
                "detail": detail,
                "state": MonthlyReport.State(record.state).label,
                "badge": state_badge(record.state),
            }
        )
        previous_state = record.state
    return rows


@portal_page
@require_http_methods(["GET", "POST"])
def review_detail(request, report_pk: int):
    report = get_scoped_or_404(
        request.user,
        MonthlyReport.objects.select_related(
            "institution__township", "submitted_by", "reviewed_by"
        ),
        pk=report_pk,
    )
    require_city_wide(request)
    form = ReviewActionForm(request.POST or None)
    if request.method == "POST":
        require_bureau_actor(request)
        if form.is_valid():
            action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
            try:
                if action == "accept":
                    services.report_accept(report=report, actor=request.user)
                elif action == "return":
                    services.report_return(report=report, actor=request.user, reason=reason)
                else:
                    services.report_reopen(report=report, actor=request.user, reason=reason)
            except ValidationError as error:
                add_service_error(form, error, model=MonthlyReport, labels=SERVICE_ERROR_LABELS)
            else:
                done = {
                    "accept": _("已通过%(report)s的月报。"),
                    "return": _("已退回%(report)s的月报，机构经办人会看到原因。"),
                    "reopen": _("已重新打开%(report)s的月报，机构经办人可以修改后重新提交。"),
                }[action]
                messages.success(request, done % {"report": report})
                return redirect("reports:review_detail", report_pk=report.pk)
        report.refresh_from_db()
    previous = (
        MonthlyReport.objects.filter(
            institution_id=report.institution_id, period=add_months(report.period, -1)
        )
        .only(*CLASS_FIELDS.values(), "fee_full_day", "staff_on_duty", "state", "period")
        .first()
    )
    return render(
        request,
        "reports/review_detail.html",
        {
            "report": report,
            "badge": state_badge(report.state),
            "sections": readonly_sections(report),
            "previous": previous,
            "warnings": [Warning(**w) for w in report.warnings],
            "history": _history_rows(report),
            "form": form,
            "due_on": due_on(report.period),
            "is_late": bool(
                report.first_submitted_at
                and timezone.localtime(report.first_submitted_at).date() > due_on(report.period)
            ),
            "action": request.POST.get("action", ""),
            # The next report waiting in the queue (oldest submission first), once this one is
            # done or to skip it.
            "next_report": scope(request.user, selectors.review_queue())
            .exclude(pk=report.pk)
            .first(),
            **nav_context(request, "review"),
        },
        status=400 if form.errors else 200,
    )
