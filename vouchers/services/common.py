"""What every voucher service shares: the refusal it raises, the actor it records, the lock on
an institution's fee month, and the write-off of an expired voucher's balance."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from portal.locks import LockNamespace, advisory_xact_lock

from ..models import ZERO, LedgerEntry, Voucher


class VoucherError(ValidationError):
    """A broken voucher rule. `code` names the rule (the API returns it); the message is for people."""

    def __init__(self, message: str, code: str):
        super().__init__(message, code=code)


def _actor(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _history(instance, actor) -> None:
    if _actor(actor):
        instance._history_user = actor


def _lock_institution_month(institution_id: int, month: dt.date, *, shared: bool) -> None:
    """A transaction-scoped advisory lock on (institution, fee month).

    Redemptions and reversals take it shared (they never wait for each other); settlement
    approval takes it exclusive, so no redemption for that month can be in flight while the
    month is being locked (portal.locks).
    """
    advisory_xact_lock(
        LockNamespace.VOUCHER_FEE_MONTH, _month_key(institution_id, month), shared=shared
    )


def _month_key(institution_id: int, month: dt.date) -> tuple[int, int]:
    return (institution_id, month.year * 12 + month.month)


def _expire_remaining(voucher: Voucher) -> None:
    """Write off a locked voucher's remaining balance with an expiry ledger entry."""
    remaining = voucher.balance
    if remaining <= 0:
        return
    voucher.balance = ZERO
    voucher.save(update_fields=["balance"])
    LedgerEntry.objects.create(
        voucher=voucher,
        kind=LedgerEntry.Kind.EXPIRY,
        amount=-remaining,
        balance_after=ZERO,
        reason=_("有效期届满，余额作废。"),
    )
