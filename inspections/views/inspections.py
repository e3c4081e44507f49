"""Inspection pages: the list, starting one, the detail and the on-site phone form with its
draft endpoint (saved by static/js/inspection_form.js) and photos."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from institutions.models import Township
from portal.pages import add_service_error, portal_page
from portal.roles import (
    can_write,
    get_scoped_or_404,
    sees_every_institution,
)
from portal.uploads import file_response

from .. import selectors, services
from ..forms import (
    CompleteForm,
    FindingAddForm,
    InspectionCreateForm,
    parse_results,
    user_label,
)
from ..models import (
    Inspection,
    InspectionKind,
    InspectionPhoto,
    InspectionResult,
    Rectification,
)
from ..selectors import (
    results_by_area,
    score_of,
)
from .common import (
    PAGE_SIZE,
    _can_fill,
    _can_review,
    _inspection,
    _wants_json,
)


@portal_page
@require_GET
def inspection_list(request):
    inspections = selectors.inspection_list(request.user)
    kind = request.GET.get("kind", "")
    state = request.GET.get("state", "")
    township = request.GET.get("township", "")
    query = request.GET.get("q", "").strip()
    mine = request.GET.get("mine") == "1"
    if kind in InspectionKind.values:
        inspections = inspections.filter(kind=kind)
    if state in Inspection.State.values:
        inspections = inspections.filter(state=state)
    if township.isdigit():
        inspections = inspections.filter(institution__township_id=int(township))
    if query:
        inspections = inspections.filter(institution__name__icontains=query)
    if mine:
        inspections = inspections.filter(inspectors=request.user)
    listing = Paginator(inspections, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "inspections/inspection_list.html",
        {
            "page": listing,
            "kinds": InspectionKind.choices,
            "states": Inspection.State.choices,
            "townships": Township.objects.all() if sees_every_institution(request.user) else [],
            "filters": {
                "kind": kind,
                "state": state,
                "township": township,
                "q": query,
                "mine": mine,
            },
            "can_create": can_write(request.user) and services.is_inspector_or_bureau(request.user),
            "tab": "inspections",
        },
    )


@portal_page
@require_http_methods(["GET", "POST"])
def inspection_new(request):
    if not (can_write(request.user) and services.is_inspector_or_bureau(request.user)):
        raise PermissionDenied(_("只有检查员或卫健局工作人员可以发起检查。"))
    initial = {"inspected_on": timezone.localdate(), "inspectors": [request.user.pk]}
    if request.GET.get("institution", "").isdigit():
        initial["institution"] = int(request.GET["institution"])
    if request.GET.get("kind") in InspectionKind.values:
        initial["kind"] = request.GET["kind"]
    form = InspectionCreateForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            inspection = services.inspection_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("已创建检查，请逐项填写。"))
            return redirect("inspections:inspection_form", pk=inspection.pk)
    return render(request, "inspections/inspection_new.html", {"form": form, "tab": "inspections"})


@portal_page
@require_GET
def inspection_detail(request, pk: int):
    inspection = _inspection(request, pk)
    groups = results_by_area(inspection)
    findings = list(
        inspection.findings.prefetch_related(
            Prefetch("rectifications", queryset=Rectification.objects.order_by("submitted_at"))
        ).order_by("deadline", "pk")
    )
    today = timezone.localdate()
    for finding in findings:
        finding.overdue_now = finding.is_overdue(today)
    can_review = _can_review(request.user, inspection.institution_id)
    return render(
        request,
        "inspections/inspection_detail.html",
        {
            "inspection": inspection,
            "groups": groups,
            "findings": findings,
            "inspectors": [user_label(u) for u in inspection.inspectors.all()],
            "can_fill": _can_fill(request.user, inspection),
            "can_add_finding": inspection.is_completed and can_review,
            "finding_form": FindingAddForm() if inspection.is_completed and can_review else None,
            "tab": "inspections",
        },
    )


def _form_context(inspection: Inspection, **extra) -> dict:
    groups = results_by_area(inspection)
    score = score_of([r for g in groups for r in g.results])
    return {
        "inspection": inspection,
        "groups": groups,
        "score": score,
        "result_choices": InspectionResult.Result.choices,
        "complete_form": extra.pop("complete_form", None) or CompleteForm(),
        "inspectors": [user_label(u) for u in inspection.inspectors.all()],
        "tab": "inspections",
        **extra,
    }


@portal_page
@require_http_methods(["GET", "POST"])
def inspection_form(request, pk: int):
    """The on-site form: one page, grouped by area; works without JavaScript, and with it saves
    every change as a draft (inspection_form.js)."""
    inspection = _inspection(request, pk)
    if not _can_fill(request.user, inspection):
        if inspection.is_completed:
            return redirect("inspections:inspection_detail", pk=inspection.pk)
        raise PermissionDenied(_("只有本次检查的检查人员或卫健局工作人员可以填写。"))
    errors: list[str] = []
    complete_form = CompleteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        results = list(inspection.results.all())
        answers, photos, errors = parse_results(request.POST, request.FILES, results)
        if not errors:
            try:
                services.inspection_save_results(
                    inspection=inspection, actor=request.user, results=answers
                )
                by_pk = {r.pk: r for r in results}
                for result_pk, upload in photos.items():
                    services.inspection_add_photo(
                        result=by_pk[result_pk], file=upload, actor=request.user
                    )
                if request.POST.get("action") == "pass_rest":
                    marked = services.inspection_pass_remaining(
                        inspection=inspection, actor=request.user
                    )
                    messages.success(
                        request,
                        _("已保存，并将其余 %(count)s 项未填的检查项标为合格。")
                        % {"count": marked},
                    )
                    return redirect("inspections:inspection_form", pk=inspection.pk)
                if request.POST.get("action") == "complete" and complete_form.is_valid():
                    services.inspection_complete(
                        inspection=inspection,
                        actor=request.user,
                        outcome=complete_form.cleaned_data["outcome"] or None,
                        summary=complete_form.cleaned_data["summary"],
                    )
                    messages.success(request, _("检查已完成，不合格项已生成整改问题并通知机构。"))
                    return redirect("inspections:inspection_detail", pk=inspection.pk)
            except ValidationError as error:
                errors = error.messages
            else:
                if request.POST.get("action") != "complete":
                    messages.success(request, _("已保存草稿。"))
                    return redirect("inspections:inspection_form", pk=inspection.pk)
        inspection.refresh_from_db()
    status = 400 if errors else 200
    return render(
        request,
        "inspections/inspection_form.html",
        _form_context(inspection, errors=errors, complete_form=complete_form),
        status=status,
    )


@portal_page
@require_POST
def inspection_draft(request, pk: int):
    """Save answers sent by the form's script: `{"results": {"<id>": {"result", "note"}}}`."""
    inspection = _inspection(request, pk)
    try:
        payload = json.loads(request.body or b"{}")
        results = {int(k): dict(v) for k, v in (payload.get("results") or {}).items()}
    except (ValueError, TypeError, AttributeError):
        return JsonResponse({"detail": _("请求格式有误。")}, status=400)
    try:
        services.inspection_save_results(inspection=inspection, actor=request.user, results=results)
    except services.NotAllowed as error:
        return JsonResponse({"detail": " ".join(error.messages)}, status=403)
    except ValidationError as error:
        return JsonResponse({"detail": " ".join(error.messages)}, status=400)
    score = score_of(inspection.results.values("result", "weight"))
    return JsonResponse(
        {
            "saved": len(results),
            "saved_at": timezone.localtime().strftime("%H:%M:%S"),
            "score": str(score.score) if score.score is not None else None,
            "answered": score.answered,
            "total": score.total,
            "failed": score.failed,
        }
    )


@portal_page
@require_POST
def inspection_photo(request, pk: int):
    inspection = _inspection(request, pk)
    result_pk = request.POST.get("result", "")
    upload = request.FILES.get("file")
    if not result_pk.isdigit() or upload is None:
        return HttpResponseBadRequest(_("缺少检查项或照片。"))
    result = get_scoped_or_404(
        request.user, InspectionResult, pk=int(result_pk), inspection=inspection
    )
    try:
        photo = services.inspection_add_photo(result=result, file=upload, actor=request.user)
    except services.NotAllowed as error:
        if _wants_json(request):
            return JsonResponse({"detail": " ".join(error.messages)}, status=403)
        raise PermissionDenied(" ".join(error.messages)) from None
    except ValidationError as error:
        if _wants_json(request):
            return JsonResponse({"detail": " ".join(error.messages)}, status=400)
        messages.error(request, " ".join(error.messages))
        return redirect("inspections:inspection_form", pk=inspection.pk)
    if _wants_json(request):
        return JsonResponse(
            {"id": photo.pk, "url": reverse("inspections:photo_file", args=[photo.pk])},
            status=201,
        )
    messages.success(request, _("照片已上传。"))
    return redirect("inspections:inspection_form", pk=inspection.pk)


@portal_page
@require_GET
def photo_file(request, pk: int):
    photo = get_scoped_or_404(request.user, InspectionPhoto, pk=pk)
    return file_response(photo.file)


@portal_page
@require_POST
def photo_delete(request, pk: int):
    photo = get_scoped_or_404(
        request.user, InspectionPhoto.objects.select_related("result__inspection"), pk=pk
    )
    inspection_pk = photo.result.inspection_id
    try:
        services.inspection_remove_photo(photo=photo, actor=request.user)
    except services.NotAllowed as error:
        raise PermissionDenied(" ".join(error.messages)) from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("照片已删除。"))
    return redirect("inspections:inspection_form", pk=inspection_pk)


@portal_page
@require_POST
def finding_add(request, pk: int):
    inspection = _inspection(request, pk)
    form = FindingAddForm(request.POST)
    if form.is_valid():
        try:
            finding = services.finding_create(
                inspection=inspection, actor=request.user, **form.cleaned_data
            )
        except services.NotAllowed as error:
            raise PermissionDenied(" ".join(error.messages)) from None
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("已添加问题，整改期限 %(day)s。") % {"day": finding.deadline}
            )
            return redirect("inspections:finding_detail", pk=finding.pk)
    else:
        messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
    return redirect("inspections:inspection_detail", pk=inspection.pk)
