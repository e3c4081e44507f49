"""Concerns (投诉/反映) from the public: sent without an account, handled by the bureau.

States move forward only: received → in hand → answered → closed (an answer may be corrected
while answered). Linking a concern to the inspection or finding it led to is the bureau's; both
must be about the concern's institution."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from institutions.models import Institution
from portal import references
from portal.validators import validate_phone

from .. import notify
from ..models import Concern, Finding, Inspection
from ..validators import field_error, validate_concern_attachment, validate_public_wording
from .common import _require_bureau, _save

REFERENCE_PREFIX = "FY"
ORDER = [
    Concern.State.RECEIVED,
    Concern.State.IN_HAND,
    Concern.State.ANSWERED,
    Concern.State.CLOSED,
]


def _new_reference() -> str:
    return references.new_reference(
        REFERENCE_PREFIX, lambda ref: Concern.objects.filter(reference=ref).exists()
    )


@transaction.atomic
def concern_submit(
    *,
    institution: Institution,
    kind: str,
    text: str,
    contact_name: str = "",
    contact_phone: str = "",
    attachment=None,
) -> Concern:
    """Record a concern from the public (no account). A contact is optional; a mobile number,
    when given, is what the sender follows the concern with."""
    text = (text or "").strip()
    if not text:
        raise field_error("text", _("请写下您要反映的情况。"), "required")
    phone = validate_phone(contact_phone, kind="mobile") if contact_phone else ""
    if attachment:
        try:
            validate_concern_attachment(attachment)
        except ValidationError as error:
            raise ValidationError({"attachment": error}) from None
    concern = Concern(
        reference=_new_reference(),
        institution=institution,
        kind=kind,
        text=text,
        contact_name=(contact_name or "").strip(),
        contact_phone=phone,
        attachment=attachment or "",
    )
    return _save(concern, actor=None, reason="concern.submitted")


def _check_links(concern: Concern, inspection: Inspection | None, finding: Finding | None):
    if inspection is not None and inspection.institution_id != concern.institution_id:
        raise field_error("inspection", _("所选检查不是该机构的检查。"), "other_institution")
    if finding is not None and finding.inspection.institution_id != concern.institution_id:
        raise field_error("finding", _("所选问题不是该机构的问题。"), "other_institution")


@transaction.atomic
def concern_handle(
    *,
    concern: Concern,
    actor,
    state: str,
    answer: str = "",
    inspection: Inspection | None = None,
    finding: Finding | None = None,
) -> Concern:
    """The bureau moves a concern on, answers it and links what it led to."""
    _require_bureau(actor)
    current = Concern.objects.select_for_update().get(pk=concern.pk)
    if ORDER.index(state) < ORDER.index(current.state):
        raise field_error("state", _("处理状态不能倒退。"), "state_backwards")
    if current.state == Concern.State.CLOSED and state == Concern.State.CLOSED:
        if (answer or "").strip() != current.answer:
            raise ValidationError(_("已办结的反映不能再修改答复。"), code="concern_closed")
    answer = (answer or "").strip()
    if state in (Concern.State.ANSWERED, Concern.State.CLOSED):
        if not answer:
            raise field_error("answer", _("请先填写答复，再标记为已答复或已办结。"), "required")
        try:
            validate_public_wording(answer)
        except ValidationError as error:
            raise ValidationError({"answer": error}) from None
    _check_links(current, inspection, finding)
    concern_was_open = current.state in (Concern.State.RECEIVED, Concern.State.IN_HAND)
    if answer and answer != current.answer:
        current.answered_at = timezone.now()
    current.state = state
    current.answer = answer
    current.inspection = inspection
    current.finding = finding
    current.handled_by = actor
    answered = (Concern.State.ANSWERED, Concern.State.CLOSED)
    if state in answered and concern_was_open:
        transaction.on_commit(lambda: notify.concern_answered(current.pk))
    return _save(current, actor=actor, reason=f"concern.{state}")
