"""Pages of monthly reports and parenting-care sessions.

Operators: their months (/yuebao/), the report form (/yuebao/<institution>/<YYYY-MM>/), parenting
sessions (/yangyu/). Bureau: the review queue and a report's review page, completeness and
timeliness, window exceptions, the sessions' export.

Every object is looked up through `roles.get_scoped_or_404` / `roles.scope` first, so another
institution's report is a 404; only then is the role checked (403). Every write goes through
`services.py` with actor=request.user, and a service's ValidationError is shown on the form.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from io import BytesIO

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Count, Sum
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from institutions.models import CHILDREN_PER_CARER, ClassType, Institution
from portal.dates import add_months, due_on, locks_on, month_end, month_start, opens_on
from portal.roles import (
    Role,
    can_write,
    get_scoped_or_404,
    has_role,
    is_bureau,
    scope,
    sees_every_institution,
)

from . import selectors, services
from .forms import (
    BulkReviewForm,
    CompletenessFilterForm,
    ExceptionForm,
    MonthlyReportForm,
    ParentingSessionForm,
    ReviewActionForm,
    ReviewFilterForm,
    SessionFilterForm,
    add_service_error,
)
from .models import CLASS_FIELDS, MonthlyReport, ParentingSession, ReportWindowException
from .validators import Warning, check_report, registry_state

LOGIN_URL = reverse_lazy("institutions:login")
PAGE_SIZE = 50
MONTH_LIST_INSTITUTIONS = 10  # institutions per page of the month list
RECENT_MONTHS = 6  # months shown unfolded per institution

# State -> badge modifier. The label is always written out too, so colour is never the only cue.
STATE_BADGES = {
    MonthlyReport.State.DRAFT: "info",
    MonthlyReport.State.SUBMITTED: "wait",
    MonthlyReport.State.ACCEPTED: "ok",
    MonthlyReport.State.RETURNED: "alert",
}


# --- Access ---------------------------------------------------------------------------------------


def portal_page(view):
    """Login required (the portal's login, for every role); never cached (personal data)."""
    return login_required(never_cache(view), login_url=LOGIN_URL)


def files_reports(user) -> bool:
    """Operators file their institutions' reports; read-only roles never do."""
    return can_write(user) and has_role(user, Role.OPERATOR)


def operates(user, institution: Institution) -> bool:
    """`user` files this institution's reports. Checked on the link itself, not only by scope:
    a user who also has a city-wide role sees every institution but files only their own."""
    return files_reports(user) and institution.operators.filter(pk=user.pk).exists()


def bureau_acts(user) -> bool:
    return is_bureau(user) and can_write(user)


def _require_bureau_viewer(request) -> None:
    if not sees_every_institution(request.user):
        raise PermissionDenied(_("只有卫健局等部门的工作人员可以查看此页面。"))


def _require_bureau_actor(request) -> None:
    if not bureau_acts(request.user):
        raise PermissionDenied(_("您的账号只能查看，不能审核或修改。"))


def _nav(request, current: str) -> dict:
    user = request.user
    return {
        "nav_current": current,
        "nav_files": files_reports(user),
        "nav_bureau": sees_every_institution(user),
        "may_act": bureau_acts(user),
    }


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _percent(part: int, whole: int) -> str | None:
    """'66.7%' to one decimal place; None when there is nothing to count (shown as 无数据)."""
    if not whole:
        return None
    return f"{part * 100 / whole:.1f}%"


def _state_badge(state: str | None) -> str:
    return STATE_BADGES.get(state, "missing")


# --- Operators: months ------------------------------------------------------------------------------


@portal_page
@require_GET
def month_list(request):
    today = timezone.localdate()
    institutions = scope(request.user, Institution.objects.select_related("township")).order_by(
        "township__sort_order", "name", "pk"
    )
    query = request.GET.get("q", "").strip()
    if query:
        institutions = institutions.filter(name__icontains=query)
    page = Paginator(institutions, MONTH_LIST_INSTITUTIONS).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    months = selectors.report_months(page.object_list, today=today)
    may_file = files_reports(request.user)
    for institution in page.object_list:
        institution.months = months[institution.pk]
        for month in institution.months:
            month.badge = _state_badge(month.report.state if month.report else None)
            month.state_label = month.report.get_state_display() if month.report else _("未填报")
            month.editable_now = month.window.editable or (
                month.report is not None and month.report.state == MonthlyReport.State.RETURNED
            )
            month.needs_action = month.editable_now and (
                month.report is None or month.report.state in services.EDITABLE_STATES
            )
        # The latest months, and any older one still waiting for the operator; the rest folded.
        institution.recent = [
            m for i, m in enumerate(institution.months) if i < RECENT_MONTHS or m.needs_action
        ]
        institution.older = [m for m in institution.months if m not in institution.recent]
    return render(
        request,
        "reports/month_list.html",
        {
            "page": page,
            "query": query,
            "today": today,
            "may_file": may_file,
            "show_search": sees_every_institution(request.user) or page.paginator.count > 3,
            "deadline_day": settings.REPORT_DEADLINE_DAY,
            "lock_days": settings.REPORT_LOCK_AFTER_DAYS,
            **_nav(request, "months"),
        },
    )


# --- Operators: the form ----------------------------------------------------------------------------


def _start_block_reason(institution: Institution, period: dt.date) -> str:
    """Why no report can be started for this month because of the registry (filed later, closed
    earlier): the same rule `check_report` applies, asked before a draft is created."""
    probe = MonthlyReport(institution=institution, period=period)
    errors = check_report(probe, previous=None).errors.get("period")
    return " ".join(errors) if errors else ""


def _start(institution: Institution, period: dt.date, actor) -> MonthlyReport:
    try:
        return services.report_get_or_start(institution=institution, period=period, actor=actor)
    except IntegrityError:
        # Two tabs opened the month at once and the other one created the draft.
        return MonthlyReport.objects.get(institution=institution, period=period)


def _annotate_fields(form: MonthlyReportForm, report: MonthlyReport, state: Institution) -> None:
    """What the operator sees beside the numbers: approved places and the registry's staff."""
    for class_type, name in CLASS_FIELDS.items():
        places = getattr(state, f"places_{class_type}")
        form[name].note = _("月末核定托位 %(n)s 个") % {"n": places}
    if report.registry_staff_on_duty is not None:
        form["staff_on_duty"].note = _("登记信息：%(n)s 人") % {"n": report.registry_staff_on_duty}
        form["staff_certified"].note = _("登记信息：%(n)s 人") % {
            "n": report.registry_staff_certified
        }
        form["staff_on_duty"].field.widget.attrs["data-registry"] = report.registry_staff_on_duty
        form["staff_certified"].field.widget.attrs["data-registry"] = (
            report.registry_staff_certified
        )
    # Screen readers read the note, the error and the help with the input.
    for bound in form:
        described = [
            f"{bound.auto_id}_{suffix}"
            for suffix, present in (
                ("note", getattr(bound, "note", "")),
                ("error", bound.errors),
                ("helptext", bound.help_text),
            )
            if present
        ]
        if described:
            bound.field.widget.attrs["aria-describedby"] = " ".join(described)


def _readonly_sections(report: MonthlyReport, form_class=MonthlyReportForm) -> list[dict]:
    fields = form_class.base_fields
    sections = []
    for key, title, names in form_class.SECTIONS:
        rows = []
        for name in names:
            value = getattr(report, name)
            if value in ("", None):
                value = "—"
            note = ""
            if name == "staff_on_duty" and report.registry_staff_on_duty is not None:
                note = _("登记 %(n)s 人") % {"n": report.registry_staff_on_duty}
            elif name == "staff_certified" and report.registry_staff_certified is not None:
                note = _("登记 %(n)s 人") % {"n": report.registry_staff_certified}
            rows.append({"label": fields[name].label, "value": value, "note": note})
        if key == "enrolment":
            rows.insert(
                len(CLASS_FIELDS),
                {"label": _("在托总人数"), "value": report.enrolled_total, "total": True},
            )
        sections.append({"key": key, "title": title, "rows": rows})
    return sections


def _live_totals(form: MonthlyReportForm, report: MonthlyReport) -> dict:
    """The totals the page's script keeps up to date, computed once on the server so that the
    page is right before (or without) the script."""

    def number(name: str) -> int:
        value = form[name].value()
        try:
            return max(0, int(value))
        except (TypeError, ValueError):
            return 0

    enrolled = {class_type: number(name) for class_type, name in CLASS_FIELDS.items()}
    total = sum(enrolled.values())
    required = math.ceil(
        sum(n / CHILDREN_PER_CARER[ClassType(c)] for c, n in enrolled.items()) - 1e-9
    )
    on_duty, certified = number("staff_on_duty"), number("staff_certified")
    return {
        "enrolled": total,
        "required": required,
        "below_ratio": bool(total) and on_duty < required,
        "subset_over": max(number("voucher_children"), number("special_needs_children")) > total,
        "registry_differs": report.registry_staff_on_duty is not None
        and (on_duty, certified) != (report.registry_staff_on_duty, report.registry_staff_certified)
        and not str(form["staff_override_reason"].value() or "").strip(),
    }


def _error_summary(form: MonthlyReportForm) -> list[tuple[str, str]]:
    """(input id, message) for the list at the top; the field's name is added unless the
    message already says it (the rules name the class type, e.g. 托小班...超过月末核定托位)."""
    summary = []
    for bound in form.visible_fields():
        short = str(bound.label).split("（")[0]
        for error in bound.errors:
            text = error if short in error else f"{bound.label}：{error}"
            summary.append((bound.auto_id, text))
    return summary


def _posted_check(report: MonthlyReport, form: MonthlyReportForm, state: Institution):
    """The rules run on what was typed, so a re-rendered form lists the warnings it would get."""
    candidate = copy.copy(report)
    for name, value in form.cleaned_data.items():
        setattr(candidate, name, value)
    return check_report(candidate, state=state)


@portal_page
@require_http_methods(["GET", "POST"])
def report_form(request, institution_pk: int, period: dt.date):
    institution = get_scoped_or_404(
        request.user, Institution.objects.select_related("township"), pk=institution_pk
    )
    files = operates(request.user, institution)
    if request.method == "POST" and not files:
        raise PermissionDenied(_("只有本机构的经办人可以填报月报。"))
    here = reverse("reports:report_form", args=[institution.pk, f"{period:%Y-%m}"])
    context = {
        "institution": institution,
        "period": period,
        "due_on": due_on(period),
        "opens_on": opens_on(period),
        "locks_on": locks_on(period),
        "files": files,
        **_nav(request, "months"),
    }
    report = (
        MonthlyReport.objects.select_related("submitted_by", "reviewed_by")
        .filter(institution=institution, period=period)
        .first()
    )
    if report is None:
        reason = _start_block_reason(institution, period)
        if not reason and not files:
            reason = _("该月月报尚未填报。")
        if not reason:
            try:
                report = _start(institution, period, request.user)
            except ValidationError as error:
                reason = " ".join(error.messages)
        if report is None:
            return render(request, "reports/report_blocked.html", {**context, "reason": reason})

    block = services.edit_block_reason(report) if files else ""
    context.update(
        {
            "report": report,
            "badge": _state_badge(report.state),
            "block_reason": block,
            "read_only": bool(block) or not files,
            "review_url": (
                reverse("reports:review_detail", args=[report.pk])
                if sees_every_institution(request.user)
                else ""
            ),
        }
    )
    if context["read_only"]:
        if request.method == "POST":
            # Locked, submitted or accepted: nothing is written, and the page says why.
            messages.error(request, block)
            return redirect(here)
        context["sections"] = _readonly_sections(report)
        context["warnings"] = [Warning(**w) for w in report.warnings]
        return render(request, "reports/report_form.html", context)

    state = registry_state(report)
    if request.method == "POST":
        form = MonthlyReportForm(request.POST)
        submitting = request.POST.get("action") == "submit"
        check = None
        if form.is_valid():
            check = _posted_check(report, form, state)
            service = services.report_submit if submitting else services.report_update
            try:
                service(report=report, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                if submitting:
                    messages.success(
                        request,
                        _("已提交%(name)s %(month)s的月报，请等待卫健局审核。")
                        % {"name": institution.name, "month": f"{period:%Y-%m}"},
                    )
                    return redirect("reports:month_list")
                messages.success(request, _("草稿已保存。提交前仍可修改。"))
                return redirect(here)
        warnings = check.warnings if check else [Warning(**w) for w in report.warnings]
    else:
        form = MonthlyReportForm(initial=MonthlyReportForm.initial_from(report))
        warnings = check_report(report, state=state).warnings
    _annotate_fields(form, report, state)
    if warnings:
        form["warning_comment"].required_now = True
    context.update(
        {
            "form": form,
            "warnings": warnings,
            "sections": list(form.sections()),
            "error_count": sum(len(errors) for errors in form.errors.values()),
            "error_summary": _error_summary(form),
            "totals": _live_totals(form, report),
        }
    )
    status = 400 if form.errors else 200
    return render(request, "reports/report_form.html", context, status=status)


# --- Bureau: review ---------------------------------------------------------------------------------


@portal_page
@require_http_methods(["GET", "POST"])
def review_queue(request):
    _require_bureau_viewer(request)
    bulk = BulkReviewForm(request.POST or None)
    if request.method == "POST":
        _require_bureau_actor(request)
        back = _safe_next(request, reverse("reports:review_queue"))
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
        report.badge = _state_badge(report.state)
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
            **_nav(request, "review"),
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
                "badge": _state_badge(record.state),
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
    _require_bureau_viewer(request)
    form = ReviewActionForm(request.POST or None)
    if request.method == "POST":
        _require_bureau_actor(request)
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
                add_service_error(form, error)
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
            "badge": _state_badge(report.state),
            "sections": _readonly_sections(report),
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
            **_nav(request, "review"),
        },
        status=400 if form.errors else 200,
    )


# --- Bureau: completeness and timeliness -----------------------------------------------------------


def _default_period(today: dt.date) -> dt.date:
    """The latest month whose window has opened: last month."""
    return add_months(month_start(today), -1)


@portal_page
@require_GET
def completeness(request):
    _require_bureau_viewer(request)
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
        row.completeness_pct = _percent(row.submitted, row.counted)
        row.timeliness_pct = _percent(row.on_time, row.counted)
        row.completeness_value = f"{row.completeness * 100:.1f}" if row.counted else None
        row.timeliness_value = f"{row.timeliness * 100:.1f}" if row.counted else None
    totals = {
        "counted": sum(row.counted for row in rows),
        "submitted": sum(row.submitted for row in rows),
        "on_time": sum(row.on_time for row in rows),
    }
    totals["completeness_pct"] = _percent(totals["submitted"], totals["counted"])
    totals["timeliness_pct"] = _percent(totals["on_time"], totals["counted"])
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
        institution.badge = _state_badge(institution.report_state)
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
            **_nav(request, "completeness"),
        },
    )


# --- Bureau: window exceptions -----------------------------------------------------------------------


@portal_page
@require_http_methods(["GET", "POST"])
def exceptions(request):
    _require_bureau_viewer(request)
    if request.method == "POST":
        _require_bureau_actor(request)
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
                add_service_error(form, error)
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
        {"form": form, "page": page, "today": today, **_nav(request, "exceptions")},
        status=400 if form.errors else 200,
    )


# --- Parenting-care sessions -------------------------------------------------------------------------


def _may_add_sessions(user) -> bool:
    return can_write(user) and (is_bureau(user) or has_role(user, Role.OPERATOR))


def _sessions(request, filters: SessionFilterForm):
    sessions = scope(
        request.user,
        ParentingSession.objects.select_related("institution", "township", "created_by"),
    ).order_by("-held_on", "-pk")
    data = filters.cleaned_data if filters.is_valid() else {}
    if data.get("month"):
        sessions = sessions.filter(
            held_on__gte=data["month"], held_on__lte=month_end(data["month"])
        )
    if data.get("township"):
        sessions = sessions.filter(township=data["township"])
    return sessions, data


@portal_page
@require_http_methods(["GET", "POST"])
def sessions(request):
    user = request.user
    may_add = _may_add_sessions(user)
    institutions = scope(user, Institution.objects.select_related("township")).order_by(
        "township__sort_order", "name", "pk"
    )
    if not is_bureau(user):
        institutions = institutions.filter(filed_on__isnull=False)
    form = None
    if may_add:
        form = ParentingSessionForm(
            request.POST or None,
            institutions=institutions,
            allow_health_centre=is_bureau(user),
            initial={"held_on": timezone.localdate()},
        )
        if not is_bureau(user) and request.method == "GET":
            only = list(institutions[:2])
            if len(only) == 1:
                form.initial["institution"] = only[0].pk
    if request.method == "POST":
        if not may_add:
            raise PermissionDenied(_("您的账号只能查看，不能登记活动。"))
        if form.is_valid():
            try:
                session = services.parenting_session_save(session=form.session(), actor=user)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("已登记%(day)s的活动“%(topic)s”。")
                    % {"day": session.held_on.isoformat(), "topic": session.topic},
                )
                return redirect("reports:sessions")
    filters = SessionFilterForm(request.GET or None)
    listing, data = _sessions(request, filters)
    summary = listing.aggregate(count=Count("pk"), families=Sum("families_reached"))
    page = Paginator(listing, PAGE_SIZE).get_page(request.GET.get("page"))
    city_wide = sees_every_institution(user)
    export_url = ""
    if city_wide and data.get("month"):
        export_url = reverse("reports:sessions_export") + "?" + request.GET.urlencode()
    return render(
        request,
        "reports/sessions.html",
        {
            "form": form,
            "filters": filters,
            "page": page,
            "summary": summary,
            "city_wide": city_wide,
            "month": data.get("month"),
            "export_url": export_url,
            "no_institution": may_add and not is_bureau(user) and not institutions.exists(),
            **_nav(request, "sessions"),
        },
        status=400 if form is not None and form.errors else 200,
    )


EXPORT_HEADERS = (
    _lazy("活动日期"),
    _lazy("组织方类型"),
    _lazy("组织方名称"),
    _lazy("镇街"),
    _lazy("主题"),
    _lazy("参与家庭数"),
    _lazy("填报人"),
)


@portal_page
@require_GET
def sessions_export(request):
    _require_bureau_viewer(request)
    filters = SessionFilterForm(request.GET or None)
    listing, data = _sessions(request, filters)
    if not data.get("month"):
        messages.error(request, _("请先选择要导出的月份。"))
        return redirect("reports:sessions")
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"{data['month']:%Y-%m}"
    sheet.append([str(label) for label in EXPORT_HEADERS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for session in listing.order_by("held_on", "township__sort_order", "pk").iterator(
        chunk_size=2000
    ):
        sheet.append(
            [
                session.held_on,
                session.get_organiser_kind_display(),
                session.organiser_name,
                session.township.name,
                session.topic,
                session.families_reached,
                (
                    session.created_by.get_full_name() or session.created_by.get_username()
                    if session.created_by
                    else ""
                ),
            ]
        )
    for column, width in zip("ABCDEFG", (12, 22, 30, 10, 30, 12, 14), strict=True):
        sheet.column_dimensions[column].width = width
    for (cell,) in sheet.iter_rows(min_row=2, min_col=1, max_col=1):
        cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    buffer = BytesIO()
    workbook.save(buffer)
    name = _("养育照护小组活动")
    suffix = f"-{data['township'].name}" if data.get("township") else ""
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = content_disposition_header(
        True, f"{name}-{data['month']:%Y-%m}{suffix}.xlsx"
    )
    return response
