"""Operators' pages: their months (/yuebao/) and the report form (/yuebao/<institution>/<YYYY-MM>/).

The institution is looked up through `roles.get_scoped_or_404` first (another institution's month
is a 404); only an operator of the institution fills the form (403 on a POST from anyone else).
"""

from __future__ import annotations

import copy
import datetime as dt
import math

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from institutions.models import CHILDREN_PER_CARER, ClassType, Institution
from portal.dates import due_on, locks_on, opens_on
from portal.pages import add_service_error, is_operator, operates, portal_page
from portal.roles import get_scoped_or_404, scope, sees_every_institution

from .. import selectors, services
from ..forms import MonthlyReportForm
from ..models import CLASS_FIELDS, MonthlyReport
from ..validators import Warning, check_report, registry_state
from .common import SERVICE_ERROR_LABELS, nav_context, state_badge

MONTH_LIST_INSTITUTIONS = 10  # institutions per page of the month list
RECENT_MONTHS = 6  # months shown unfolded per institution


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
    may_file = is_operator(request.user)
    for institution in page.object_list:
        institution.months = months[institution.pk]
        for month in institution.months:
            month.badge = state_badge(month.report.state if month.report else None)
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
            **nav_context(request, "months"),
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


def readonly_sections(report: MonthlyReport, form_class=MonthlyReportForm) -> list[dict]:
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
        **nav_context(request, "months"),
    }
    report, reason = _open_report(request, institution, period, files=files)
    if report is None:
        return render(request, "reports/report_blocked.html", {**context, "reason": reason})

    block = services.edit_block_reason(report) if files else ""
    context.update(
        {
            "report": report,
            "badge": state_badge(report.state),
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
        context["sections"] = readonly_sections(report)
        context["warnings"] = [Warning(**w) for w in report.warnings]
        return render(request, "reports/report_form.html", context)
    return _edit(request, report, institution, here, context)


def _open_report(request, institution: Institution, period: dt.date, *, files: bool):
    """(the month's report, "") or (None, why there is none): an operator's first visit starts
    the draft, unless the registry or the reporting window rules the month out."""
    report = (
        MonthlyReport.objects.select_related("submitted_by", "reviewed_by")
        .filter(institution=institution, period=period)
        .first()
    )
    if report is not None:
        return report, ""
    reason = _start_block_reason(institution, period)
    if not reason and not files:
        reason = _("该月月报尚未填报。")
    if not reason:
        try:
            return _start(institution, period, request.user), ""
        except ValidationError as error:
            reason = " ".join(error.messages)
    return None, reason


def _edit(request, report: MonthlyReport, institution: Institution, here: str, context: dict):
    """The editable form: save the draft or submit it (POST), or show it (GET)."""
    period = report.period
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
                add_service_error(form, error, model=MonthlyReport, labels=SERVICE_ERROR_LABELS)
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
