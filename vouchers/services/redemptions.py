"""Money movements on an issued voucher: redemption (抵扣), reversal (冲正) and a staff adjustment.

Each movement locks the voucher row (SELECT ... FOR UPDATE) before it reads the balance or the
month's use, and writes the redemption, the ledger entry, the month's use and the new balance in
one transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from institutions.models import Institution
from portal.dates import month_end

from .. import codes
from ..models import (
    ZERO,
    LedgerEntry,
    Redemption,
    Settlement,
    Voucher,
    VoucherMonth,
)
from . import redemption_sql as sql
from .common import VoucherError, _actor, _expire_remaining, _history, _lock_institution_month

REVERSAL_WINDOW_DAYS = 7  # operators may reverse their own redemption within this many days


def request_fingerprint(*, code: str, fee_month: dt.date, amount: Decimal) -> str:
    body = json.dumps(
        {
            "code": codes.normalize(code),
            "fee_month": f"{fee_month:%Y-%m}",
            "amount": f"{Decimal(amount):.2f}",
        },
        sort_keys=True,
    )
    return hashlib.sha256(body.encode()).hexdigest()


@dataclass
class RedeemResult:
    redemption: Redemption
    replayed: bool


def _replay(institution: Institution, key: str, fingerprint: str) -> Redemption | None:
    """The redemption an earlier request with this key made here, if any (one indexed read of
    two columns on the hot path; the row itself only when there is one)."""
    found = sql.earlier_request(institution_id=institution.pk, key=key)
    if found is None:
        return None
    pk, earlier_fingerprint = found
    if earlier_fingerprint != fingerprint:
        raise VoucherError(_("该幂等键已用于另一笔不同的抵扣请求。"), code="idempotency_key_reused")
    return Redemption.objects.get(pk=pk)


def redeem(
    *,
    institution: Institution,
    code: str,
    fee_month: dt.date,
    amount: Decimal,
    idempotency_key: str,
    actor=None,
) -> RedeemResult:
    """Redeem `amount` of a voucher against `institution`'s fee for `fee_month`.

    Replaying the same idempotency key with the same request returns the first result and
    changes nothing; the same key with another request is refused.
    """
    amount = Decimal(amount).quantize(Decimal("0.01"))
    fee_month = fee_month.replace(day=1)
    fingerprint = request_fingerprint(code=code, fee_month=fee_month, amount=amount)
    existing = _replay(institution, idempotency_key, fingerprint)
    if existing is not None:
        return RedeemResult(existing, replayed=True)
    try:
        with transaction.atomic():
            return RedeemResult(
                _redeem_locked(
                    institution=institution,
                    code=codes.normalize(code),
                    fee_month=fee_month,
                    amount=amount,
                    idempotency_key=idempotency_key,
                    fingerprint=fingerprint,
                    actor=actor,
                ),
                replayed=False,
            )
    except IntegrityError:
        # The same key raced us and won: answer as a replay (or refuse a different body).
        existing = _replay(institution, idempotency_key, fingerprint)
        if existing is None:
            raise
        return RedeemResult(existing, replayed=True)


def _redemption_facts(*, institution: Institution, voucher: Voucher, fee_month: dt.date) -> dict:
    """What the redemption rules read besides the voucher, in one query (redemption_sql): the
    child's enrolment in the month, an approved or paid settlement of the month, inclusive
    status at the month's end, the fee (the accepted report's, else the fee standard's), the
    child's active redemptions of the month here, the voucher's use of the month and its
    batch's inclusive-only rule."""
    return sql.facts(
        institution_id=institution.pk,
        voucher_id=voucher.pk,
        child_id=voucher.child_id,
        fee_month=fee_month,
        last_day=month_end(fee_month),
    )


def _in_three_statements() -> bool:
    """PostgreSQL takes redemption_sql's path; SQLite (`make run`'s fallback) the ORM's."""
    return connection.vendor == "postgresql"


def _redeem_locked(*, institution, code, fee_month, amount, idempotency_key, fingerprint, actor):
    """The redemption inside its transaction. The order is the concurrency design: the voucher
    is locked first, then the month's advisory lock, then everything else is read.

    On PostgreSQL that is three statements (redemption_sql): the two locks, the facts, and
    every write. Elsewhere (SQLite, `make run`'s fallback) the same rules run through the ORM.
    """
    if amount <= 0:
        raise VoucherError(_("抵扣金额必须大于0。"), code="invalid_amount")
    on_postgresql = _in_three_statements()
    if on_postgresql:
        voucher = sql.lock_voucher(code, institution_id=institution.pk, fee_month=fee_month)
        _check_voucher(voucher, code, fee_month)
    else:
        voucher = _lock_voucher(code, fee_month)
        _lock_institution_month(institution.pk, fee_month, shared=True)
    facts = _redemption_facts(institution=institution, voucher=voucher, fee_month=fee_month)
    _check_institution_rules(facts, voucher=voucher, fee_month=fee_month, amount=amount)
    if on_postgresql:
        _check_month_cap(
            used=facts["month_used"] or ZERO,
            cap=voucher.monthly_cap if facts["month_cap"] is None else facts["month_cap"],
            fee_month=fee_month,
            amount=amount,
        )
        month = None
    else:
        month = _lock_month_use(voucher, fee_month=fee_month, amount=amount)
    _check_fee(facts, amount=amount)
    redemption = Redemption(
        voucher=voucher,
        institution=institution,
        fee_month=fee_month,
        amount=amount,
        idempotency_key=idempotency_key,
        request_fingerprint=fingerprint,
        created_by=_actor(actor),
    )
    if on_postgresql:
        return sql.record(redemption=redemption, voucher=voucher, amount=amount, actor=actor)
    return _record_redemption(redemption, voucher=voucher, month=month, actor=actor)


def _lock_voucher(code: str, fee_month: dt.date) -> Voucher:
    """The voucher with this code, locked, if it can pay `fee_month` at all."""
    # Lock first, then read: the balance and the month's use are read under this lock. Only
    # the voucher row is locked, so redemptions never queue on their batch.
    voucher = Voucher.objects.select_for_update().filter(code=code).first()
    _check_voucher(voucher, code, fee_month)
    return voucher


def _check_voucher(voucher: Voucher | None, code: str, fee_month: dt.date) -> None:
    """The voucher exists, is active and can pay `fee_month` at all."""
    if voucher is None or not codes.is_well_formed(code):
        raise VoucherError(_("券码无效，请核对后重新输入。"), code="voucher_not_found")
    if voucher.status != Voucher.Status.ACTIVE:
        raise VoucherError(
            _("该托育券状态为“%(status)s”，不能抵扣。") % {"status": voucher.get_status_display()},
            code="voucher_inactive",
        )
    last_day = month_end(fee_month)
    if fee_month > voucher.valid_until or last_day < voucher.valid_from:
        raise VoucherError(
            _("费用月份不在托育券有效期（%(start)s至%(end)s）内。")
            % {"start": voucher.valid_from, "end": voucher.valid_until},
            code="outside_validity",
        )


def _check_institution_rules(
    facts: dict, *, voucher: Voucher, fee_month: dt.date, amount: Decimal
) -> None:
    """Enrolled here that month, the month not settled, an inclusive institution if the batch
    asks for one, and enough balance."""
    if not facts["enrolled"]:
        raise VoucherError(
            _("该幼儿%(month)s未在本机构入托登记，不能抵扣。") % {"month": f"{fee_month:%Y-%m}"},
            code="not_enrolled",
        )
    if facts["settled"]:
        raise VoucherError(
            _("%(month)s已结算，不能再抵扣该月费用。") % {"month": f"{fee_month:%Y-%m}"},
            code="month_settled",
        )
    if facts["inclusive_only"] and not facts["inclusive"]:
        raise VoucherError(
            _("本批次托育券仅限普惠托育机构抵扣。"), code="institution_not_inclusive"
        )
    if amount > voucher.balance:
        raise VoucherError(
            _("余额不足：当前余额%(balance)s元。") % {"balance": voucher.balance},
            code="insufficient_balance",
        )


def _lock_month_use(voucher: Voucher, *, fee_month: dt.date, amount: Decimal) -> VoucherMonth:
    """The voucher's use of the month, locked, if `amount` still fits under the monthly cap."""
    month, _created = VoucherMonth.objects.select_for_update().get_or_create(
        voucher=voucher, fee_month=fee_month, defaults={"cap": voucher.monthly_cap}
    )
    _check_month_cap(used=month.used, cap=month.cap, fee_month=fee_month, amount=amount)
    return month


def _check_month_cap(*, used: Decimal, cap: Decimal, fee_month: dt.date, amount: Decimal) -> None:
    if used + amount > cap:
        raise VoucherError(
            _("超过每月抵扣上限：%(month)s还可抵扣%(left)s元。")
            % {"month": f"{fee_month:%Y-%m}", "left": cap - used},
            code="over_monthly_cap",
        )


def _month_fee(facts: dict) -> Decimal | None:
    """The month's fee: the accepted report's, else the fee standard's."""
    return facts["reported_fee"] if facts["reported_fee"] is not None else facts["standard_fee"]


def _check_fee(facts: dict, *, amount: Decimal) -> None:
    """Not more than the month's fee, counting what this child already redeemed here."""
    fee = _month_fee(facts)
    already = facts["already"] or ZERO
    if fee is None or already + amount > fee:
        raise VoucherError(
            _("抵扣金额超过该月托育费：月费%(fee)s元，已抵扣%(already)s元。")
            % {"fee": fee if fee is not None else "—", "already": already},
            code="over_fee",
        )


@dataclass(frozen=True)
class RedemptionPreview:
    """What the operator confirms before money moves: whose voucher (masked name, birth month),
    its balance, what is left of the month's cap and of the month's fee, and the amount the form
    is filled with (the smallest of the three)."""

    voucher: Voucher
    fee_month: dt.date
    balance: Decimal
    month_left: Decimal
    fee_left: Decimal | None

    @property
    def display_code(self) -> str:
        return codes.display(self.voucher.code)

    @property
    def suggested(self) -> Decimal:
        limits = [self.balance, self.month_left]
        if self.fee_left is not None:
            limits.append(self.fee_left)
        return max(ZERO, min(limits))


def redemption_preview(*, institution: Institution, code: str, fee_month: dt.date):
    """The same rules as `redeem`, read without locks and moving nothing (two queries): a
    VoucherError with the same message when the redemption would be refused whatever the amount.
    Nothing about the child is shown unless the child is enrolled here in that month."""
    fee_month = fee_month.replace(day=1)
    voucher = Voucher.objects.select_related("child").filter(code=code).first()
    _check_voucher(voucher, code, fee_month)
    facts = _redemption_facts(institution=institution, voucher=voucher, fee_month=fee_month)
    _check_institution_rules(facts, voucher=voucher, fee_month=fee_month, amount=ZERO)
    if facts["month_cap"] is None:
        month_left = voucher.monthly_cap
    else:
        month_left = facts["month_cap"] - facts["month_used"]
    fee = _month_fee(facts)
    return RedemptionPreview(
        voucher=voucher,
        fee_month=fee_month,
        balance=voucher.balance,
        month_left=month_left,
        fee_left=None if fee is None else max(ZERO, fee - (facts["already"] or ZERO)),
    )


def _record_redemption(
    redemption: Redemption, *, voucher: Voucher, month: VoucherMonth, actor
) -> Redemption:
    """The portable path's writes: the redemption, the new balance, the month's use and the
    ledger entry (redemption_sql.record does the same in one statement on PostgreSQL)."""
    _history(redemption, actor)
    redemption.save()
    voucher.balance -= redemption.amount
    _history(voucher, actor)
    voucher.save(update_fields=["balance"])
    month.used += redemption.amount
    month.save(update_fields=["used"])
    LedgerEntry.objects.create(
        voucher=voucher,
        kind=LedgerEntry.Kind.REDEMPTION,
        amount=-redemption.amount,
        balance_after=voucher.balance,
        redemption=redemption,
        institution=redemption.institution,
        created_by=_actor(actor),
    )
    return redemption


@transaction.atomic
def reverse(*, redemption: Redemption, actor, reason: str, by_bureau: bool) -> Redemption:
    """冲正: undo a redemption before settlement. Operators only their own, within 7 days."""
    reason = (reason or "").strip()
    if not reason:
        raise VoucherError(_("请填写冲正原因。"), code="reason_required")
    voucher = Voucher.objects.select_for_update().get(pk=redemption.voucher_id)
    # The month's shared lock before the redemption's row (its institution and month never
    # change): an approval either finished first, and the month is settled below, or waits
    # for this reversal and counts it. Taken after the row, it could deadlock with approval.
    _lock_institution_month(redemption.institution_id, redemption.fee_month, shared=True)
    redemption = Redemption.objects.select_for_update().get(pk=redemption.pk)
    if redemption.status != Redemption.Status.ACTIVE:
        raise VoucherError(_("该笔抵扣已冲正。"), code="already_reversed")
    if not by_bureau and timezone.now() - redemption.created_at > dt.timedelta(
        days=REVERSAL_WINDOW_DAYS
    ):
        raise VoucherError(
            _("抵扣超过%(days)s天，机构不能自行冲正，请联系卫健局。")
            % {"days": REVERSAL_WINDOW_DAYS},
            code="reversal_window_passed",
        )
    settled = Settlement.objects.filter(
        institution_id=redemption.institution_id,
        month=redemption.fee_month,
        state__in=[Settlement.State.APPROVED, Settlement.State.PAID],
    ).exists()
    if settled or (redemption.settlement_id and redemption.settlement.is_locked):
        raise VoucherError(_("该月已结算，不能冲正。"), code="month_settled")
    redemption.status = Redemption.Status.REVERSED
    redemption.reversed_at = timezone.now()
    redemption.reversed_by = _actor(actor)
    redemption.reversal_reason = reason
    _history(redemption, actor)
    redemption.save()
    voucher.balance += redemption.amount
    _history(voucher, actor)
    voucher.save(update_fields=["balance"])
    month = VoucherMonth.objects.select_for_update().get(
        voucher=voucher, fee_month=redemption.fee_month
    )
    month.used -= redemption.amount
    month.save(update_fields=["used"])
    LedgerEntry.objects.create(
        voucher=voucher,
        kind=LedgerEntry.Kind.REVERSAL,
        amount=redemption.amount,
        balance_after=voucher.balance,
        redemption=redemption,
        institution_id=redemption.institution_id,
        reason=reason,
        created_by=_actor(actor),
    )
    if voucher.status == Voucher.Status.EXPIRED:
        # The value came back after the voucher expired: it expires again at once.
        _expire_remaining(voucher)
    return redemption


@transaction.atomic
def adjust(*, voucher: Voucher, amount: Decimal, reason: str, actor) -> LedgerEntry:
    """A staff correction with a reason; cannot take the balance below zero."""
    reason = (reason or "").strip()
    if not reason:
        raise VoucherError(_("请填写调整原因。"), code="reason_required")
    amount = Decimal(amount).quantize(Decimal("0.01"))
    if amount == 0:
        raise VoucherError(_("调整金额不能为0。"), code="invalid_amount")
    voucher = Voucher.objects.select_for_update().get(pk=voucher.pk)
    if voucher.balance + amount < 0:
        raise VoucherError(
            _("调整后余额不能为负数：当前余额%(balance)s元。") % {"balance": voucher.balance},
            code="insufficient_balance",
        )
    voucher.balance += amount
    _history(voucher, actor)
    voucher.save(update_fields=["balance"])
    return LedgerEntry.objects.create(
        voucher=voucher,
        kind=LedgerEntry.Kind.ADJUSTMENT,
        amount=amount,
        balance_after=voucher.balance,
        reason=reason,
        created_by=_actor(actor),
    )
