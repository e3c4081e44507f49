"""The nightly jobs (vouchers/tasks.py runs them): expiry of vouchers past their validity, and
the reconciliation of every stored balance with its ledger."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import DecimalField, F, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..models import ZERO, LedgerEntry, Voucher
from .common import _expire_remaining


def expire_vouchers(*, today: dt.date | None = None) -> int:
    """Expire vouchers whose validity ended before today: the remaining balance leaves through
    an expiry ledger entry. Idempotent: each voucher is re-read under its lock."""
    today = today or timezone.localdate()
    expired = 0
    for pk in Voucher.objects.filter(
        status=Voucher.Status.ACTIVE, valid_until__lt=today
    ).values_list("pk", flat=True):
        with transaction.atomic():
            voucher = Voucher.objects.select_for_update().get(pk=pk)
            if voucher.status != Voucher.Status.ACTIVE or voucher.valid_until >= today:
                continue
            voucher.status = Voucher.Status.EXPIRED
            voucher.save(update_fields=["status"])
            _expire_remaining(voucher)
            expired += 1
    return expired


def reconcile_balances() -> list[dict]:
    """Vouchers whose stored balance differs from the sum of their ledger (should be none)."""

    ledger_sum = Subquery(
        LedgerEntry.objects.filter(voucher=OuterRef("pk"))
        .order_by()
        .values("voucher")
        .annotate(total=Sum("amount"))
        .values("total"),
        output_field=DecimalField(max_digits=12, decimal_places=2),
    )
    return list(
        Voucher.objects.annotate(ledger_total=Coalesce(ledger_sum, ZERO))
        .exclude(balance=F("ledger_total"))
        .values("pk", "code", "balance", "ledger_total")
    )
