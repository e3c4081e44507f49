"""Reads of vouchers: what a user may see, a settlement statement's lines, a voucher's history,
what is left of a month's cap, the institutions that accept a batch's vouchers, and the bureau's
figures (each batch's uptake, redemptions by institution and month, and the anomalies no peer
system shows). Writes are in vouchers/services/.

Each selector returns a queryset (or a small value), aggregates in the database and runs a
bounded number of queries, whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from institutions.models import InclusiveRecognition, Institution, MonthlyReport
from institutions.selectors import filed_and_open
from portal.dates import add_months, due_on, month_end, month_start
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

MONEY_FIELD = DecimalField(max_digits=14, decimal_places=2)


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


def statement_lines(settlement: Settlement) -> QuerySet[Redemption]:
    """A settlement statement's line items, oldest first, with each voucher and its child: the
    one definition the settlement services total, and the pages, the API and the PDF list.

    Until the bureau approves, the institution's active redemptions of the month as they are
    now; once approved (locked), the redemptions approval locked into it, whatever happens in
    that month afterwards.
    """
    if settlement.is_locked:
        lines = Redemption.objects.filter(settlement=settlement, status=Redemption.Status.ACTIVE)
    else:
        lines = Redemption.objects.filter(
            institution_id=settlement.institution_id,
            fee_month=settlement.month,
            status=Redemption.Status.ACTIVE,
        )
    return lines.select_related("voucher__child").order_by("created_at", "pk")


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


def _inclusive_on(on: dt.date) -> QuerySet:
    return InclusiveRecognition.objects.filter(
        institution=OuterRef("pk"), valid_from__lte=on
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))


def _accepting(inclusive_only: bool, on: dt.date) -> QuerySet[Institution]:
    institutions = Institution.objects.filter(filed_and_open(on))
    if inclusive_only:
        institutions = institutions.filter(Exists(_inclusive_on(on)))
    return institutions


def accepting_institutions(batch: VoucherBatch, on: dt.date) -> QuerySet[Institution]:
    """Institutions where the batch's vouchers can be used on `on`: filed and open that day,
    and recognised as inclusive that day if the batch is for inclusive institutions only."""
    return (
        _accepting(batch.inclusive_only, on)
        .select_related("township")
        .only("pk", "name", "address", "township__name", "township__sort_order")
        .order_by("township__sort_order", "name", "pk")
    )


def institutions_taking_vouchers(institution_ids, *, today: dt.date) -> set[int]:
    """Of these institutions, those where some voucher valid today can pay the fee (信息公示,
    through institutions.disclosure): filed and open, and inclusive unless a batch valid today
    is open to every filed institution. One query."""
    valid = VoucherBatch.objects.filter(valid_from__lte=today, valid_until__gte=today)
    accepting = _accepting(False, today).filter(
        Q(Exists(valid.filter(inclusive_only=False)))
        | Q(Exists(valid), Exists(_inclusive_on(today)))
    )
    return set(accepting.filter(pk__in=list(institution_ids)).values_list("pk", flat=True))


# --- The bureau's figures -----------------------------------------------------------------------


def _sum(queryset: QuerySet, group: str, field: str) -> Coalesce:
    """Sum of `field` over `queryset` rows belonging to the outer batch (grouped by `group`)."""
    return Coalesce(
        Subquery(
            queryset.order_by().values(group).annotate(total=Sum(field)).values("total"),
            output_field=MONEY_FIELD,
        ),
        Value(ZERO),
        output_field=MONEY_FIELD,
    )


def _count(queryset: QuerySet, group: str) -> Coalesce:
    return Coalesce(
        Subquery(
            queryset.order_by().values(group).annotate(n=Count("pk")).values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def batch_uptake(queryset: QuerySet[VoucherBatch] | None = None) -> QuerySet[VoucherBatch]:
    """Batches annotated with their uptake, in one query.

    applications_total, applications_pending, eligible_pending; issued (the locked counter; the
    model's quota_left follows from it);
    amount_issued (face value of the vouchers issued), redeemed (active redemptions), reversed
    (redemptions undone), expired (value written off at expiry), adjusted (staff corrections,
    signed) and outstanding (the vouchers' balances now).
    """
    queryset = VoucherBatch.objects.all() if queryset is None else queryset
    applications = VoucherApplication.objects.filter(batch=OuterRef("pk"))
    vouchers = Voucher.objects.filter(batch=OuterRef("pk"))
    redemptions = Redemption.objects.filter(voucher__batch=OuterRef("pk"))
    ledger = LedgerEntry.objects.filter(voucher__batch=OuterRef("pk"))
    return queryset.annotate(
        applications_total=_count(applications, "batch"),
        applications_pending=_count(
            applications.filter(state=VoucherApplication.State.PENDING), "batch"
        ),
        eligible_pending=_count(
            applications.filter(state=VoucherApplication.State.PENDING, eligible=True), "batch"
        ),
        issued=F("issued_count"),
        amount_issued=_sum(vouchers, "batch", "face_value"),
        redeemed=_sum(
            redemptions.filter(status=Redemption.Status.ACTIVE), "voucher__batch", "amount"
        ),
        reversed_amount=_sum(
            redemptions.filter(status=Redemption.Status.REVERSED), "voucher__batch", "amount"
        ),
        expired_amount=-_sum(
            ledger.filter(kind=LedgerEntry.Kind.EXPIRY), "voucher__batch", "amount"
        ),
        adjusted=_sum(ledger.filter(kind=LedgerEntry.Kind.ADJUSTMENT), "voucher__batch", "amount"),
        outstanding=_sum(vouchers, "batch", "balance"),
        expired_vouchers=_count(vouchers.filter(status=Voucher.Status.EXPIRED), "batch"),
    )


def redemptions_by_institution_month(
    *, month_from: dt.date, month_to: dt.date, name: str = ""
) -> QuerySet:
    """One row per institution and fee month with redemptions: lines, amount and children of
    the active redemptions, what was reversed, and the month's settlement state."""
    rows = Redemption.objects.filter(fee_month__gte=month_from, fee_month__lte=month_to)
    if name:
        rows = rows.filter(institution__name__icontains=name)
    active = Q(status=Redemption.Status.ACTIVE)
    reversed_ = Q(status=Redemption.Status.REVERSED)
    settlement = Settlement.objects.filter(
        institution=OuterRef("institution"), month=OuterRef("fee_month")
    )
    return (
        rows.values("institution", "institution__name", "institution__credit_code", "fee_month")
        .annotate(
            lines=Count("pk", filter=active),
            total_amount=Coalesce(
                Sum("amount", filter=active), Value(ZERO), output_field=MONEY_FIELD
            ),
            children=Count("voucher__child", filter=active, distinct=True),
            reversed_lines=Count("pk", filter=reversed_),
            reversed_amount=Coalesce(
                Sum("amount", filter=reversed_), Value(ZERO), output_field=MONEY_FIELD
            ),
            settlement_id=Subquery(settlement.values("pk")[:1]),
            settlement_state=Subquery(settlement.values("state")[:1]),
        )
        .order_by("-fee_month", "institution__name", "institution")
    )


def redemption_totals(*, month_from: dt.date, month_to: dt.date, name: str = "") -> dict:
    rows = Redemption.objects.filter(
        fee_month__gte=month_from, fee_month__lte=month_to, status=Redemption.Status.ACTIVE
    )
    if name:
        rows = rows.filter(institution__name__icontains=name)
    return rows.aggregate(
        lines=Count("pk"),
        total_amount=Coalesce(Sum("amount"), Value(ZERO), output_field=MONEY_FIELD),
        children=Count("voucher__child", distinct=True),
        institutions=Count("institution", distinct=True),
    )


def last_due_month(as_of: dt.date) -> dt.date:
    """The latest fee month whose monthly report was due before `as_of`.

    A month still inside its reporting window has no accepted report yet by design; it becomes
    an anomaly only once its report is overdue.
    """
    month = add_months(month_start(as_of), -1)
    while due_on(month) >= as_of:
        month = add_months(month, -1)
    return month


class AnomalyKind:
    OVER_REPORT = "over_report"  # more voucher children redeemed for than the report says
    NO_ACCEPTED_REPORT = "no_accepted_report"  # redeemed for a month without an accepted report


def anomalies(
    *, month_from: dt.date, month_to: dt.date, as_of: dt.date | None = None, name: str = ""
) -> QuerySet:
    """Institutions and fee months where the redemptions disagree with the monthly report.

    `children` counts the distinct children with active redemptions at the institution for the
    month; `reported` is the voucher_children of the month's accepted report (None without one);
    `report_state` is the state of whatever report exists. A row is an anomaly when children >
    reported, or when there is no accepted report and the report was due before `as_of`.
    """
    as_of = as_of or timezone.localdate()
    reports = MonthlyReport.objects.filter(
        institution=OuterRef("institution"), period=OuterRef("fee_month")
    )
    accepted = reports.filter(state=MonthlyReport.State.ACCEPTED)
    rows = Redemption.objects.filter(
        status=Redemption.Status.ACTIVE, fee_month__gte=month_from, fee_month__lte=month_to
    )
    if name:
        rows = rows.filter(institution__name__icontains=name)
    return (
        rows.values("institution", "institution__name", "fee_month")
        .annotate(
            children=Count("voucher__child", distinct=True),
            lines=Count("pk"),
            total_amount=Sum("amount"),
            reported=Subquery(accepted.values("voucher_children")[:1]),
            report_state=Subquery(reports.values("state")[:1]),
        )
        .filter(
            Q(reported__isnull=False, children__gt=F("reported"))
            | Q(reported__isnull=True, fee_month__lte=last_due_month(as_of))
        )
        .order_by("-fee_month", "institution__name", "institution")
    )


def anomaly_kind(row: dict) -> str:
    if row["reported"] is None:
        return AnomalyKind.NO_ACCEPTED_REPORT
    return AnomalyKind.OVER_REPORT


def net_redemptions_by_month(*, month_from: dt.date, month_to: dt.date) -> dict[dt.date, Decimal]:
    """Voucher spending per fee month, read from the ledger: the redemptions' entries net of
    their reversals (a reversed redemption nets to zero). Months without any entry are absent."""
    rows = (
        LedgerEntry.objects.filter(
            kind__in=[LedgerEntry.Kind.REDEMPTION, LedgerEntry.Kind.REVERSAL],
            redemption__fee_month__gte=month_from,
            redemption__fee_month__lte=month_to,
        )
        .values("redemption__fee_month")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {row["redemption__fee_month"]: -row["total"] for row in rows}


def families_redeeming(*, month_from: dt.date, month_to: dt.date) -> int:
    """Distinct families (guardians) with at least one redemption in those fee months that is
    not reversed: the families the vouchers reached."""
    return (
        Redemption.objects.filter(
            fee_month__gte=month_from,
            fee_month__lte=month_to,
            status=Redemption.Status.ACTIVE,
        )
        .values("voucher__child__guardian")
        .distinct()
        .count()
    )


# --- An operator's home (/wode/) ----------------------------------------------------------------


def redeemable_this_month(institution_ids, *, today: dt.date) -> QuerySet[Voucher]:
    """Vouchers of children enrolled today at one of these institutions that can be redeemed
    for this month and were not yet (no active redemption for the month, wherever): active,
    valid in the month, with a balance and the month's cap not used up, at an institution whose
    month is not settled and that is inclusive if the batch asks for it (the rules `redeem`
    applies, read without locks). Each annotated `enrolled_at` (the institution's id), with its
    child. One query."""
    month = month_start(today)
    last_day = month_end(month)
    here = {"institution_id": OuterRef("enrolled_at")}
    inclusive = InclusiveRecognition.objects.filter(valid_from__lte=last_day, **here).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=last_day)
    )
    settled = Settlement.objects.filter(
        month=month, state__in=[Settlement.State.APPROVED, Settlement.State.PAID], **here
    )
    enrolled = Enrolment.objects.filter(
        child=OuterRef("child"), institution_id__in=list(institution_ids), start__lte=today
    ).filter(Q(end__isnull=True) | Q(end__gte=today))
    redeemed = Redemption.objects.filter(
        voucher=OuterRef("pk"), fee_month=month, status=Redemption.Status.ACTIVE
    )
    used_up = VoucherMonth.objects.filter(
        voucher=OuterRef("pk"), fee_month=month, used__gte=F("cap")
    )
    return (
        Voucher.objects.filter(
            status=Voucher.Status.ACTIVE,
            valid_from__lte=month_end(month),
            valid_until__gte=month,
            balance__gt=0,
        )
        .filter(Exists(enrolled), ~Exists(redeemed), ~Exists(used_up))
        .annotate(enrolled_at=Subquery(enrolled.values("institution_id")[:1]))
        .filter(Q(batch__inclusive_only=False) | Exists(inclusive), ~Exists(settled))
        .select_related("child")
        .order_by("valid_until", "pk")
    )


def applications_waiting(user: User | None) -> QuerySet[VoucherApplication]:
    """Applications waiting for the bureau's decision that `user` may see, the oldest first."""
    return (
        applications_for(user)
        .filter(state=VoucherApplication.State.PENDING)
        .order_by("applied_on", "pk")
    )
