"""Real concurrent connections against PostgreSQL (threads, each with its own connection)."""

import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import Sum

from institutions.models import FeeStandard
from vouchers import selectors, services
from vouchers.models import (
    LedgerEntry,
    Redemption,
    Voucher,
    VoucherApplication,
    VoucherBatch,
    VoucherMonth,
)
from vouchers.services import VoucherError

from .conftest import MARCH, make_child

pytestmark = pytest.mark.django_db(transaction=True)


def run_at_once(count: int, work) -> list:
    """Run work(i) in `count` threads released together; returns each result or exception."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def target(i):
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except Exception as error:  # noqa: BLE001 - collected for the assertions
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_fifty_simultaneous_redemptions_never_overdraw(voucher, inclusive_a):
    # Only the balance limits these redemptions: a high monthly cap and fee.
    VoucherBatch.objects.filter(pk=voucher.batch_id).update(monthly_cap=Decimal("100000"))
    Voucher.objects.filter(pk=voucher.pk).update(monthly_cap=Decimal("100000"))
    FeeStandard.objects.filter(institution=inclusive_a).update(monthly_full_day=Decimal("100000"))

    results = run_at_once(
        50,
        lambda i: services.redeem(
            institution=inclusive_a,
            code=voucher.code,
            fee_month=MARCH,
            amount=Decimal("100.00"),
            idempotency_key=f"key-{i}",
        ),
    )
    succeeded = [r for r in results if isinstance(r, services.RedeemResult)]
    refused = [r for r in results if isinstance(r, VoucherError)]
    assert len(succeeded) == 30, [
        r for r in results if not isinstance(r, (services.RedeemResult, VoucherError))
    ]
    assert len(refused) == 20 and {r.code for r in refused} == {"insufficient_balance"}
    voucher.refresh_from_db()
    assert voucher.balance == Decimal("0.00")
    ledger_total = LedgerEntry.objects.filter(voucher=voucher).aggregate(total=Sum("amount"))[
        "total"
    ]
    assert ledger_total == voucher.balance
    assert Redemption.objects.count() == 30
    assert services.reconcile_balances() == []


def test_simultaneous_approvals_never_exceed_the_cap(batch, bureau):
    VoucherBatch.objects.filter(pk=batch.pk).update(quantity_cap=5)
    applications = [
        services.application_create(
            batch=batch, child=make_child(n), source="bureau", applied_on=dt.date(2025, 2, 10)
        )
        for n in range(20)
    ]
    results = run_at_once(
        20, lambda i: services.application_approve(application=applications[i], actor=bureau)
    )
    issued = [r for r in results if isinstance(r, Voucher)]
    refused = [r for r in results if isinstance(r, VoucherError)]
    assert len(issued) == 5
    assert {r.code for r in refused} == {"quota_exhausted"} and len(refused) == 15
    batch.refresh_from_db()
    assert batch.issued_count == 5 == Voucher.objects.count()
    assert VoucherApplication.objects.filter(state="approved").count() == 5


def test_simultaneous_replays_of_one_key_redeem_once(voucher, inclusive_a):
    results = run_at_once(
        10,
        lambda i: services.redeem(
            institution=inclusive_a,
            code=voucher.code,
            fee_month=MARCH,
            amount=Decimal("200.00"),
            idempotency_key="same-key",
        ),
    )
    assert all(isinstance(r, services.RedeemResult) for r in results), results
    assert len({r.redemption.pk for r in results}) == 1
    assert sum(not r.replayed for r in results) == 1
    voucher.refresh_from_db()
    assert voucher.balance == Decimal("2800.00")
    assert Redemption.objects.count() == 1


def _lock_waits() -> int:
    """Connections to the test database now waiting for a lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def _until(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the other connections"
        time.sleep(0.05)


def test_a_reversal_racing_the_approval_never_stays_in_the_approved_total(
    voucher, inclusive_a, operator_a, bureau
):
    """The reversal is midway (its redemption row locked, not yet committed) when the bureau
    approves the month: the approval must wait for it and see it, not lock in a total that
    still counts the reversed amount while the statement no longer lists it."""
    redemption = services.redeem(
        institution=inclusive_a,
        code=voucher.code,
        fee_month=MARCH,
        amount=Decimal("300.00"),
        idempotency_key="race",
    ).redemption
    settlement = services.settlement_prepare(institution=inclusive_a, month=MARCH)
    services.settlement_confirm(settlement=settlement, actor=operator_a)
    held, release = threading.Event(), threading.Event()
    results: dict = {}

    def hold_the_months_use():
        # Holds the voucher's month row: the reversal stops there, just before it commits.
        with transaction.atomic():
            VoucherMonth.objects.select_for_update().get(voucher=voucher, fee_month=MARCH)
            held.set()
            release.wait(timeout=60)

    def run(name, work):
        try:
            results[name] = work()
        except Exception as error:  # noqa: BLE001 - collected for the assertions
            results[name] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=("hold", hold_the_months_use)),
        threading.Thread(
            target=run,
            args=(
                "reverse",
                lambda: services.reverse(
                    redemption=redemption, actor=operator_a, reason="录错", by_bureau=False
                ),
            ),
        ),
        threading.Thread(
            target=run,
            args=(
                "approve",
                lambda: services.settlement_approve(settlement=settlement, actor=bureau),
            ),
        ),
    ]
    try:
        threads[0].start()
        assert held.wait(timeout=30)
        threads[1].start()
        _until(lambda: _lock_waits() == 1)  # the reversal, at the month row
        threads[2].start()
        _until(lambda: _lock_waits() == 2)  # the approval, behind the reversal
    finally:
        release.set()
        for thread in threads:
            thread.join(timeout=60)

    assert isinstance(results["reverse"], Redemption), results
    settlement.refresh_from_db()
    lines = list(selectors.statement_lines(settlement))
    assert settlement.total == sum((line.amount for line in lines), start=Decimal("0.00"))
    assert settlement.line_count == len(lines)
    assert results["approve"].code == "statement_changed", results
    assert settlement.state == "draft" and settlement.total == 0
