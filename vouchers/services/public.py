"""Applications families send online, without an account (the public form at /voucher-apply/).

A stranger's form must not change what the bureau has on file: a child or a guardian already
registered is linked as registered, never updated, and where the form's details differ the
application says so for the reviewer. A child who already holds a voucher of the batch, or who
has an application waiting anywhere, is refused before anything is written. The application
carries a reference number; with it and the last six characters of the child's ID number the
family follows it (vouchers/public.py). The bureau's decision reaches the family by SMS on the
guardian's mobile, checked here as a mobile number (applications.application_approve and
application_reject call vouchers/notices.py).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from institutions.models import Township
from portal import references
from portal.personal_data import keyed_hash
from portal.validators import birth_date_from_resident_id, validate_phone, validate_resident_id

from ..models import Child, Guardian, Voucher, VoucherApplication, VoucherBatch
from ..validators import validate_proof_file
from .applications import application_create, batch_rule_notes
from .common import VoucherError

REFERENCE_PREFIX = "SQ"


def new_reference() -> str:
    return references.new_reference(
        REFERENCE_PREFIX, lambda ref: VoucherApplication.objects.filter(reference=ref).exists()
    )


def open_batches(today: dt.date):
    """Batches families may apply for today (inclusive dates), soonest closing first."""
    return VoucherBatch.objects.filter(apply_from__lte=today, apply_until__gte=today).order_by(
        "apply_until", "pk"
    )


def _refuse_duplicate(batch: VoucherBatch, child: Child) -> None:
    if Voucher.objects.filter(batch=batch, child=child).exists():
        raise VoucherError(
            _("该幼儿已领取本批次托育券，不能重复申请。"), code="already_holds_voucher"
        )
    if VoucherApplication.objects.filter(batch=batch, child=child).exists():
        raise VoucherError(_("该幼儿已申请过本批次托育券。"), code="duplicate_application")
    if VoucherApplication.objects.filter(
        child=child, state=VoucherApplication.State.PENDING
    ).exists():
        raise VoucherError(
            _("该幼儿已有一份申请正在审核，请等审核结果出来后再申请。"),
            code="application_pending",
        )


def _differences(child: Child, guardian_hash: str) -> list[str]:
    if child.guardian.id_number_hash != guardian_hash:
        return [_("网上填写的监护人与登记的监护人不同，请核实。")]
    return []


def _child_for(
    *, batch: VoucherBatch, guardian: Guardian, child: Child, guardian_hash: str, child_hash: str
) -> tuple[Child, list]:
    """The registered child (unchanged, refused if it holds a voucher of the batch or has an
    application waiting, with a note where the guardian differs), or the unsaved `child` and
    `guardian` saved as new records (a registered guardian is linked, unchanged)."""
    registered = Child.objects.select_related("guardian").filter(id_number_hash=child_hash).first()
    if registered is not None:
        _refuse_duplicate(batch, registered)
        return registered, _differences(registered, guardian_hash)
    on_file = Guardian.objects.filter(id_number_hash=guardian_hash).first()
    if on_file is None:
        guardian.full_clean()
        guardian.save()
        on_file = guardian
    child.guardian = on_file
    child.full_clean()
    child.save()
    return child, []


@transaction.atomic
def application_submit_public(
    *,
    batch: VoucherBatch,
    guardian_name: str,
    guardian_phone: str,
    guardian_id_number: str,
    child_name: str,
    child_id_number: str,
    hukou_township: Township | None,
    has_residence_permit: bool,
    consent: bool,
    proof=None,
    today: dt.date | None = None,
) -> VoucherApplication:
    """Record a family's online application and return it (its `reference` is what they keep).
    Refused, with nothing written, without consent, outside the batch's application period, for
    a child the batch's rules exclude, or for a child who holds a voucher of the batch or has an
    application waiting."""
    if not consent:
        raise VoucherError(_("请阅读并同意个人信息的使用说明后再提交。"), code="consent_required")
    if proof:
        try:
            validate_proof_file(proof)
        except ValidationError as error:
            raise ValidationError({"proof": error}) from None
    today = today or timezone.localdate()
    batch = VoucherBatch.objects.get(pk=batch.pk)
    if not batch.apply_from <= today <= batch.apply_until:
        raise VoucherError(_("本批次目前不在申请期内。"), code="batch_closed")
    child_number = validate_resident_id(child_id_number)
    guardian_number = validate_resident_id(guardian_id_number)
    phone = validate_phone(guardian_phone, kind="mobile")
    if child_number == guardian_number:
        raise VoucherError(_("幼儿和监护人的身份证号码不能相同。"), code="same_person")
    # The pre-check's rule again: an application that cannot succeed stores nobody's details.
    refusals = batch_rule_notes(
        batch=batch,
        birth_date=birth_date_from_resident_id(child_number),
        lequing_hukou=hukou_township is not None,
        has_residence_permit=has_residence_permit,
        applied_on=today,
    )
    if refusals:
        raise VoucherError("".join(refusals), code="not_eligible")
    child, notes = _child_for(
        batch=batch,
        guardian_hash=keyed_hash(guardian_number),
        child_hash=keyed_hash(child_number),
        guardian=Guardian(name=guardian_name, phone=phone, id_number=guardian_number),
        child=Child(
            name=child_name,
            id_number=child_number,
            birth_date=birth_date_from_resident_id(child_number),
            hukou_township=hukou_township,
            has_residence_permit=has_residence_permit,
        ),
    )
    application = application_create(
        batch=batch,
        child=child,
        source=VoucherApplication.Source.PUBLIC,
        applied_on=today,
        reference=new_reference(),
        extra_notes=notes,
    )
    if proof:
        application.proof = proof
        application.save(update_fields=["proof"])
    return application
