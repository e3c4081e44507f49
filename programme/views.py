"""The task force's pages (试点专班): /zhuanban/ and below. The office (bureau staff), the
departments' users, education staff and auditors read them; a department writes progress on its
own tasks only, and the office does the rest."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from institutions.models import ApprovedPlaces
from portal.pages import add_service_error, portal_page
from portal.roles import get_scoped_or_404, sees_programme
from portal.uploads import file_response

from . import kindergartens, selectors, services
from .exports import funds_xlsx
from .forms import (
    BoardFilterForm,
    DeliverableForm,
    FindingForm,
    FollowUpForm,
    KindergartenPlacesForm,
    ProgressForm,
    RoundForm,
    TaskSettingsForm,
)
from .funds import FORMULAS, funds_overview
from .models import (
    Deliverable,
    Department,
    ProgressEvidence,
    SupervisionFinding,
    SupervisionRound,
    Task,
)
from .pdf import weekly_summary_pdf
from .phases import current_phase, phases


def programme_page(view: Callable) -> Callable:
    """Signed in, never cached, and a reader of the programme (403 otherwise)."""

    @portal_page
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not sees_programme(request.user):
            raise PermissionDenied(_("只有试点工作专班的成员单位和卫健局可以查看此页面。"))
        return view(request, *args, **kwargs)

    return wrapped


@programme_page
@require_GET
def board(request):
    """/zhuanban/: every task by phase and department, overdue and at-risk highlighted."""
    today = timezone.localdate()
    form = BoardFilterForm(request.GET or None)
    phase, department = "", None
    if form.is_bound and form.is_valid():
        phase = form.cleaned_data["phase"]
        department = form.cleaned_data["department"]
    rows = selectors.board(
        today=today,
        user=request.user,
        phase=phase,
        department=department.pk if department else None,
    )
    return render(
        request,
        "programme/board.html",
        {
            "form": form,
            "rows": rows,
            "counts": selectors.board_counts(rows),
            "today": today,
            "phases": phases(),
            "current_phase": current_phase(today),
            "at_risk_days": selectors.AT_RISK_DAYS,
            "tab": "board",
        },
    )


def _task(request, number: int) -> Task:
    return get_scoped_or_404(request.user, selectors.task_detail(number), number=number)


@programme_page
@require_http_methods(["GET", "POST"])
def task_detail(request, number: int):
    """/zhuanban/renwu/<n>/: the task, its sub-items, progress and findings; POST "progress"
    (its departments or the office) or "settings" (the office)."""
    task = _task(request, number)
    departments = services.reporting_departments(request.user, task)
    office = services.office_acts(request.user)
    if office and not departments:
        departments = list(Department.objects.filter(hosts_office=True))
    progress_form = ProgressForm(task=task, departments=departments)
    settings_form = TaskSettingsForm(
        initial={
            "status": task.status,
            "due_date": task.due_date,
            "owner": task.owner,
            "phase": task.phase,
        }
    )
    status = 200
    if request.method == "POST":
        if not services.may_report(request.user, task):
            raise PermissionDenied(_("只有该任务的责任单位可以填报进展。"))
        action = request.POST.get("action")
        if action == "progress":
            progress_form = ProgressForm(
                request.POST, request.FILES, task=task, departments=departments
            )
            if progress_form.is_valid():
                data = progress_form.cleaned_data
                try:
                    services.progress_update_create(
                        task=task,
                        actor=request.user,
                        text=data["text"],
                        sub_item=data["sub_item"],
                        department=data["department"],
                        status=data["status"],
                        files=data["evidence"],
                    )
                except ValidationError as error:
                    add_service_error(progress_form, error, labels={"files": _("佐证材料")})
                else:
                    messages.success(request, _("进展已填报。"))
                    return redirect("programme:task_detail", number=task.number)
        elif action == "settings":
            if not office:
                raise PermissionDenied(_("只有专班办公室可以设定任务。"))
            settings_form = TaskSettingsForm(request.POST)
            if settings_form.is_valid():
                try:
                    services.task_settings_save(
                        item=task, actor=request.user, **settings_form.cleaned_data
                    )
                except ValidationError as error:
                    add_service_error(settings_form, error, model=Task)
                else:
                    messages.success(request, _("任务设定已保存。"))
                    return redirect("programme:task_detail", number=task.number)
        else:
            return redirect("programme:task_detail", number=task.number)
        status = 400
    return render(
        request,
        "programme/task_detail.html",
        {
            "task": task,
            "sub_items": list(task.sub_items.all()),
            "updates": selectors.updates_of(task),
            "findings": selectors.findings_of(task),
            "may_report": services.may_report(request.user, task),
            "office": office,
            "progress_form": progress_form,
            "settings_form": settings_form,
            "tab": "board",
        },
        status=status,
    )


@programme_page
@require_GET
def evidence_file(request, pk: int):
    evidence = get_scoped_or_404(request.user, ProgressEvidence, pk=pk)
    return file_response(evidence.file)


# --- Supervision ----------------------------------------------------------------------------------


@programme_page
@require_http_methods(["GET", "POST"])
def supervision_list(request):
    """/zhuanban/duban/: the rounds; the office records a new one (POST)."""
    form = RoundForm()
    status = 200
    if request.method == "POST":
        if not services.office_acts(request.user):
            raise PermissionDenied(_("只有专班办公室可以记录督导。"))
        form = RoundForm(request.POST)
        if form.is_valid():
            try:
                supervision = services.round_create(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_error(form, error, model=SupervisionRound)
            else:
                messages.success(request, _("督导已记录。"))
                return redirect("programme:round_detail", pk=supervision.pk)
        status = 400
    return render(
        request,
        "programme/supervision_list.html",
        {
            "rounds": selectors.rounds(),
            "form": form,
            "office": services.office_acts(request.user),
            "tab": "supervision",
        },
        status=status,
    )


@programme_page
@require_http_methods(["GET", "POST"])
def round_detail(request, pk: int):
    """/zhuanban/duban/<pk>/: the round's findings per task; POST "finding", "follow_up" or
    "close" (the office)."""
    supervision = get_scoped_or_404(request.user, selectors.rounds(), pk=pk)
    office = services.office_acts(request.user)
    form, status = FindingForm(), 200
    if request.method == "POST":
        if not office:
            raise PermissionDenied(_("只有专班办公室可以记录督导。"))
        action = request.POST.get("action")
        try:
            if action == "finding":
                form = FindingForm(request.POST)
                if form.is_valid():
                    services.finding_add(
                        supervision=supervision, actor=request.user, **form.cleaned_data
                    )
                    messages.success(request, _("督导发现已记录。"))
                    return redirect("programme:round_detail", pk=supervision.pk)
            elif action == "follow_up":
                finding = get_object_or_404(
                    SupervisionFinding, pk=request.POST.get("finding"), round=supervision
                )
                follow = FollowUpForm(request.POST)
                if follow.is_valid():
                    services.finding_follow_up(
                        finding=finding, actor=request.user, **follow.cleaned_data
                    )
                    messages.success(request, _("跟进情况已保存。"))
                    return redirect("programme:round_detail", pk=supervision.pk)
            elif action == "close" and request.POST.get("confirm") == "yes":
                services.round_close(supervision=supervision, actor=request.user)
                messages.success(request, _("督导已关闭。"))
                return redirect("programme:round_detail", pk=supervision.pk)
            else:
                return redirect("programme:round_detail", pk=supervision.pk)
        except ValidationError as error:
            add_service_error(form, error, model=SupervisionFinding)
        status = 400
    return render(
        request,
        "programme/round_detail.html",
        {
            "round": supervision,
            "findings": selectors.round_findings(supervision),
            "form": form,
            "office": office,
            "tab": "supervision",
        },
        status=status,
    )


# --- Funds ----------------------------------------------------------------------------------------


@programme_page
@require_GET
def funds(request):
    """/zhuanban/zijin/: every fund's months, the provincial subsidy's uses and the performance
    figures with their formulas."""
    return render(
        request,
        "programme/funds.html",
        {
            "overviews": funds_overview(),
            "formulas": FORMULAS,
            "tab": "funds",
        },
    )


@programme_page
@require_GET
def funds_export(request):
    """/zhuanban/zijin/daochu.xlsx: the same figures as the page, one row per fund, use and month."""
    return funds_xlsx(funds_overview())


# --- The public catalogue -------------------------------------------------------------------------


@require_GET
def catalogue_public(request):
    """/gongshi/mulu/: the basic public-service catalogue, published items only; no sign-in."""
    items = list(selectors.published_catalogue())
    _published, last_change = selectors.catalogue_summary()
    return render(
        request,
        "programme/catalogue_public.html",
        {"items": items, "last_change": last_change},
    )


@programme_page
@require_GET
def weekly_pdf(request):
    """/zhuanban/zhoubao.pdf: the task force meeting's weekly summary, as of today."""
    today = timezone.localdate()
    response = HttpResponse(weekly_summary_pdf(today), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=False, filename=_("专班周报-%(day)s.pdf") % {"day": f"{today:%Y-%m-%d}"}
    )
    return response


# --- Deliverables ---------------------------------------------------------------------------------


@programme_page
@require_http_methods(["GET", "POST"])
def deliverables(request):
    """/zhuanban/chengguo/: the documents and bodies the plan names (plan.md §8); the office
    records their state, dates and file (POST, one deliverable at a time)."""
    office = services.office_acts(request.user)
    items = list(Deliverable.objects.select_related("task").order_by("pk"))
    forms = {
        item.pk: DeliverableForm(
            initial={
                "state": item.state,
                "due_date": item.due_date,
                "done_on": item.done_on,
                "note": item.note,
            },
            prefix=f"d{item.pk}",
        )
        for item in items
    }
    status = 200
    if request.method == "POST":
        if not office:
            raise PermissionDenied(_("只有专班办公室可以更新成果。"))
        chosen = request.POST.get("deliverable", "")
        if not chosen.isdigit():
            messages.error(request, _("请选择要更新的成果。"))
            return redirect("programme:deliverables")
        item = get_object_or_404(Deliverable, pk=int(chosen))
        form = forms[item.pk] = DeliverableForm(request.POST, request.FILES, prefix=f"d{item.pk}")
        if form.is_valid():
            try:
                services.deliverable_save(deliverable=item, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_error(form, error, model=Deliverable)
            else:
                messages.success(request, _("成果已更新。"))
                return redirect("programme:deliverables")
        status = 400
    return render(
        request,
        "programme/deliverables.html",
        {
            "rows": [(item, forms[item.pk]) for item in items],
            "office": office,
            "tab": "deliverables",
        },
        status=status,
    )


@programme_page
@require_GET
def deliverable_file(request, pk: int):
    deliverable = get_scoped_or_404(request.user, Deliverable, pk=pk)
    if not deliverable.file:
        raise Http404
    return file_response(deliverable.file)


# --- Task 3: kindergartens' childcare classes -----------------------------------------------------


@programme_page
@require_http_methods(["GET", "POST"])
def kindergarten_places(request):
    """/zhuanban/tuoban/: kindergartens' childcare-class places (task 3); the office and the
    education bureau's department users record a new dated figure (POST)."""
    writer = kindergartens.may_write_kindergarten_places(request.user)
    rows = kindergartens.kindergartens()
    form, status = KindergartenPlacesForm(kindergartens=rows), 200
    if request.method == "POST":
        if not writer:
            raise PermissionDenied(_("只有专班办公室和任务三的牵头单位可以填报幼儿园托班托位。"))
        form = KindergartenPlacesForm(request.POST, kindergartens=rows)
        if form.is_valid():
            try:
                kindergartens.kindergarten_places_record(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_error(form, error, model=ApprovedPlaces)
            else:
                messages.success(request, _("托班托位已记录。"))
                return redirect("programme:kindergarten_places")
        status = 400
    return render(
        request,
        "programme/kindergartens.html",
        {"rows": rows, "form": form, "writer": writer, "tab": "kindergartens"},
        status=status,
    )
