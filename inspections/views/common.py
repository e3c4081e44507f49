"""Helpers the inspection pages share: who may fill, answer or review, the scoped inspection
lookup and serving a stored file. The login decorator and the bureau checks are portal.pages'."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _lazy

from portal.roles import (
    Role,
    can_write,
    get_scoped_or_404,
    has_role,
    is_bureau,
)

from .. import services
from ..models import Inspection

PAGE_SIZE = 30
PUBLIC_PAGE_SIZE = 20
PUBLIC_DRAWS = 5  # the latest published draws, on the first page


# Who may see or do this, as the reason of the 403 (portal.pages.require_city_wide and
# require_bureau_actor); the 403 page itself is the same for every refusal.
CITY_WIDE_ONLY = _lazy("只有卫健局、检查员和监督部门可以查看此页面。")
BUREAU_ONLY = _lazy("只有卫健局工作人员可以执行此操作。")


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
