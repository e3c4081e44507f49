"""Reads of vouchers: what a user may see, a voucher's history, what is left of a month's cap,
and the institutions that accept a batch's vouchers. Writes are in services.py.

Each selector returns a queryset (or a small value) and runs a bounded number of queries,
whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from institutions.models import InclusiveRecognition, Institution
from institutions.selectors import counted_on
from portal.dates import month_end
from portal.personal_data import keyed_hash
from portal.roles import (
    Role,
    User,
    has_role,
    is_bureau,
    operated_institution_ids,
    scope,
)

from . import codes
from .models import (
    ZERO,
    Child,
    Enrolment,
    LedgerEntry,
    Redemption,
    Settlement,
    Voucher,
    VoucherApplication,
    VoucherBatch,
    VoucherMonth,
)


def sees_all_vouchers(user: User | None) -> bool:
    """Bureau staff and auditors see every voucher; nobody else does."""
    return is_bureau(user) or has_role(user, Role.AUDITOR)


# --- Scoped querysets ---------------------------------------------------------------------------


def vouchers_for(user: User | None) -> QuerySet[Voucher]:
    """Vouchers the user may look up: all for bureau staff and auditors; for an operator, those
    of children enrolled (at any time) at one of their institutions; none for anyone else."""
    vouchers = Voucher.objects.all()
    if sees_all_vouchers(user):
        return vouchers
    if has_role(user, Role.OPERATOR):
        return vouchers.filter(
            Exists(
                Enrolment.objects.filter(
                    child=OuterRef("child"), institution__in=operated_institution_ids(user)
                )
            )
        )
    return vouchers.none()


def redemption_balance_after() -> Subquery:
    """The balance right after the redemption: its own ledger entry's `balance_after`, so the
    figure stays what it was whatever happened to the voucher later."""
    return Subquery(
        LedgerEntry.objects.filter(
            redemption=OuterRef("pk"), kind=LedgerEntry.Kind.REDEMPTION
        ).values("balance_after")[:1]
    )


def redemptions_for(user: User | None) -> QuerySet[Redemption]:
    """Redemptions the user may see (all for city-wide roles, their institutions' for
    operators), with `balance_after` annotated."""
    return scope(
        user,
        Redemption.objects.select_related("voucher", "institution").annotate(
            balance_after=redemption_balance_after()
        ),
    )


def enrolments_for(user: User | None) -> QuerySet[Enrolment]:
    return scope(user, Enrolment.objects.select_related("child", "institution"))


def settlements_for(user: User | None) -> QuerySet[Settlement]:
    return scope(user, Settlement.objects.select_related("institution"))


def applications_for(user: User | None) -> QuerySet[VoucherApplication]:
    return scope(
        user,
        VoucherApplication.objects.select_related("batch", "child", "voucher"),
    )


def batches() -> QuerySet[VoucherBatch]:
    return VoucherBatch.objects.all()


def settlement_lines(settlement: Settlement) -> QuerySet[Redemption]:
    """The statement's line items: once approved, the redemptions it locked; before, the
    month's active redemptions of the institution, as the statement's totals count them."""
    if settlement.is_locked:
        lines = Redemption.objects.filter(settlement=settlement)
    else:
        lines = Redemption.objects.filter(
            institution_id=settlement.institution_id,
            fee_month=settlement.month,
            status=Redemption.Status.ACTIVE,
        )
    return (
        lines.select_related("voucher", "institution")
        .annotate(balance_after=redemption_balance_after())
        .order_by("created_at", "pk")
    )


def child_by_id_and_code(id_number: str, code: str) -> Child | None:
    """The child with this ID number who holds a voucher with this code, or None: knowing an ID
    number alone finds nobody."""
    return (
        Child.objects.filter(
            id_number_hash=keyed_hash(id_number), vouchers__code=codes.normalize(code)
        )
        .distinct()
        .first()
    )


# --- A voucher's figures ------------------------------------------------------------------------


def voucher_history(voucher: Voucher) -> QuerySet[LedgerEntry]:
    """The voucher's ledger, newest first, with the institution's name and the redemption's fee
    month (one query)."""
    return (
        LedgerEntry.objects.filter(voucher=voucher)
        .select_related("institution", "redemption")
        .only(
            "pk",
            "voucher_id",
            "kind",
            "amount",
            "balance_after",
            "created_at",
            "institution__name",
            "redemption__fee_month",
        )
        .order_by("-created_at", "-pk")
    )


def month_remaining(voucher: Voucher, on: dt.date) -> Decimal:
    """What can still be redeemed for the month containing `on`: the month's cap (the voucher's
    monthly cap until the month has a VoucherMonth row) minus what is used, never more than the
    balance. Zero when the voucher is not active or the month lies outside its validity, since
    nothing can be redeemed for that month then."""
    month = on.replace(day=1)
    if (
        voucher.status != Voucher.Status.ACTIVE
        or month > voucher.valid_until
        or month_end(month) < voucher.valid_from
    ):
        return ZERO
    row = VoucherMonth.objects.filter(voucher=voucher, fee_month=month).only("cap", "used").first()
    cap, used = (row.cap, row.used) if row is not None else (voucher.monthly_cap, ZERO)
    return max(ZERO, min(cap - used, voucher.balance))


def accepting_institutions(batch: VoucherBatch, on: dt.date) -> QuerySet[Institution]:
    """Institutions where the batch's vouchers can be used on `on`: filed and open that day,
    and recognised as inclusive that day if the batch is for inclusive institutions only."""
    institutions = Institution.objects.filter(counted_on(on))
    if batch.inclusive_only:
        institutions = institutions.filter(
            Exists(
                InclusiveRecognition.objects.filter(
                    institution=OuterRef("pk"), valid_from__lte=on
                ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
            )
        )
    return (
        institutions.select_related("township")
        .only("pk", "name", "address", "township__name", "township__sort_order")
        .order_by("township__sort_order", "name", "pk")
    )
