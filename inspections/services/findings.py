"""Findings and rectifications: answer, verify and close or send back; the overdue marking."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.roles import Role, has_role

from .. import notify
from ..models import (
    Finding,
    Inspection,
    Rectification,
    RectificationEvidence,
    default_deadline,
)
from ..selectors import (
    overdue_findings,
)
from ..validators import (
    field_error,
    validate_evidence_file,
    validate_file_count,
    validate_public_wording,
)
from .common import (
    NotAllowed,
    _history,
    _require_inspection_editor,
    _require_writer,
    _save,
    is_inspector_or_bureau,
    is_operator_of,
)
from .inspections import (
    _locked,
)


def _locked_finding(finding: Finding) -> Finding:
    return (
        Finding.objects.select_for_update(of=("self",))
        .select_related("inspection")
        .get(pk=finding.pk)
    )


@transaction.atomic
def finding_create(
    *,
    inspection: Inspection,
    actor,
    title: str,
    severity: str,
    area: str,
    detail: str = "",
    deadline: dt.date | None = None,
) -> Finding:
    """A finding that is not a failed checklist item (e.g. noticed during a patrol)."""
    inspection = _locked(inspection)
    _require_inspection_editor(inspection, actor)
    if inspection.state != Inspection.State.COMPLETED:
        raise ValidationError(
            _("请先完成检查；不合格的检查项会自动生成问题。"), code="inspection_draft"
        )
    validate_public_wording(title)
    finding = Finding(
        inspection=inspection,
        area=area,
        title=title.strip(),
        detail=detail,
        severity=severity,
        found_on=inspection.inspected_on,
        deadline=deadline or default_deadline(inspection.inspected_on, severity),
    )
    return _save(finding, actor=actor, reason="found")


@transaction.atomic
def finding_update(*, finding: Finding, actor, **fields: Any) -> Finding:
    """Change an open finding's severity, deadline, public wording or note. A deadline moved
    later lets the overdue task notify again if the new one passes too."""
    finding = _locked_finding(finding)
    _require_writer(actor)
    if not is_inspector_or_bureau(actor) or is_operator_of(
        actor, finding.inspection.institution_id
    ):
        raise NotAllowed(_("只有检查员或卫健局工作人员可以修改问题。"))
    if finding.state == Finding.State.CLOSED:
        raise ValidationError(_("该问题已销号，不能修改。"), code="finding_closed")
    allowed = {"severity", "deadline", "title", "detail"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(
            _("这些字段不能修改：%s") % ", ".join(sorted(unknown)), code="readonly"
        )
    if "title" in fields:
        validate_public_wording(fields["title"])
    old_deadline = finding.deadline
    for name, value in fields.items():
        setattr(finding, name, value)
    if finding.deadline != old_deadline and finding.deadline >= timezone.localdate():
        finding.overdue_notified_at = None
    return _save(finding, actor=actor, reason="updated")


@transaction.atomic
def rectification_submit(
    *, finding: Finding, actor, action_taken: str, files: Sequence = ()
) -> Rectification:
    """The operator's answer: what was done, with evidence files. The finding waits for the
    inspector's verification."""
    finding = _locked_finding(finding)
    _require_writer(actor)
    if not (
        getattr(actor, "is_superuser", False)
        or (
            has_role(actor, Role.OPERATOR)
            and is_operator_of(actor, finding.inspection.institution_id)
        )
    ):
        raise NotAllowed(_("只有该机构的经办人可以提交整改情况。"))
    if finding.state not in (Finding.State.OPEN, Finding.State.RETURNED):
        raise ValidationError(
            _("该问题当前状态为“%(state)s”，不能提交整改。")
            % {"state": finding.get_state_display()},
            code="bad_state",
        )
    action_taken = (action_taken or "").strip()
    if not action_taken:
        raise field_error("action_taken", _("请说明采取的整改措施。"), "required")
    files = list(files)
    validate_file_count(files)
    for file in files:
        try:
            validate_evidence_file(file)
        except ValidationError as error:
            raise field_error("evidence", error.messages[0], error.code) from None
    rectification = _save(
        Rectification(finding=finding, action_taken=action_taken, submitted_by=actor),
        actor=actor,
        reason="submitted",
    )
    for file in files:
        _save(
            RectificationEvidence(rectification=rectification, file=file),
            actor=actor,
            reason="evidence",
        )
    finding.state = Finding.State.SUBMITTED
    _save(finding, actor=actor, reason="rectification submitted")
    transaction.on_commit(lambda: notify.rectification_submitted(finding.pk))
    return rectification


@transaction.atomic
def rectification_review(*, finding: Finding, actor, accept: bool, note: str = "") -> Finding:
    """Verify the operator's answer: close the finding (销号), or send it back with a note."""
    finding = _locked_finding(finding)
    _require_writer(actor)
    if is_operator_of(actor, finding.inspection.institution_id) or not is_inspector_or_bureau(
        actor
    ):
        raise NotAllowed(_("整改须由检查员或卫健局工作人员验收，机构不能自行销号。"))
    if finding.state != Finding.State.SUBMITTED:
        raise ValidationError(
            _("该问题当前状态为“%(state)s”，没有待验收的整改。")
            % {"state": finding.get_state_display()},
            code="bad_state",
        )
    note = (note or "").strip()
    if not accept and not note:
        raise field_error("note", _("退回时请写明原因，机构经办人会看到。"), "required")
    pending = Rectification.objects.select_for_update().get(
        finding=finding, review=Rectification.Review.PENDING
    )
    now = timezone.now()
    pending.review = Rectification.Review.ACCEPTED if accept else Rectification.Review.SENT_BACK
    pending.review_note = note
    pending.reviewed_by = actor
    pending.reviewed_at = now
    _save(pending, actor=actor, reason=pending.review)
    if accept:
        finding.state = Finding.State.CLOSED
        finding.closed_on = timezone.localdate()
        finding.closed_by = actor
    else:
        finding.state = Finding.State.RETURNED
    _save(finding, actor=actor, reason="closed" if accept else "sent back")
    transaction.on_commit(lambda: notify.rectification_reviewed(finding.pk))
    return finding


def findings_mark_overdue(*, today: dt.date | None = None) -> int:
    """Mark each open finding past its deadline once, and notify the operators and the bureau.

    Rows are claimed under a lock (skipping rows another run holds) and stamped in the same
    transaction, so a rerun, or two workers at once, mark and mail each finding once.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        findings = list(overdue_findings(today).select_for_update(skip_locked=True).order_by("pk"))
        now = timezone.now()
        for finding in findings:
            finding.overdue_notified_at = now
            _history(finding, None, "overdue")
            finding.save(update_fields=["overdue_notified_at", "updated_at"])
        ids = [finding.pk for finding in findings]
        if ids:
            transaction.on_commit(lambda: notify.findings_overdue(ids))
    return len(ids)


# Operators are reminded when a finding's (inclusive) deadline is this many days away or nearer.
DEADLINE_NOTICE_DAYS = 3


def findings_remind_deadlines(*, today: dt.date | None = None) -> int:
    """Daily: remind the operators of each finding still theirs to answer (open or sent back)
    whose inclusive deadline falls within the next DEADLINE_NOTICE_DAYS days, today included.
    The first run in that window sends; the notification service claims each (finding,
    deadline, operator), so later runs send nothing new. Returns the notifications sent."""
    today = today or timezone.localdate()
    ids = list(
        Finding.objects.filter(
            state__in=(Finding.State.OPEN, Finding.State.RETURNED),
            deadline__gte=today,
            deadline__lte=today + dt.timedelta(days=DEADLINE_NOTICE_DAYS),
        ).values_list("pk", flat=True)
    )
    return notify.finding_deadlines_near(ids) if ids else 0
