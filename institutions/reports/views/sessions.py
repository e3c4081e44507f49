"""Parenting-care group sessions (养育照护小组活动, /yangyu/): operators and bureau staff record
them; city-wide roles export a month's sessions as a spreadsheet."""

from __future__ import annotations

from io import BytesIO

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods

from institutions.lecturers.selectors import members_for_session
from institutions.models import Institution
from portal.dates import month_end
from portal.pages import add_service_error, bureau_acts, is_operator, portal_page, require_city_wide
from portal.roles import is_bureau, scope, sees_every_institution

from .. import services
from ..forms import ParentingSessionForm, SessionFilterForm
from ..models import MonthlyReport, ParentingSession
from ..resources import lecturer_names, session_export_queryset
from .common import (
    PAGE_SIZE,
    SERVICE_ERROR_LABELS,
    nav_context,
)


def _may_add_sessions(user) -> bool:
    return bureau_acts(user) or is_operator(user)


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
            lecturers=members_for_session(user) if is_bureau(user) else None,
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
                session = services.parenting_session_save(
                    session=form.session(),
                    lecturers=form.cleaned_data.get("lecturers"),
                    facility=form.organiser_facility,
                    mobiles=form.cleaned_data.get("mobiles"),
                    actor=user,
                )
            except ValidationError as error:
                add_service_error(form, error, model=MonthlyReport, labels=SERVICE_ERROR_LABELS)
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
            **nav_context(request, "sessions"),
        },
        status=400 if form is not None and form.errors else 200,
    )


EXPORT_HEADERS = (
    _lazy("活动日期"),
    _lazy("组织方类型"),
    _lazy("组织方名称"),
    _lazy("组织医疗卫生机构"),
    _lazy("镇街"),
    _lazy("活动场所类型"),
    _lazy("所在社区"),
    _lazy("主题"),
    _lazy("主讲讲师"),
    _lazy("参与家庭数"),
    _lazy("填报人"),
)


@portal_page
@require_GET
def sessions_export(request):
    require_city_wide(request)
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
    listing = session_export_queryset(listing).order_by("held_on", "township__sort_order", "pk")
    for session in listing.iterator(chunk_size=2000):
        sheet.append(
            [
                session.held_on,
                session.get_organiser_kind_display(),
                session.organiser_name,
                session.facility.name if session.facility else "",
                session.township.name,
                session.get_venue_display() if session.venue else "",
                session.community.name if session.community else "",
                session.topic,
                lecturer_names(session),
                session.families_reached,
                (
                    session.created_by.get_full_name() or session.created_by.get_username()
                    if session.created_by
                    else ""
                ),
            ]
        )
    widths = (12, 22, 30, 30, 10, 12, 16, 30, 24, 12, 14)
    for column, width in zip("ABCDEFGHIJK", widths, strict=True):
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
