"""Redemption rules, reversal, the ledger and settlement."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.factories import InstitutionFactory
from vouchers import services
from vouchers.models import LedgerEntry, Redemption, Voucher, VoucherMonth
from vouchers.services import VoucherError

from .conftest import MARCH, make_child

pytestmark = pytest.mark.django_db
CST = dt.timezone(dt.timedelta(hours=8))


def redeem(voucher, institution, amount="300.00", month=MARCH, key="k1", actor=None):
    return services.redeem(
        institution=institution,
        code=voucher.code,
        fee_month=month,
        amount=Decimal(amount),
        idempotency_key=key,
        actor=actor,
    )


def code_of(call) -> str:
    with pytest.raises(VoucherError) as error:
        call()
    return error.value.code


def test_issue_writes_the_ledger_and_the_balance(voucher):
    assert voucher.balance == Decimal("3000.00")
    entry = voucher.ledger.get()
    assert (entry.kind, entry.amount, entry.balance_after) == (
        "issue",
        Decimal("3000.00"),
        Decimal("3000.00"),
    )
    assert len(voucher.code) == 12


def test_redeem_takes_the_balance_and_writes_one_ledger_entry(voucher, inclusive_a, operator_a):
    result = redeem(voucher, inclusive_a, actor=operator_a)
    voucher.refresh_from_db()
    assert not result.replayed
    assert voucher.balance == Decimal("2700.00")
    entry = voucher.ledger.get(kind="redemption")
    assert (entry.amount, entry.balance_after, entry.redemption) == (
        Decimal("-300.00"),
        Decimal("2700.00"),
        result.redemption,
    )
    assert VoucherMonth.objects.get(voucher=voucher, fee_month=MARCH).used == Decimal("300.00")
    assert services.reconcile_balances() == []


def test_replay_with_the_same_key_changes_nothing(voucher, inclusive_a):
    first = redeem(voucher, inclusive_a)
    again = redeem(voucher, inclusive_a)
    assert again.replayed and again.redemption == first.redemption
    voucher.refresh_from_db()
    assert voucher.balance == Decimal("2700.00")
    assert Redemption.objects.count() == 1 and voucher.ledger.count() == 2


def test_same_key_with_another_body_is_refused(voucher, inclusive_a):
    redeem(voucher, inclusive_a)
    assert (
        code_of(lambda: redeem(voucher, inclusive_a, amount="200.00")) == "idempotency_key_reused"
    )


def test_not_more_than_the_balance(voucher, inclusive_a, bureau):
    services.adjust(
        voucher=voucher, amount=Decimal("-2800.00"), reason="测试：余额只剩200", actor=bureau
    )
    assert code_of(lambda: redeem(voucher, inclusive_a, amount="300.00")) == "insufficient_balance"


def test_not_more_than_the_monthly_cap_left(voucher, inclusive_a):
    redeem(voucher, inclusive_a, amount="400.00", key="a")
    assert (
        code_of(lambda: redeem(voucher, inclusive_a, amount="200.00", key="b"))
        == "over_monthly_cap"
    )
    redeem(voucher, inclusive_a, amount="100.00", key="c")
    redeem(voucher, inclusive_a, amount="200.00", key="d", month=dt.date(2025, 4, 1))


def test_not_more_than_the_months_fee(voucher, inclusive_a, bureau):
    from institutions.models import FeeStandard

    FeeStandard.objects.filter(institution=inclusive_a).update(monthly_full_day=Decimal("350.00"))
    redeem(voucher, inclusive_a, amount="300.00", key="a")
    assert code_of(lambda: redeem(voucher, inclusive_a, amount="100.00", key="b")) == "over_fee"


def test_only_where_the_child_is_enrolled_that_month(voucher, inclusive_a, institution_b):
    from tests.factories import FeeStandardFactory, InclusiveRecognitionFactory

    InclusiveRecognitionFactory(institution=institution_b)
    FeeStandardFactory(institution=institution_b)
    assert code_of(lambda: redeem(voucher, institution_b)) == "not_enrolled"
    assert code_of(lambda: redeem(voucher, inclusive_a, month=dt.date(2025, 2, 1))) in {
        "not_enrolled",
        "outside_validity",
    }


def test_only_inside_the_vouchers_validity(voucher, inclusive_a):
    assert (
        code_of(lambda: redeem(voucher, inclusive_a, month=dt.date(2026, 3, 1)))
        == "outside_validity"
    )


def test_inclusive_only_batches_refuse_other_institutions(voucher, child, bureau):
    from tests.factories import FeeStandardFactory

    private = InstitutionFactory()
    FeeStandardFactory(institution=private)
    services.enrolment_end(enrolment=child.enrolments.get(), end=dt.date(2025, 3, 31))
    services.enrolment_record(child=child, institution=private, start=dt.date(2025, 4, 1))
    assert (
        code_of(lambda: redeem(voucher, private, month=dt.date(2025, 4, 1)))
        == "institution_not_inclusive"
    )


def test_expired_voucher_cannot_be_redeemed(voucher, inclusive_a):
    services.expire_vouchers(today=dt.date(2026, 3, 1))
    assert code_of(lambda: redeem(voucher, inclusive_a)) == "voucher_inactive"


def test_reversal_restores_value_once(voucher, inclusive_a, operator_a):
    redemption = redeem(voucher, inclusive_a).redemption
    assert (
        code_of(
            lambda: services.reverse(
                redemption=redemption, actor=operator_a, reason=" ", by_bureau=False
            )
        )
        == "reason_required"
    )
    services.reverse(redemption=redemption, actor=operator_a, reason="重复抵扣", by_bureau=False)
    voucher.refresh_from_db()
    assert voucher.balance == Decimal("3000.00")
    assert VoucherMonth.objects.get(voucher=voucher).used == 0
    assert (
        code_of(
            lambda: services.reverse(
                redemption=redemption, actor=operator_a, reason="x", by_bureau=False
            )
        )
        == "already_reversed"
    )
    assert [e.kind for e in voucher.ledger.all()] == ["issue", "redemption", "reversal"]
    assert services.reconcile_balances() == []


def test_operator_reversal_only_within_seven_days(voucher, inclusive_a, operator_a, bureau):
    with time_machine.travel(dt.datetime(2025, 4, 2, 10), tick=False):
        redemption = redeem(voucher, inclusive_a).redemption
    with time_machine.travel(dt.datetime(2025, 4, 10, 10), tick=False):
        assert (
            code_of(
                lambda: services.reverse(
                    redemption=redemption, actor=operator_a, reason="x", by_bureau=False
                )
            )
            == "reversal_window_passed"
        )
        services.reverse(redemption=redemption, actor=bureau, reason="家长退托", by_bureau=True)


def test_settlement_locks_the_month(voucher, inclusive_a, operator_a, bureau):
    redemption = redeem(voucher, inclusive_a, key="a").redemption
    settlement = services.settlement_prepare(institution=inclusive_a, month=MARCH)
    assert (settlement.total, settlement.line_count) == (Decimal("300.00"), 1)
    assert (
        code_of(lambda: services.settlement_approve(settlement=settlement, actor=bureau))
        == "bad_state"
    )
    services.settlement_confirm(settlement=settlement, actor=operator_a)
    services.settlement_approve(settlement=settlement, actor=bureau)
    redemption.refresh_from_db()
    assert redemption.settlement == settlement
    assert code_of(lambda: redeem(voucher, inclusive_a, amount="50.00", key="b")) == "month_settled"
    assert (
        code_of(
            lambda: services.reverse(
                redemption=redemption, actor=bureau, reason="x", by_bureau=True
            )
        )
        == "month_settled"
    )
    assert (
        code_of(
            lambda: services.settlement_mark_paid(
                settlement=settlement, reference=" ", actor=bureau
            )
        )
        == "reference_required"
    )
    services.settlement_mark_paid(settlement=settlement, reference="财付2025-0401", actor=bureau)
    redeem(voucher, inclusive_a, amount="50.00", key="c", month=dt.date(2025, 4, 1))


def test_a_reversal_after_confirmation_sends_the_statement_back(
    voucher, inclusive_a, operator_a, bureau
):
    redemption = redeem(voucher, inclusive_a).redemption
    settlement = services.settlement_prepare(institution=inclusive_a, month=MARCH)
    services.settlement_confirm(settlement=settlement, actor=operator_a)
    services.reverse(redemption=redemption, actor=bureau, reason="退托", by_bureau=True)
    assert (
        code_of(lambda: services.settlement_approve(settlement=settlement, actor=bureau))
        == "statement_changed"
    )
    settlement.refresh_from_db()
    assert settlement.state == "draft" and settlement.total == 0


def test_expiry_writes_off_the_rest_once(voucher, inclusive_a):
    redeem(voucher, inclusive_a)
    with time_machine.travel(dt.datetime(2026, 2, 28, 23, 0, tzinfo=CST), tick=False):
        assert services.expire_vouchers() == 0  # the last valid day
    assert services.expire_vouchers(today=dt.date(2026, 3, 1)) == 1
    assert services.expire_vouchers(today=dt.date(2026, 3, 1)) == 0
    voucher.refresh_from_db()
    assert (voucher.status, voucher.balance) == ("expired", Decimal("0.00"))
    expiry = voucher.ledger.get(kind="expiry")
    assert expiry.amount == Decimal("-2700.00")
    assert services.reconcile_balances() == []


def test_database_refuses_a_negative_balance_and_ledger_rewrites(voucher):
    with pytest.raises(IntegrityError), transaction.atomic():
        Voucher.objects.filter(pk=voucher.pk).update(balance=Decimal("-1.00"))
    entry = voucher.ledger.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal("1.00"))
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM vouchers_ledgerentry WHERE id = %s", [entry.pk])
    with pytest.raises(ValueError):
        entry.save()


def test_reconciliation_reports_a_drifted_balance(voucher):
    Voucher.objects.filter(pk=voucher.pk).update(balance=Decimal("2999.00"))
    drifted = services.reconcile_balances()
    assert [(row["code"], row["balance"], row["ledger_total"]) for row in drifted] == [
        (voucher.code, Decimal("2999.00"), Decimal("3000.00"))
    ]


def test_a_second_child_cannot_use_the_first_childs_enrolment(voucher, batch, bureau, inclusive_a):
    other = make_child(1)
    application = services.application_create(
        batch=batch, child=other, source="bureau", applied_on=dt.date(2025, 2, 11)
    )
    other_voucher = services.application_approve(application=application, actor=bureau)
    assert code_of(lambda: redeem(other_voucher, inclusive_a, key="x")) == "not_enrolled"


# A redemption's round trips (the savepoints the test's transaction makes included): the path
# `make bench` measures (16 before issue 21). Splitting the code must not add one or change their
# order.
REDEMPTION_ROUND_TRIPS = 6


def test_a_redemption_locks_the_voucher_before_it_reads_in_a_fixed_number_of_round_trips(
    voucher, inclusive_a, operator_a
):
    with CaptureQueriesContext(connection) as queries:
        redeem(voucher, inclusive_a, actor=operator_a)
    sql = [query["sql"].strip() for query in queries.captured_queries]
    assert len(sql) == REDEMPTION_ROUND_TRIPS, sql
    steps = [s for s in sql if "SAVEPOINT" not in s]
    assert steps[0].startswith("SELECT id, request_fingerprint FROM vouchers_redemption")  # replay
    # The voucher locked first, then the month's shared lock, in one statement: the CTE hands
    # up its locked row before the outer SELECT calls the lock function.
    lock = steps[1]
    assert lock.startswith("WITH locked AS MATERIALIZED (") and "FROM vouchers_voucher v" in lock
    assert lock.index("FOR UPDATE)") < lock.index("pg_advisory_xact_lock_shared(")
    assert "FROM vouchers_enrolment" in steps[2]  # then every rule's facts, at once
    assert "vouchers_vouchermonth" in steps[2] and "FOR UPDATE" not in steps[2]
    writes = steps[3]  # then every write, in one statement
    assert writes.startswith("WITH r AS (\n    INSERT INTO vouchers_redemption")
    for table in (
        "vouchers_historicalredemption",
        "vouchers_voucher",
        "vouchers_historicalvoucher",
        "vouchers_vouchermonth",
        "vouchers_ledgerentry",
    ):
        assert f"INTO {table}" in writes or f"UPDATE {table}" in writes, table
