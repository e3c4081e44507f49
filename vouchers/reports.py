"""The bureau's voucher figures: each batch's uptake, redemptions by institution and month, and
the anomalies no peer system shows. Selectors: they read, aggregate in the database and return
querysets, so a page runs the same few queries however many vouchers there are.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    Count,
    DecimalField,
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

from institutions.models import MonthlyReport
from portal.dates import add_months, due_on, month_start

from .models import (
    ZERO,
    LedgerEntry,
    Redemption,
    Settlement,
    Voucher,
    VoucherApplication,
    VoucherBatch,
)

MONEY_FIELD = DecimalField(max_digits=14, decimal_places=2)


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


def statement_lines(settlement: Settlement) -> QuerySet[Redemption]:
    """The line items of a settlement statement, oldest first.

    Until the bureau approves, the statement is whatever is active for the institution and month
    now; once approved, the redemptions locked into it.
    """
    if settlement.is_locked:
        lines = settlement.redemptions.filter(status=Redemption.Status.ACTIVE)
    else:
        lines = Redemption.objects.filter(
            institution_id=settlement.institution_id,
            fee_month=settlement.month,
            status=Redemption.Status.ACTIVE,
        )
    return lines.select_related("voucher__child").order_by("created_at", "pk")
