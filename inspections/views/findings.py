"""Findings and rectifications: operators answer with evidence; inspectors and bureau staff who
do not operate the institution close them or send them back."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from institutions.models import Township
from portal.pages import add_service_error, portal_page
from portal.roles import (
    get_scoped_or_404,
    sees_every_institution,
)
from portal.uploads import file_response

from .. import selectors, services
from ..forms import (
    FindingEditForm,
    RectificationForm,
    ReviewForm,
)
from ..models import (
    Finding,
    RectificationEvidence,
)
from .common import (
    PAGE_SIZE,
    _can_answer,
    _can_review,
)

UNCLOSED = "unclosed"  # 未销号: every state before 已整改销号


@portal_page
@require_GET
def finding_list(request):
    today = timezone.localdate()
    findings = selectors.finding_list(request.user, today=today)
    # The work first: findings not yet closed, the overdue ones on top (deadline order), unless
    # another state or all is asked for. "open" is the state 待整改 only.
    state = request.GET.get("state") or UNCLOSED
    overdue = request.GET.get("overdue") == "1"
    township = request.GET.get("township", "")
    if state == UNCLOSED:
        findings = findings.filter(state__in=Finding.OPEN_STATES)
    elif state in Finding.State.values:
        findings = findings.filter(state=state)
    if overdue:
        findings = findings.filter(is_overdue_now=True)
    if township.isdigit():
        findings = findings.filter(inspection__institution__township_id=int(township))
    listing = Paginator(findings, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "inspections/finding_list.html",
        {
            "page": listing,
            "states": Finding.State.choices,
            "townships": Township.objects.all() if sees_every_institution(request.user) else [],
            "filters": {"state": state, "overdue": overdue, "township": township},
            "today": today,
            "tab": "findings",
        },
    )


@portal_page
@require_http_methods(["GET", "POST"])
def finding_detail(request, pk: int):
    finding = get_scoped_or_404(
        request.user,
        Finding.objects.select_related("inspection__institution__township", "closed_by"),
        pk=pk,
    )
    institution_id = finding.inspection.institution_id
    can_answer = _can_answer(request.user, institution_id) and finding.state in (
        Finding.State.OPEN,
        Finding.State.RETURNED,
    )
    can_review = _can_review(request.user, institution_id)
    forms = {
        "answer": RectificationForm() if can_answer else None,
        "review": (
            ReviewForm() if can_review and finding.state == Finding.State.SUBMITTED else None
        ),
        "edit": (
            FindingEditForm(
                initial={
                    "title": finding.title,
                    "severity": finding.severity,
                    "deadline": finding.deadline,
                    "detail": finding.detail,
                }
            )
            if can_review and finding.state != Finding.State.CLOSED
            else None
        ),
    }
    status = 200
    if request.method == "POST":
        response = _finding_action(request, finding, forms)
        if response is not None:
            return response
        status = 400
    trail = list(
        finding.rectifications.select_related("submitted_by", "reviewed_by")
        .prefetch_related("evidence")
        .order_by("submitted_at", "pk")
    )
    return render(
        request,
        "inspections/finding_detail.html",
        {
            "finding": finding,
            "inspection": finding.inspection,
            "trail": trail,
            "overdue": finding.is_overdue(timezone.localdate()),
            "answer_form": forms["answer"],
            "review_form": forms["review"],
            "edit_form": forms["edit"],
            "tab": "findings",
        },
        status=status,
    )


def _finding_action(request, finding: Finding, forms: dict):
    """Answer, review or edit the finding (POST "action"). The response on success (or on an
    unknown action); None when the page is shown again with the errors, the posted form
    replacing its blank one in `forms`."""
    action = request.POST.get("action")
    try:
        if action == "answer":
            form = forms["answer"] = RectificationForm(request.POST, request.FILES)
            if form.is_valid():
                services.rectification_submit(
                    finding=finding,
                    actor=request.user,
                    action_taken=form.cleaned_data["action_taken"],
                    files=form.cleaned_data["evidence"],
                )
                messages.success(request, _("整改情况已提交，等待检查员验收。"))
                return redirect("inspections:finding_detail", pk=finding.pk)
        elif action == "review":
            form = forms["review"] = ReviewForm(request.POST)
            if form.is_valid():
                accept = form.cleaned_data["decision"] == "accept"
                services.rectification_review(
                    finding=finding,
                    actor=request.user,
                    accept=accept,
                    note=form.cleaned_data["note"],
                )
                messages.success(
                    request,
                    _("已验收销号。") if accept else _("已退回，机构将按意见重新整改。"),
                )
                return redirect("inspections:finding_detail", pk=finding.pk)
        elif action == "edit":
            form = forms["edit"] = FindingEditForm(request.POST)
            if form.is_valid():
                services.finding_update(finding=finding, actor=request.user, **form.cleaned_data)
                messages.success(request, _("已保存。"))
                return redirect("inspections:finding_detail", pk=finding.pk)
        else:
            return HttpResponseBadRequest(_("未知操作。"))
    except services.NotAllowed as error:
        raise PermissionDenied(" ".join(error.messages)) from None
    except ValidationError as error:
        add_service_error(form, error)
    return None


@portal_page
@require_GET
def evidence_file(request, pk: int):
    evidence = get_scoped_or_404(request.user, RectificationEvidence, pk=pk)
    return file_response(evidence.file)
