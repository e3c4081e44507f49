"""Batches, applications and issuing: who is eligible, the bureau's decision, and the voucher
issued on approval (never beyond the batch's cap)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from institutions.models import Institution

from .. import codes, notices
from ..models import Child, LedgerEntry, Voucher, VoucherApplication, VoucherBatch
from .common import VoucherError, _actor, _history
from .families import child_register, guardian_get_or_create


def age_in_months(born: dt.date, on: dt.date) -> int:
    months = (on.year - born.year) * 12 + on.month - born.month
    return months - (1 if on.day < born.day else 0)


@dataclass
class Eligibility:
    eligible: bool
    notes: list[str]


def batch_rule_notes(
    *,
    batch: VoucherBatch,
    birth_date: dt.date,
    lequing_hukou: bool,
    has_residence_permit: bool,
    applied_on: dt.date,
) -> list[str]:
    """What keeps a child out of the batch on the application day (empty: nothing). The one rule
    for the bureau's check, approval and the families' pre-check before they apply online."""
    notes: list[str] = []
    if not batch.apply_from <= applied_on <= batch.apply_until:
        notes.append(
            _("申请日期不在本批次申请期（%(start)s至%(end)s）内。")
            % {"start": batch.apply_from, "end": batch.apply_until}
        )
    months = age_in_months(birth_date, applied_on)
    if not batch.min_age_months <= months <= batch.max_age_months:
        notes.append(
            _("申请时月龄%(age)s个月，不在%(min)s至%(max)s个月范围内。")
            % {"age": months, "min": batch.min_age_months, "max": batch.max_age_months}
        )
    if batch.residence_rule == VoucherBatch.Residence.HUKOU and not lequing_hukou:
        notes.append(_("本批次仅限乐清户籍幼儿。"))
    elif (
        batch.residence_rule == VoucherBatch.Residence.HUKOU_OR_PERMIT
        and not lequing_hukou
        and not has_residence_permit
    ):
        notes.append(_("本批次限乐清户籍或持乐清居住证的家庭。"))
    return notes


def check_eligibility(*, batch: VoucherBatch, child: Child, applied_on: dt.date) -> Eligibility:
    """The batch's rules applied to the child on the application day, with readable reasons."""
    notes = batch_rule_notes(
        batch=batch,
        birth_date=child.birth_date,
        lequing_hukou=child.hukou_township_id is not None,
        has_residence_permit=child.has_residence_permit,
        applied_on=applied_on,
    )
    if Voucher.objects.filter(batch=batch, child=child).exists():
        notes.append(_("该幼儿已领取本批次托育券。"))
    if not notes:
        notes.append(_("符合本批次申请条件。"))
        return Eligibility(True, notes)
    return Eligibility(False, notes)


@transaction.atomic
def application_create(
    *,
    batch: VoucherBatch,
    child: Child,
    source: str,
    actor=None,
    institution: Institution | None = None,
    applied_on: dt.date | None = None,
    reference: str | None = None,
    extra_notes: list[str] | None = None,
) -> VoucherApplication:
    applied_on = applied_on or timezone.localdate()
    if VoucherApplication.objects.filter(batch=batch, child=child).exists():
        raise VoucherError(_("该幼儿已申请过本批次托育券。"), code="duplicate_application")
    result = check_eligibility(batch=batch, child=child, applied_on=applied_on)
    application = VoucherApplication(
        batch=batch,
        child=child,
        source=source,
        institution=institution,
        applied_on=applied_on,
        eligible=result.eligible,
        eligibility_notes=result.notes + list(extra_notes or []),
        entered_by=_actor(actor),
        reference=reference,
        consent_at=timezone.now() if reference else None,
    )
    _history(application, actor)
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:
        raise VoucherError(
            _("该幼儿已申请过本批次托育券。"), code="duplicate_application"
        ) from None
    return application


def _new_unique_code() -> str:
    for _attempt in range(10):
        code = codes.new_code()
        if not Voucher.objects.filter(code=code).exists():
            return code
    raise RuntimeError("could not draw an unused voucher code")  # 1e-16 odds per try


@transaction.atomic
def application_approve(*, application: VoucherApplication, actor) -> Voucher:
    """Approve and issue a voucher. Refused once the batch's cap is reached, however many
    approvals run at once: the batch row is locked before its count is read."""
    application = VoucherApplication.objects.select_for_update().get(pk=application.pk)
    if application.state != VoucherApplication.State.PENDING:
        raise VoucherError(_("该申请已审核，不能重复审核。"), code="already_decided")
    batch = VoucherBatch.objects.select_for_update().get(pk=application.batch_id)
    result = check_eligibility(
        batch=batch, child=application.child, applied_on=application.applied_on
    )
    if not result.eligible:
        raise VoucherError("；".join(result.notes), code="not_eligible")
    if batch.issued_count >= batch.quantity_cap:
        raise VoucherError(
            _("本批次托育券已发完（上限%(cap)s张），不能再发放。") % {"cap": batch.quantity_cap},
            code="quota_exhausted",
        )
    batch.issued_count += 1
    batch.save(update_fields=["issued_count"])
    voucher = Voucher(
        code=_new_unique_code(),
        batch=batch,
        child=application.child,
        application=application,
        face_value=batch.face_value,
        balance=batch.face_value,
        monthly_cap=batch.monthly_cap,
        valid_from=batch.valid_from,
        valid_until=batch.valid_until,
    )
    _history(voucher, actor)
    voucher.save()
    LedgerEntry.objects.create(
        voucher=voucher,
        kind=LedgerEntry.Kind.ISSUE,
        amount=batch.face_value,
        balance_after=batch.face_value,
        created_by=_actor(actor),
    )
    application.state = VoucherApplication.State.APPROVED
    application.decided_by = _actor(actor)
    application.decided_at = timezone.now()
    _history(application, actor)
    application.save()
    notices.application_decided(application)  # after commit: the family is told
    return voucher


@transaction.atomic
def application_reject(
    *, application: VoucherApplication, actor, reason: str
) -> VoucherApplication:
    reason = (reason or "").strip()
    if not reason:
        raise VoucherError(_("请填写不通过的原因。"), code="reason_required")
    application = VoucherApplication.objects.select_for_update().get(pk=application.pk)
    if application.state != VoucherApplication.State.PENDING:
        raise VoucherError(_("该申请已审核，不能重复审核。"), code="already_decided")
    application.state = VoucherApplication.State.REJECTED
    application.reject_reason = reason
    application.decided_by = _actor(actor)
    application.decided_at = timezone.now()
    _history(application, actor)
    application.save()
    notices.application_decided(application)  # after commit: the family is told
    return application


def applications_decide_many(
    *, application_ids, actor, approve: bool, reason: str = ""
) -> tuple[int, list[str]]:
    """Approve or reject many; each in its own transaction so one refusal does not undo the rest."""
    done, errors = 0, []
    for application in VoucherApplication.objects.filter(pk__in=list(application_ids)).order_by(
        "pk"
    ):
        try:
            if approve:
                application_approve(application=application, actor=actor)
            else:
                application_reject(application=application, actor=actor, reason=reason)
            done += 1
        except ValidationError as error:
            errors.append(f"#{application.pk}: {' '.join(error.messages)}")
    return done, errors


@transaction.atomic
def application_enter(
    *,
    batch: VoucherBatch,
    guardian_name: str,
    guardian_phone: str,
    guardian_id_number: str,
    child_name: str,
    child_id_number: str,
    source: str,
    hukou_township=None,
    has_residence_permit: bool = False,
    special_needs: bool = False,
    institution: Institution | None = None,
    applied_on: dt.date | None = None,
    actor=None,
) -> VoucherApplication:
    """An application as a clerk enters it (page form, xlsx import): the guardian and the child
    registered or updated, then the application, in one transaction, so a refused application
    leaves no half-entered family behind."""
    guardian = guardian_get_or_create(
        name=guardian_name, phone=guardian_phone, id_number=guardian_id_number, actor=actor
    )
    child = child_register(
        guardian=guardian,
        name=child_name,
        id_number=child_id_number,
        hukou_township=hukou_township,
        has_residence_permit=has_residence_permit,
        special_needs=special_needs,
        actor=actor,
    )
    return application_create(
        batch=batch,
        child=child,
        source=source,
        institution=institution,
        applied_on=applied_on,
        actor=actor,
    )


@transaction.atomic
def batch_delete(*, batch: VoucherBatch, actor) -> None:
    """Delete a batch nobody has applied for yet (one with applications is kept for the record)."""
    batch = VoucherBatch.objects.select_for_update().get(pk=batch.pk)
    if VoucherApplication.objects.filter(batch=batch).exists():
        raise VoucherError(_("该批次已有申请记录，不能删除。"), code="batch_in_use")
    _history(batch, actor)
    batch.delete()


# The fields of a batch that staff edit; `issued_count` belongs to application_approve alone.
BATCH_EDITABLE_FIELDS = (
    "name",
    "face_value",
    "quantity_cap",
    "apply_from",
    "apply_until",
    "valid_from",
    "valid_until",
    "monthly_cap",
    "min_age_months",
    "max_age_months",
    "residence_rule",
    "inclusive_only",
)


@transaction.atomic
def batch_save(*, batch: VoucherBatch, actor) -> VoucherBatch:
    """Create or edit a batch. An edit locks the row and writes only the editable fields, so an
    approval running meanwhile keeps its issued count (a form's stale copy never overwrites it),
    and the cap is never set below what has been issued."""
    if batch.pk is None:
        batch.issued_count = 0
        batch.full_clean()
        _history(batch, actor)
        batch.save()
        return batch
    current = VoucherBatch.objects.select_for_update().get(pk=batch.pk)
    for name in BATCH_EDITABLE_FIELDS:
        setattr(current, name, getattr(batch, name))
    if current.quantity_cap < current.issued_count:
        raise VoucherError(
            _("发放数量上限不能低于已发放数量（%(issued)s张）。")
            % {"issued": current.issued_count},
            code="cap_below_issued",
        )
    current.full_clean()
    _history(current, actor)
    current.save(update_fields=list(BATCH_EDITABLE_FIELDS))
    batch.issued_count = current.issued_count
    return current
