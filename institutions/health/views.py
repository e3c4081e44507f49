"""Pages of medical–childcare integration (/weisheng/): a health facility's users record their
own facility's sessions with attendance lists, guidance visits and monthly screening figures;
the bureau links old free-text records to facilities; everyone who may see it reads the
three-level network."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.pages import (
    add_service_error,
    bureau_acts,
    is_operator,
    operated_ids,
    portal_page,
    require_bureau_actor,
)
from portal.roles import get_scoped_or_404, scope, sees_every_institution
from portal.spreadsheets.formats import SpreadsheetFileError

from ..lecturers.selectors import members_for_session
from ..models import CareContract, Institution, ParentingSession
from . import selectors, services
from .forms import (
    AttendanceFileForm,
    AttendanceForm,
    ContractServiceForm,
    GuidanceForm,
    HealthSessionForm,
    LinkForm,
    ScreeningForm,
)
from .models import ContractServiceMonth, GuidanceVisit, HealthFacility, ScreeningMonth
from .resources import AttendanceResource, import_attendance

PAGE_SIZE = 50
NETWORK_FACILITIES = 3


def _require_reader(request) -> None:
    """City-wide roles and health facilities' users; a 403 for anyone else."""
    if not (sees_every_institution(request.user) or selectors.is_health_centre(request.user)):
        raise PermissionDenied(_("只有卫健局和医疗卫生机构的用户可以查看此页面。"))


def _context(request, current: str, **extra) -> dict:
    return {
        "nav_current": current,
        "nav_bureau": sees_every_institution(request.user),
        "may_link": bureau_acts(request.user),
        **extra,
    }


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


@portal_page
@require_http_methods(["GET"])
def network(request):
    """/weisheng/wangluo/: county → township facility → institutions, with each instructor."""
    _require_reader(request)
    today = timezone.localdate()
    # A page draws NETWORK_FACILITIES township facilities with all their institutions; the
    # summary above lists every facility with its count (a province has thousands of rows).
    facilities = list(selectors.network_facilities(request.user, today))
    page = Paginator(facilities, NETWORK_FACILITIES).get_page(request.GET.get("page"))
    data = selectors.network(request.user, today, facilities=page.object_list)
    for number in page.paginator.page_range:
        for facility in page.paginator.page(number).object_list:
            facility.page_number = number
    return render(
        request,
        "health/network.html",
        _context(
            request,
            "network",
            network=data,
            page=page,
            facilities=facilities,
            contracted=sum(f.contracted for f in facilities),
        ),
    )


@portal_page
@require_http_methods(["GET", "POST"])
def sessions(request):
    """/weisheng/huodong/: sessions organised by health facilities; their users add their own."""
    _require_reader(request)
    facilities = selectors.acting_facilities(request.user)
    form = None
    if facilities.exists():
        form = HealthSessionForm(
            request.POST or None,
            facilities=facilities,
            lecturers=members_for_session(request.user),
            initial={"held_on": timezone.localdate()},
        )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("您的账号不能登记医疗卫生机构的活动。"))
        if form.is_valid():
            try:
                session = services.health_session_save(
                    session=form.session(),
                    facility=form.cleaned_data["facility"],
                    mobiles=form.cleaned_data["mobiles"],
                    lecturers=form.cleaned_data["lecturers"],
                    actor=request.user,
                )
            except ValidationError as error:
                add_service_error(form, error, model=ParentingSession)
            else:
                messages.success(
                    request,
                    _("已登记%(day)s的活动“%(topic)s”，参与家庭%(families)s户。")
                    % {
                        "day": session.held_on.isoformat(),
                        "topic": session.topic,
                        "families": session.families_reached,
                    },
                )
                return redirect("health:sessions")
    listing = selectors.facility_sessions(request.user)
    summary = selectors.facility_session_summary(request.user)
    return render(
        request,
        "health/sessions.html",
        _context(request, "sessions", form=form, page=_page(request, listing), summary=summary),
        status=400 if form is not None and form.errors else 200,
    )


def _may_edit_attendance(user, session: ParentingSession) -> bool:
    """A facility's session: its facility's users and the bureau (acting_facilities). An
    institution's: its operators (the session was found in their scope) and the bureau. An old
    health-centre session not yet linked to a facility: the bureau."""
    if session.facility_id is not None:
        return selectors.acting_facilities(user).filter(pk=session.facility_id).exists()
    if session.institution_id is not None and is_operator(user):
        if session.institution_id in operated_ids(user):
            return True
    return bureau_acts(user)


def _require_attendance_reader(request) -> None:
    """The health pages' readers, and operators (their own institutions' sessions only: the
    lookup below is scoped, another institution's session is a 404)."""
    if not is_operator(request.user):
        _require_reader(request)


def _attendance_session(request, pk: int) -> ParentingSession:
    _require_attendance_reader(request)
    return get_scoped_or_404(
        request.user,
        ParentingSession.objects.select_related("facility", "township", "institution"),
        pk=pk,
    )


def _attendance_page(request, session, *, form, file_form, errors=(), status=200):
    return render(
        request,
        "health/attendance.html",
        _context(
            request,
            "sessions",
            session=session,
            listed=session.attendance.count(),
            form=form,
            file_form=file_form,
            errors=list(errors),
            back=_session_list_url(request, session),
            health_nav=sees_every_institution(request.user)
            or selectors.is_health_centre(request.user),
        ),
        status=status,
    )


def _session_list_url(request, session: ParentingSession) -> str:
    if session.institution_id is not None or not (
        sees_every_institution(request.user) or selectors.is_health_centre(request.user)
    ):
        return reverse("reports:sessions")
    return reverse("health:sessions")


@portal_page
@require_http_methods(["GET", "POST"])
def attendance(request, pk: int):
    """/weisheng/huodong/<pk>/mingdan/: a session's attendance list, replaced as a whole (typed
    here or imported from a spreadsheet). The numbers are never shown again: the page says how
    many families are on the list."""
    session = _attendance_session(request, pk)
    may_edit = _may_edit_attendance(request.user, session)
    form = AttendanceForm(request.POST or None) if may_edit else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("您的账号不能修改这场活动的签到名单。"))
        if form.is_valid():
            try:
                count = services.attendance_replace(
                    session=session, mobiles=form.cleaned_data["mobiles"], actor=request.user
                )
            except ValidationError as error:
                add_service_error(form, error, model=ParentingSession)
            else:
                messages.success(request, _("签到名单已保存：%(n)s户家庭。") % {"n": count})
                return redirect("health:attendance", pk=session.pk)
    return _attendance_page(
        request,
        session,
        form=form,
        file_form=AttendanceFileForm() if may_edit else None,
        status=400 if form is not None and form.errors else 200,
    )


@portal_page
@require_http_methods(["GET", "POST"])
def attendance_import(request, pk: int):
    """/weisheng/huodong/<pk>/mingdan/daoru/: the list from a spreadsheet (one column 家长手机号),
    with the rules of every import: all or nothing, each problem named by its row, never a
    number echoed back."""
    session = _attendance_session(request, pk)
    if not _may_edit_attendance(request.user, session):
        raise PermissionDenied(_("您的账号不能修改这场活动的签到名单。"))
    file_form = AttendanceFileForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and file_form.is_valid():
        data = file_form.cleaned_data["file"].read()
        try:
            result, families = import_attendance(
                data, file_form.format, session=session, actor=request.user
            )
        except (SpreadsheetFileError, ValueError) as error:
            errors = [str(error)]
        else:
            if result.messages:
                errors = result.messages
            else:
                messages.success(request, _("已导入签到名单：%(n)s户家庭。") % {"n": families})
                return redirect("health:attendance", pk=session.pk)
    return _attendance_page(
        request,
        session,
        form=AttendanceForm(),
        file_form=file_form,
        errors=errors,
        status=400 if errors or file_form.errors else 200,
    )


@portal_page
@require_http_methods(["GET"])
def attendance_template(request):
    """/weisheng/huodong/mingdan/muban/: the empty import template (one column, 家长手机号)."""
    _require_attendance_reader(request)
    response = HttpResponse(
        AttendanceResource.template_xlsx(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = content_disposition_header(True, "签到名单导入模板.xlsx")
    return response


@portal_page
@require_http_methods(["GET", "POST"])
def guidance(request):
    """/weisheng/zhidao/: instructors' guidance visits; a facility's users record theirs at the
    institutions linked to it, the bureau any facility's. Whoever keys it chooses the instructor
    (the signed-in user by default when one of the choices) and is kept as `created_by`."""
    _require_reader(request)
    facilities = selectors.acting_facilities(request.user)
    form = None
    if facilities.exists():
        institutions = scope(
            request.user, Institution.objects.select_related("township"), facility_links=True
        ).filter(filed_on__isnull=False)
        form = GuidanceForm(
            request.POST or None,
            facilities=facilities,
            institutions=institutions.order_by("name"),
            instructors=selectors.instructor_candidates(facilities, institutions),
            user=request.user,
            initial={"visited_on": timezone.localdate()},
        )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("您的账号不能登记健康指导。"))
        if form.is_valid():
            try:
                services.guidance_save(visit=form.visit(), actor=request.user)
            except ValidationError as error:
                add_service_error(form, error, model=GuidanceVisit)
            else:
                messages.success(request, _("已登记健康指导记录。"))
                return redirect("health:guidance")
    listing = (
        scope(request.user, GuidanceVisit)
        .select_related("institution", "facility", "instructor")
        .order_by("-visited_on", "-pk")
    )
    return render(
        request,
        "health/guidance.html",
        _context(request, "guidance", form=form, page=_page(request, listing)),
        status=400 if form is not None and form.errors else 200,
    )


@portal_page
@require_http_methods(["GET", "POST"])
def screening(request):
    """/weisheng/shaicha/: each facility's monthly screening figures (counts only)."""
    _require_reader(request)
    facilities = selectors.acting_facilities(request.user)
    form = None
    if facilities.exists():
        form = ScreeningForm(request.POST or None, facilities=facilities)
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("您的账号不能填报筛查数据。"))
        if form.is_valid():
            try:
                row = services.screening_save(
                    facility=form.cleaned_data["facility"],
                    period=form.cleaned_data["period"],
                    figures=form.figures(),
                    actor=request.user,
                )
            except ValidationError as error:
                add_service_error(form, error, model=ScreeningMonth)
            else:
                messages.success(
                    request,
                    _("已保存%(facility)s %(month)s的筛查数据。")
                    % {"facility": row.facility.name, "month": f"{row.period:%Y-%m}"},
                )
                return redirect("health:screening")
    listing = (
        scope(request.user, ScreeningMonth)
        .select_related("facility")
        .order_by("-period", "facility__name")
    )
    return render(
        request,
        "health/screening.html",
        _context(request, "screening", form=form, page=_page(request, listing)),
        status=400 if form is not None and form.errors else 200,
    )


@portal_page
@require_http_methods(["GET", "POST"])
def contract_services(request):
    """/weisheng/qianyue/: what each facility delivered under its "1+1" contracts, per month."""
    _require_reader(request)
    facilities = selectors.acting_facilities(request.user)
    form = None
    if facilities.exists():
        contracts = (
            CareContract.objects.filter(facility__in=facilities)
            .filter(selectors.contracts_valid_on(timezone.localdate()))
            .select_related("institution", "facility")
            .order_by("facility__name", "institution__name")
        )
        form = ContractServiceForm(request.POST or None, contracts=contracts)
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("您的账号不能填报签约服务。"))
        if form.is_valid():
            try:
                row = services.contract_service_save(
                    contract=form.cleaned_data["contract"],
                    period=form.cleaned_data["period"],
                    figures=form.figures(),
                    notes=form.cleaned_data["notes"],
                    actor=request.user,
                )
            except ValidationError as error:
                add_service_error(form, error, model=ContractServiceMonth)
            else:
                messages.success(
                    request,
                    _("已保存%(institution)s %(month)s的签约服务。")
                    % {
                        "institution": row.contract.institution.name,
                        "month": f"{row.period:%Y-%m}",
                    },
                )
                return redirect("health:contract_services")
    listing = (
        scope(request.user, ContractServiceMonth)
        .select_related("contract__institution", "contract__facility")
        .order_by("-period", "contract__institution__name")
    )
    return render(
        request,
        "health/contract_services.html",
        _context(request, "contract_services", form=form, page=_page(request, listing)),
        status=400 if form is not None and form.errors else 200,
    )


@portal_page
@require_http_methods(["GET", "POST"])
def unlinked(request):
    """/weisheng/guanlian/: contracts and sessions that name a facility only as text; bureau
    staff link each one, or all that match a facility's name at once."""
    if not sees_every_institution(request.user):
        raise PermissionDenied(_("只有卫健局等部门的工作人员可以查看此页面。"))
    if request.method == "POST":
        require_bureau_actor(request)
        if request.POST.get("match") == "1":
            contracts, sessions_ = services.link_by_name(actor=request.user)
            messages.success(
                request,
                _("按名称关联了%(c)s份签约、%(s)s次活动。") % {"c": contracts, "s": sessions_},
            )
            return redirect("health:unlinked")
        form = LinkForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["kind"] == "contract":
                    contract = get_scoped_or_404(request.user, CareContract, pk=data["record"])
                    services.contract_link(
                        contract=contract, facility=data["facility"], actor=request.user
                    )
                else:
                    session = get_scoped_or_404(request.user, ParentingSession, pk=data["record"])
                    services.session_link(
                        session=session, facility=data["facility"], actor=request.user
                    )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("已关联到%(name)s。") % {"name": data["facility"]})
            return redirect("health:unlinked")
        messages.error(request, _("请选择要关联的医疗卫生机构。"))
        return redirect("health:unlinked")
    contracts = selectors.unlinked_contracts()
    sessions_ = selectors.unlinked_sessions()
    return render(
        request,
        "health/unlinked.html",
        _context(
            request,
            "unlinked",
            contracts=Paginator(contracts, PAGE_SIZE).get_page(request.GET.get("c")),
            sessions=Paginator(sessions_, PAGE_SIZE).get_page(request.GET.get("s")),
            facilities=list(HealthFacility.objects.select_related("township")),
            link_form=LinkForm(),
        ),
    )
