"""Helpers the inspection pages share: the login decorator, who may fill, answer or review,
the scoped inspection lookup and serving a stored file."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from portal.roles import (
    Role,
    can_write,
    get_scoped_or_404,
    has_role,
    is_bureau,
    sees_every_institution,
)

from .. import services
from ..models import Inspection
from ..validators import sniff_type

LOGIN_URL = reverse_lazy("institutions:login")
PAGE_SIZE = 30
PUBLIC_PAGE_SIZE = 20
PUBLIC_DRAWS = 5  # the latest published draws, on the first page


def page(view):
    """Login required (the portal's login, for every role); never cached: these pages show
    records that are not public."""
    return login_required(never_cache(view), login_url=LOGIN_URL)


def _require_city_wide(request) -> None:
    if not sees_every_institution(request.user):
        raise PermissionDenied(_("只有卫健局、检查员和监督部门可以查看此页面。"))


def _require_bureau(request) -> None:
    if not (is_bureau(request.user) and can_write(request.user)):
        raise PermissionDenied(_("只有卫健局工作人员可以执行此操作。"))


def _can_fill(user, inspection: Inspection) -> bool:
    if inspection.state != Inspection.State.DRAFT or not can_write(user):
        return False
    if is_bureau(user):
        return True
    return has_role(user, Role.INSPECTOR) and any(
        u.pk == user.pk for u in inspection.inspectors.all()
    )


def _can_review(user, institution_id: int) -> bool:
    return (
        can_write(user)
        and services.is_inspector_or_bureau(user)
        and not services.is_operator_of(user, institution_id)
    )


def _can_answer(user, institution_id: int) -> bool:
    return (
        can_write(user)
        and has_role(user, Role.OPERATOR)
        and services.is_operator_of(user, institution_id)
    )


def _inspection(request, pk: int) -> Inspection:
    return get_scoped_or_404(
        request.user,
        Inspection.objects.select_related("institution__township", "template").prefetch_related(
            "inspectors"
        ),
        pk=pk,
    )


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def file_response(field_file):
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    head = handle.read(16)
    handle.seek(0)
    content_type = sniff_type(head) or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, no-store"
    return response
