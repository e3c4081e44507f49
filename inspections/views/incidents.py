"""Incident reports (强制报告) and their follow-up trail."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from portal.pages import add_service_error, portal_page
from portal.roles import (
    can_write,
    get_scoped_or_404,
)

from .. import selectors, services
from ..forms import (
    FollowUpForm,
    IncidentForm,
    user_label,
)
from ..models import Incident
from .common import (
    PAGE_SIZE,
)


@portal_page
@require_GET
def incident_list(request):
    incidents = selectors.incident_list(request.user)
    kind = request.GET.get("kind", "")
    if kind in Incident.Kind.values:
        incidents = incidents.filter(kind=kind)
    listing = Paginator(incidents, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "inspections/incident_list.html",
        {
            "page": listing,
            "kinds": Incident.Kind.choices,
            "kind": kind,
            "can_report": can_write(request.user),
            "tab": "incidents",
        },
    )


@portal_page
@require_http_methods(["GET", "POST"])
def incident_new(request):
    if not can_write(request.user):
        raise PermissionDenied(_("您的账号只能查看，不能修改。"))
    form = IncidentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            incident = services.incident_report(actor=request.user, **form.cleaned_data)
        except services.NotAllowed as error:
            raise PermissionDenied(" ".join(error.messages)) from None
        except ValidationError as error:
            add_service_error(form, error)
        else:
            if incident.is_harm:
                messages.warning(request, _("已报告，并已立即通知卫健局。此类报告不能删除。"))
            else:
                messages.success(request, _("事件已报告。"))
            return redirect("inspections:incident_detail", pk=incident.pk)
    return render(request, "inspections/incident_new.html", {"form": form, "tab": "incidents"})


@portal_page
@require_http_methods(["GET", "POST"])
def incident_detail(request, pk: int):
    incident = get_scoped_or_404(
        request.user, Incident.objects.select_related("institution__township", "reported_by"), pk=pk
    )
    can_follow = can_write(request.user) and incident.state == Incident.State.OPEN
    form = FollowUpForm(request.POST or None) if can_follow else None
    if form is not None and not services.is_inspector_or_bureau(request.user):
        del form.fields["close"]
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("您的账号只能查看，不能修改。"))
        if form.is_valid():
            try:
                services.incident_follow_up(
                    incident=incident,
                    actor=request.user,
                    note=form.cleaned_data["note"],
                    close=form.cleaned_data.get("close", False),
                )
            except services.NotAllowed as error:
                raise PermissionDenied(" ".join(error.messages)) from None
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("已记录跟进情况。"))
                return redirect("inspections:incident_detail", pk=incident.pk)
    follow_ups = list(incident.follow_ups.select_related("author").order_by("created_at", "pk"))
    for follow_up in follow_ups:
        follow_up.author_label = user_label(follow_up.author)
    return render(
        request,
        "inspections/incident_detail.html",
        {
            "incident": incident,
            "reporter": user_label(incident.reported_by),
            "follow_ups": follow_ups,
            "form": form,
            "tab": "incidents",
        },
    )
