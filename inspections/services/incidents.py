"""Incidents (强制报告): report, follow up, close; harm to a child escalated and never deleted."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from institutions.models import Institution
from portal.roles import Role, has_role

from .. import notify
from ..models import (
    Incident,
    IncidentFollowUp,
)
from ..validators import (
    field_error,
    validate_incident_time,
)
from .common import (
    NotAllowed,
    _history,
    _require_writer,
    _save,
    is_inspector_or_bureau,
    is_operator_of,
)


def _check_occurred_at(moment: dt.datetime) -> None:
    try:
        validate_incident_time(moment)
    except ValidationError as error:
        raise ValidationError({"occurred_at": error}) from None


def _require_incident_reporter(institution_id: int, actor) -> None:
    _require_writer(actor)
    if is_inspector_or_bureau(actor) or is_operator_of(actor, institution_id):
        return
    raise NotAllowed(_("只有该机构的经办人、检查员或卫健局工作人员可以报告事件。"))


@transaction.atomic
def incident_report(
    *,
    institution: Institution,
    actor,
    kind: str,
    occurred_at: dt.datetime,
    description: str,
    children_affected: int = 0,
    immediate_action: str = "",
) -> Incident:
    """Report an incident (强制报告). Suspected harm to a child is escalated to every bureau
    staff member at once (mail after commit) and can never be deleted."""
    _require_incident_reporter(institution.pk, actor)
    _check_occurred_at(occurred_at)
    incident = Incident(
        institution=institution,
        kind=kind,
        occurred_at=occurred_at,
        description=(description or "").strip(),
        children_affected=children_affected,
        immediate_action=(immediate_action or "").strip(),
        reported_by=actor,
    )
    if incident.is_harm:
        incident.escalated_at = timezone.now()
    _save(incident, actor=actor, reason="reported")
    if incident.is_harm:
        transaction.on_commit(lambda: notify.harm_incident_escalated(incident.pk))
    return incident


@transaction.atomic
def incident_update(*, incident: Incident, actor, **fields: Any) -> Incident:
    """Correct an open incident's kind or details. An incident about harm to a child cannot be
    turned into another kind (that would make it deletable); one turned into it is escalated."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    _require_incident_reporter(incident.institution_id, actor)
    allowed = {"kind", "occurred_at", "description", "children_affected", "immediate_action"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(
            _("这些字段不能修改：%s") % ", ".join(sorted(unknown)), code="readonly"
        )
    if "occurred_at" in fields:
        _check_occurred_at(fields["occurred_at"])
    was_harm = incident.is_harm
    for name, value in fields.items():
        setattr(incident, name, value)
    if was_harm and not incident.is_harm:
        raise field_error("kind", _("疑似伤害儿童的事件不能改为其他类型。"), "harm_kind_locked")
    escalate = incident.is_harm and incident.escalated_at is None
    if escalate:
        incident.escalated_at = timezone.now()
    _save(incident, actor=actor, reason="updated")
    if escalate:
        transaction.on_commit(lambda: notify.harm_incident_escalated(incident.pk))
    return incident


@transaction.atomic
def incident_follow_up(
    *, incident: Incident, actor, note: str, close: bool = False
) -> IncidentFollowUp:
    """Add a step to the follow-up trail; closing is for inspectors and bureau staff."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    _require_incident_reporter(incident.institution_id, actor)
    note = (note or "").strip()
    if not note:
        raise field_error("note", _("请填写跟进情况。"), "required")
    if incident.state == Incident.State.CLOSED:
        raise ValidationError(_("该事件已结案。"), code="incident_closed")
    if close and not is_inspector_or_bureau(actor):
        raise NotAllowed(_("只有检查员或卫健局工作人员可以结案。"))
    follow_up = _save(
        IncidentFollowUp(incident=incident, note=note, closes=close, author=actor),
        actor=actor,
        reason="follow-up",
    )
    if close:
        incident.state = Incident.State.CLOSED
        incident.closed_at = timezone.now()
        _save(incident, actor=actor, reason="closed")
    return follow_up


class IncidentUndeletable(NotAllowed):
    def __init__(self) -> None:
        super().__init__(
            _("疑似虐待或忽视儿童的事件报告不能删除，请通过跟进记录说明情况。"),
            code="incident_undeletable",
        )


@transaction.atomic
def incident_delete(*, incident: Incident, actor) -> None:
    """Delete an incident filed by mistake (bureau admin only). One about harm to a child is
    never deleted, by anyone."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.is_harm:
        raise IncidentUndeletable()
    _require_writer(actor)
    if not (getattr(actor, "is_superuser", False) or has_role(actor, Role.BUREAU_ADMIN)):
        raise NotAllowed(_("只有卫健局管理员可以删除事件报告。"))
    for follow_up in incident.follow_ups.all():
        _history(follow_up, actor, "deleted")
        follow_up.delete()
    _history(incident, actor, "deleted")
    incident.delete()
