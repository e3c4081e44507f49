"""Helpers every inspection service uses: the domain refusal, saving with history, who may act."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from institutions.models import Institution
from portal.roles import Role, can_write, has_role, is_bureau

from ..models import (
    Inspection,
)
from ..validators import (
    field_error,
)


class NotAllowed(ValidationError):
    """The actor may not do this (the API answers 403, pages show the message)."""

    def __init__(self, message: str, code: str = "not_allowed") -> None:
        super().__init__(message, code=code)


def _history(instance: models.Model, actor, reason: str | None = None) -> None:
    if actor is not None and getattr(actor, "is_authenticated", False):
        instance._history_user = actor
    instance._change_reason = reason[:100] if reason else None


def _save(instance: models.Model, *, actor, reason: str | None = None, exclude=None):
    instance.full_clean(exclude=exclude)
    _history(instance, actor, reason)
    instance.save()
    return instance


def is_inspector_or_bureau(user) -> bool:
    return bool(
        getattr(user, "is_superuser", False) or is_bureau(user) or has_role(user, Role.INSPECTOR)
    )


def is_operator_of(user, institution_id: int) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return Institution.objects.filter(pk=institution_id, operators=user).exists()


def _require_writer(actor) -> None:
    if not can_write(actor):
        raise NotAllowed(_("您的账号只能查看，不能修改。"))


def _require_bureau(actor) -> None:
    _require_writer(actor)
    if not is_bureau(actor):
        raise NotAllowed(_("只有卫健局工作人员可以执行此操作。"))


def _require_inspection_editor(inspection: Inspection, actor) -> None:
    """The inspection's own inspectors, or bureau staff."""
    _require_writer(actor)
    if is_bureau(actor):
        return
    if has_role(actor, Role.INSPECTOR) and inspection.inspectors.filter(pk=actor.pk).exists():
        return
    raise NotAllowed(_("只有本次检查的检查人员或卫健局工作人员可以填写。"))


def _require_draft(inspection: Inspection) -> None:
    if inspection.state != Inspection.State.DRAFT:
        raise ValidationError(
            _("该检查已完成，结果已锁定，不能再修改。"), code="inspection_completed"
        )


def _inspector_users(inspectors: Iterable) -> list:
    users = list(inspectors)
    User = get_user_model()
    ids = [u.pk if isinstance(u, User) else int(u) for u in users]
    found = list(User.objects.filter(pk__in=ids, is_active=True).prefetch_related("groups"))
    if len(found) != len(set(ids)):
        raise field_error("inspectors", _("检查人员不存在或已停用。"), "inspector")
    for user in found:
        if not is_inspector_or_bureau(user):
            raise field_error(
                "inspectors",
                _("“%(name)s”不是检查员。") % {"name": user.get_username()},
                "not_inspector",
            )
    return found
