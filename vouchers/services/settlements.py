"""Settlement: the statement of an institution's fee month, confirmed by the institution, approved
by the bureau (which locks the month's redemptions into it) and marked paid.

The statement's lines are `selectors.statement_lines`, the same the pages, the API and the PDF
list, so the totals stored here always count what they show.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from institutions.models import Institution

from ..models import ZERO, Settlement
from ..selectors import statement_lines
from .common import VoucherError, _actor, _history, _lock_institution_month


def _refresh_totals(settlement: Settlement) -> None:
    totals = statement_lines(settlement).aggregate(total=Sum("amount"), lines=Count("pk"))
    settlement.total = totals["total"] or ZERO
    settlement.line_count = totals["lines"] or 0


@transaction.atomic
def settlement_prepare(*, institution: Institution, month: dt.date, actor=None) -> Settlement:
    """The statement for one institution and fee month, created or refreshed while not locked."""
    month = month.replace(day=1)
    settlement, _created = Settlement.objects.select_for_update().get_or_create(
        institution=institution, month=month
    )
    if settlement.state != Settlement.State.DRAFT:
        return settlement  # confirmed figures change only through approval's re-check
    _refresh_totals(settlement)
    _history(settlement, actor)
    settlement.save()
    return settlement


@transaction.atomic
def settlement_confirm(*, settlement: Settlement, actor) -> Settlement:
    """The institution confirms the statement's line items."""
    settlement = Settlement.objects.select_for_update().get(pk=settlement.pk)
    if settlement.state != Settlement.State.DRAFT:
        raise VoucherError(_("只有待确认的结算单可以确认。"), code="bad_state")
    _refresh_totals(settlement)
    settlement.state = Settlement.State.CONFIRMED
    settlement.confirmed_by = _actor(actor)
    settlement.confirmed_at = timezone.now()
    settlement.return_reason = ""
    _history(settlement, actor)
    settlement.save()
    return settlement


def settlement_approve(*, settlement: Settlement, actor) -> Settlement:
    """The bureau approves: the month's redemptions are locked into this settlement.

    If a reversal changed the statement after the institution confirmed it, the statement goes
    back to the institution (that change is kept) and approval is refused.
    """
    with transaction.atomic():
        settlement = Settlement.objects.select_for_update().get(pk=settlement.pk)
        if settlement.state != Settlement.State.CONFIRMED:
            raise VoucherError(_("结算单须先由机构确认。"), code="bad_state")
        _lock_institution_month(settlement.institution_id, settlement.month, shared=False)
        confirmed_total = settlement.total
        _refresh_totals(settlement)
        changed = settlement.total != confirmed_total
        if changed:
            settlement.state = Settlement.State.DRAFT
        else:
            # Still confirmed, not locked: the lines are the month's active redemptions.
            statement_lines(settlement).update(settlement=settlement)
            settlement.state = Settlement.State.APPROVED
            settlement.approved_by = _actor(actor)
            settlement.approved_at = timezone.now()
        _history(settlement, actor)
        settlement.save()
    if changed:
        raise VoucherError(
            _("机构确认后抵扣明细有变动（%(old)s元→%(new)s元），已退回机构重新确认。")
            % {"old": confirmed_total, "new": settlement.total},
            code="statement_changed",
        )
    return settlement


RETURN_REASON_MAX = 300


@transaction.atomic
def settlement_return(*, settlement: Settlement, reason: str, actor) -> Settlement:
    """The bureau sends a confirmed statement back to the institution, with the reason; the
    institution refreshes and confirms it again. Only before approval: an approved statement
    has locked the month's redemptions."""
    reason = (reason or "").strip()
    if not reason:
        raise VoucherError(_("请填写退回原因，机构会看到。"), code="reason_required")
    if len(reason) > RETURN_REASON_MAX:
        raise VoucherError(
            _("退回原因不能超过%(max)s字。") % {"max": RETURN_REASON_MAX}, code="reason_too_long"
        )
    settlement = Settlement.objects.select_for_update().get(pk=settlement.pk)
    if settlement.state != Settlement.State.CONFIRMED:
        raise VoucherError(_("只有机构已确认、尚未审核的结算单可以退回。"), code="bad_state")
    settlement.state = Settlement.State.DRAFT
    settlement.return_reason = reason
    settlement.confirmed_by = None
    settlement.confirmed_at = None
    _history(settlement, actor)
    # The history row keeps the whole reason in its return_reason column.
    settlement._change_reason = _("退回机构重新确认")
    settlement.save()
    return settlement


@transaction.atomic
def settlement_mark_paid(*, settlement: Settlement, reference: str, actor) -> Settlement:
    reference = (reference or "").strip()
    if not reference:
        raise VoucherError(_("请填写支付凭证号。"), code="reference_required")
    settlement = Settlement.objects.select_for_update().get(pk=settlement.pk)
    if settlement.state != Settlement.State.APPROVED:
        raise VoucherError(_("结算单须先审核通过才能标记支付。"), code="bad_state")
    settlement.state = Settlement.State.PAID
    settlement.payment_reference = reference
    settlement.paid_at = timezone.now()
    _history(settlement, actor)
    settlement.save()
    return settlement
