"""Issue 21: on PostgreSQL a redemption is three statements (vouchers/services/redemption_sql.py);
the ORM's path stays for SQLite. Both must write the same rows and refuse the same requests, and
the database's own rules still hold for the single statement."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError
from simple_history.models import HistoricalRecords

from vouchers import services
from vouchers.models import LedgerEntry, Redemption, Voucher, VoucherMonth
from vouchers.services import VoucherError, redemptions

from .conftest import MARCH, make_child

pytestmark = pytest.mark.django_db
PATHS = ["three_statements", "orm"]


@pytest.fixture(params=PATHS)
def path(request, monkeypatch):
    if request.param == "orm":
        monkeypatch.setattr(redemptions, "_in_three_statements", lambda: False)
    return request.param


def issue(batch, bureau, institution, n: int) -> Voucher:
    child = make_child(n)
    application = services.application_create(
        batch=batch, child=child, source="bureau", actor=bureau, applied_on=dt.date(2025, 2, 10)
    )
    voucher = services.application_approve(application=application, actor=bureau)
    services.enrolment_record(child=child, institution=institution, start=MARCH)
    return voucher


def redeem(voucher, institution, amount, key, actor=None):
    return services.redeem(
        institution=institution,
        code=voucher.code,
        fee_month=MARCH,
        amount=Decimal(amount),
        idempotency_key=key,
        actor=actor,
    )


def written(voucher: Voucher) -> dict:
    """Everything a voucher's redemptions wrote, without ids and times."""
    voucher.refresh_from_db()
    history = Redemption.history.model.objects.filter(voucher_id=voucher.pk)
    return {
        "balance": voucher.balance,
        "redemptions": sorted(
            Redemption.objects.filter(voucher=voucher).values_list(
                "institution_id",
                "fee_month",
                "amount",
                "status",
                "idempotency_key",
                "request_fingerprint",
                "created_by_id",
                "reversal_reason",
                "settlement_id",
            )
        ),
        "redemption_history": sorted(
            history.values_list("history_type", "history_user_id", "amount", "status")
        ),
        "voucher_history": sorted(
            Voucher.history.model.objects.filter(id=voucher.pk)
            .exclude(history_type="+")
            .values_list("history_type", "history_user_id", "balance", "status")
        ),
        "month": list(
            VoucherMonth.objects.filter(voucher=voucher).values_list("fee_month", "used", "cap")
        ),
        "ledger": list(
            LedgerEntry.objects.filter(voucher=voucher, kind="redemption")
            .order_by("pk")
            .values_list("amount", "balance_after", "institution_id", "created_by_id", "reason")
        ),
    }


def test_both_paths_write_the_same_rows(batch, bureau, inclusive_a, operator_a, monkeypatch):
    fast = issue(batch, bureau, inclusive_a, 1)
    orm = issue(batch, bureau, inclusive_a, 2)
    for voucher in (fast, orm):
        if voucher is orm:
            monkeypatch.setattr(redemptions, "_in_three_statements", lambda: False)
        # The month's first redemption creates its row; the second adds to it.
        first = redeem(voucher, inclusive_a, "120.00", f"{voucher.pk}a", actor=operator_a)
        second = redeem(voucher, inclusive_a, "80.50", f"{voucher.pk}b", actor=operator_a)
        assert first.redemption.pk and second.redemption.voucher.balance == Decimal("2799.50")
        assert second.redemption.created_at is not None
    fast_rows, orm_rows = written(fast), written(orm)
    # The keys and fingerprints differ (another voucher); everything else is equal row for row.
    for rows in (fast_rows, orm_rows):
        rows["redemptions"] = [r[:4] + r[6:] for r in rows["redemptions"]]
    assert fast_rows == orm_rows
    assert fast_rows["month"] == [(MARCH, Decimal("200.50"), Decimal("500.00"))]
    assert fast_rows["redemption_history"] == [
        ("+", operator_a.pk, Decimal("80.50"), "active"),
        ("+", operator_a.pk, Decimal("120.00"), "active"),
    ]
    assert services.reconcile_balances() == []


def test_without_an_actor_the_history_names_the_requests_user(
    path, batch, bureau, inclusive_a, operator_a
):
    voucher = issue(batch, bureau, inclusive_a, 3)

    class Request:
        user = operator_a

    HistoricalRecords.context.request = Request()
    try:
        redeem(voucher, inclusive_a, "10.00", "ctx")
    finally:
        del HistoricalRecords.context.request
    rows = written(voucher)
    assert rows["redemption_history"] == [("+", operator_a.pk, Decimal("10.00"), "active")]
    assert rows["voucher_history"][-1][:2] == ("~", operator_a.pk)
    assert rows["ledger"][0][3] is None  # the ledger names the actor only


@pytest.mark.parametrize(
    ("amounts", "refused"),
    [
        (["500.00"], None),  # exactly the month's cap
        (["500.01"], "over_monthly_cap"),  # a cent over it
        (["300.00", "200.00"], None),  # the cap reached in two
        (["300.00", "200.01"], "over_monthly_cap"),
    ],
)
def test_the_months_cap_on_both_sides_on_both_paths(
    path, amounts, refused, batch, bureau, inclusive_a
):
    voucher = issue(batch, bureau, inclusive_a, 4)
    *before, last = amounts
    for n, amount in enumerate(before):
        redeem(voucher, inclusive_a, amount, f"k{n}")
    if refused:
        with pytest.raises(VoucherError) as error:
            redeem(voucher, inclusive_a, last, "last")
        assert error.value.code == refused
    else:
        redeem(voucher, inclusive_a, last, "last")
    used = sum(Decimal(a) for a in (before if refused else amounts))
    assert written(voucher)["month"] == ([(MARCH, used, Decimal("500.00"))] if used else [])


def test_a_refusal_after_the_locks_writes_nothing_on_both_paths(
    path, batch, bureau, inclusive_a, institution_b
):
    voucher = issue(batch, bureau, inclusive_a, 5)
    before = written(voucher)
    with pytest.raises(VoucherError) as error:
        redeem(voucher, institution_b, "10.00", "elsewhere")  # not enrolled there
    assert error.value.code == "not_enrolled"
    assert written(voucher) == before


def test_the_database_still_refuses_what_the_code_would(batch, bureau, inclusive_a, monkeypatch):
    """With the cap check switched off in Python, the single statement meets the month's CHECK
    constraint and nothing of the redemption is written."""
    voucher = issue(batch, bureau, inclusive_a, 6)
    monkeypatch.setattr(redemptions, "_check_month_cap", lambda **kwargs: None)
    before = written(voucher)
    with pytest.raises(IntegrityError, match="voucher_month_within_cap"):
        redeem(voucher, inclusive_a, "500.01", "over")
    assert written(voucher) == before
