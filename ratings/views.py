"""Star-rating pages (星级评定), /xingji/: the list, an operator's application and self-assessment
with evidence, the inspectors' review (the inspection form's phone-first layout: one item per
card, a score and a note, the total and the level it reaches in a bar on top) and the bureau's
decision. Each works without JavaScript."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from institutions.models import Institution
from portal.pages import is_operator, operated_ids, portal_page
from portal.roles import get_scoped_or_404, scope, sees_every_institution
from portal.uploads import file_response

from . import services
from .forms import ApplicationCreateForm, DecisionForm, ReturnForm, parse_rows
from .models import Evidence, RatingApplication

State = RatingApplication.State
PAGE_SIZE = 30


def _require_reader(request) -> None:
    if not (is_operator(request.user) or sees_every_institution(request.user)):
        raise PermissionDenied(_("只有托育机构经办人和卫健局等部门的工作人员可以查看星级评定。"))


def _application(request, pk: int) -> RatingApplication:
    return get_scoped_or_404(
        request.user,
        RatingApplication.objects.select_related(
            "institution__township", "criteria_set", "reviewed_by", "decided_by"
        ).prefetch_related("criteria_set__thresholds"),
        pk=pk,
    )


def _rows(application: RatingApplication) -> list:
    rows = list(application.scores.select_related("criterion").order_by("criterion__order"))
    files: dict[int, list] = {}
    for evidence in application.evidence.all():
        files.setdefault(evidence.criterion_id or 0, []).append(evidence)
    for row in rows:
        row.files = files.get(row.criterion_id, [])
    application.general_files = files.get(0, [])
    return rows


def _summary(application: RatingApplication, rows: list) -> dict:
    self_total = services.total(rows, "self_score")
    review_total = services.total(rows, "review_score")
    return {
        "rows": rows,
        "answered_self": sum(r.self_score is not None for r in rows),
        "answered_review": sum(r.review_score is not None for r in rows),
        "self_total": self_total,
        "review_total": review_total,
        "self_stars": application.criteria_set.stars_for(self_total),
        "review_stars": application.criteria_set.stars_for(review_total),
        "max_total": sum(r.criterion.max_score for r in rows),
        "thresholds": list(application.criteria_set.thresholds.all()),
    }


@portal_page
@require_GET
def application_list(request):
    _require_reader(request)
    applications = scope(request.user, RatingApplication).select_related(
        "institution", "criteria_set"
    )
    state = request.GET.get("state", "")
    if state in State.values:
        applications = applications.filter(state=state)
    page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "ratings/application_list.html",
        {
            "page": page,
            "state": state,
            "states": State.choices,
            "can_apply": bool(operated_ids(request.user)),
        },
    )


@portal_page
@require_http_methods(["GET", "POST"])
def application_new(request):
    ids = operated_ids(request.user)
    if not ids:
        raise PermissionDenied(_("只有托育机构经办人可以申请星级评定。"))
    institutions = Institution.objects.filter(pk__in=ids).order_by("name")
    form = ApplicationCreateForm(request.POST or None, institutions=institutions)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            application = services.application_create(
                institution=data["institution"],
                criteria_set=data["criteria_set"],
                stars_applied=data["stars_applied"],
                note=data["note"],
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("申请已创建，请逐项自评并上传佐证材料。"))
            return redirect("ratings:self_assessment", pk=application.pk)
    return render(
        request, "ratings/application_new.html", {"form": form}, status=400 if form.errors else 200
    )


@portal_page
@require_GET
def application_detail(request, pk: int):
    application = _application(request, pk)
    rows = _rows(application)
    bureau = services.may_decide(request.user)
    return render(
        request,
        "ratings/application_detail.html",
        {
            "application": application,
            **_summary(application, rows),
            "can_edit": application.editable
            and services.operates(request.user, application.institution_id),
            "can_review": application.state == State.SUBMITTED
            and services.may_review(request.user, application),
            "can_decide": application.state == State.REVIEWED and bureau,
            "decision_form": DecisionForm(application=application)
            if application.state == State.REVIEWED and bureau
            else None,
            "return_form": ReturnForm() if application.state == State.REVIEWED and bureau else None,
        },
    )


def _save_uploads(application, uploads, actor) -> list[str]:
    errors = []
    criteria = {c.pk: c for c in application.criteria_set.criteria.all()}
    for key, upload in uploads.items():
        try:
            services.evidence_add(
                application=application, file=upload, actor=actor, criterion=criteria.get(key)
            )
        except ValidationError as error:
            errors.extend(error.messages)
    return errors


@portal_page
@require_http_methods(["GET", "POST"])
def self_assessment(request, pk: int):
    """The operator's form: a score and a note per item, evidence files, then submit."""
    application = _application(request, pk)
    if not services.operates(request.user, application.institution_id):
        raise PermissionDenied(_("只有本机构的经办人可以填写和提交申请。"))
    if not application.editable:
        return redirect("ratings:application_detail", pk=application.pk)
    errors: list[str] = []
    if request.method == "POST":
        answers, uploads = parse_rows(request.POST, request.FILES, application)
        try:
            services.application_save_self(
                application=application,
                answers=answers,
                actor=request.user,
                note=request.POST.get("note"),
            )
        except ValidationError as error:
            errors = error.messages
        errors += _save_uploads(application, uploads, request.user)
        if not errors:
            if request.POST.get("action") == "submit":
                try:
                    services.application_submit(application=application, actor=request.user)
                except ValidationError as error:
                    errors = error.messages
                else:
                    messages.success(request, _("申请已提交，等待评审。"))
                    return redirect("ratings:application_detail", pk=application.pk)
            else:
                messages.success(request, _("已保存草稿。"))
                return redirect("ratings:self_assessment", pk=application.pk)
        application.refresh_from_db()
    rows = _rows(application)
    return render(
        request,
        "ratings/self_assessment.html",
        {"application": application, **_summary(application, rows), "errors": errors},
        status=400 if errors else 200,
    )


@portal_page
@require_http_methods(["GET", "POST"])
def review(request, pk: int):
    """The reviewer's form on a phone: each item's self-assessment and evidence, a score and a
    note; save as a draft, complete the review, or return the application."""
    application = _application(request, pk)
    if not services.may_review(request.user, application):
        raise PermissionDenied(_("只有检查员或卫健局工作人员可以评审，且不能评审自己经办的机构。"))
    if application.state != State.SUBMITTED:
        return redirect("ratings:application_detail", pk=application.pk)
    errors: list[str] = []
    return_form = ReturnForm()
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if action == "return":
            return_form = ReturnForm(request.POST)
            if return_form.is_valid():
                services.application_return(
                    application=application,
                    note=return_form.cleaned_data["note"],
                    actor=request.user,
                )
                messages.success(request, _("申请已退回机构修改。"))
                return redirect("ratings:application_detail", pk=application.pk)
            errors = [_("请写明退回原因。")]
        else:
            answers, _uploads = parse_rows(request.POST, {}, application)
            try:
                services.review_save(
                    application=application,
                    answers=answers,
                    actor=request.user,
                    note=request.POST.get("review_note"),
                    complete=action == "complete",
                )
            except ValidationError as error:
                errors = error.messages
            else:
                if action == "complete":
                    messages.success(request, _("评审已完成，等待卫健局决定。"))
                    return redirect("ratings:application_detail", pk=application.pk)
                messages.success(request, _("已保存草稿。"))
                return redirect("ratings:review", pk=application.pk)
        application.refresh_from_db()
    rows = _rows(application)
    return render(
        request,
        "ratings/review.html",
        {
            "application": application,
            **_summary(application, rows),
            "errors": errors,
            "return_form": return_form,
        },
        status=400 if errors else 200,
    )


@portal_page
@require_POST
def decide(request, pk: int):
    application = _application(request, pk)
    if not services.may_decide(request.user):
        raise PermissionDenied(_("只有卫健局工作人员可以作出评定决定。"))
    if request.POST.get("action") == "return":
        form = ReturnForm(request.POST)
        if form.is_valid():
            try:
                services.application_return(
                    application=application, note=form.cleaned_data["note"], actor=request.user
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("申请已退回机构修改。"))
        else:
            messages.error(request, _("请写明退回原因。"))
        return redirect("ratings:application_detail", pk=application.pk)
    form = DecisionForm(request.POST, application=application)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.application_decide(
                application=application,
                approve=data["decision"] == "approve",
                stars=data["stars"],
                expires_on=data["expires_on"],
                note=data["note"],
                actor=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("评定决定已保存。"))
    else:
        messages.error(request, _("请填写决定。"))
    return redirect("ratings:application_detail", pk=application.pk)


@portal_page
@require_GET
def evidence_file(request, pk: int):
    evidence = get_scoped_or_404(request.user, Evidence, pk=pk)
    return file_response(evidence.file)


@portal_page
@require_POST
def evidence_delete(request, pk: int):
    evidence = get_scoped_or_404(
        request.user, Evidence.objects.select_related("application"), pk=pk
    )
    try:
        services.evidence_remove(evidence=evidence, actor=request.user)
    except services.NotAllowed as error:
        raise PermissionDenied(" ".join(error.messages)) from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("佐证材料已删除。"))
    return redirect("ratings:self_assessment", pk=evidence.application_id)
