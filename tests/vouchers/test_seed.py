"""The demo's vouchers: everything the README promises exists, and the ledger reconciles."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Count
from django.utils import timezone

from institutions.models import Institution
from institutions.selectors import institutions_as_of
from lequing_tuoyu import demo
from portal.dates import add_months, month_start
from vouchers import selectors, services
from vouchers.models import (
    Enrolment,
    LedgerEntry,
    Redemption,
    Settlement,
    Voucher,
    VoucherApplication,
    VoucherBatch,
    VoucherMonth,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """One demo seed for the module (it takes seconds), removed again afterwards."""
    with django_db_blocker.unblock():
        from django.db import transaction

        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            result = demo.seed(scale="demo")
            yield result
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def test_two_batches_one_from_the_pilot_start_and_one_later(seeded, settings):
    batches = list(VoucherBatch.objects.order_by("apply_from"))
    assert len(batches) == 2
    first, second = batches
    assert first.apply_from == settings.PILOT_START_DATE
    assert second.apply_from > first.apply_until
    assert all(batch.name.endswith("（演示）") for batch in batches)
    assert first.valid_until < timezone.localdate() <= second.valid_until


def test_applications_include_ineligible_ones_with_reasons_and_some_waiting(seeded):
    applications = VoucherApplication.objects.all()
    ineligible = applications.filter(eligible=False)
    assert ineligible.exists()
    assert all(
        a.eligibility_notes and "符合本批次申请条件" not in a.eligibility_notes[0]
        for a in ineligible
    )
    assert applications.filter(state="rejected").exclude(reject_reason="").exists()
    assert applications.filter(state="pending", eligible=True).exists()
    assert set(applications.values_list("source", flat=True)) >= {"import", "operator"}


def test_the_family_voucher_has_history_and_a_reversal(seeded):
    result = seeded.vouchers
    voucher = Voucher.objects.get(code=result["family_code"])
    assert voucher.child.id_last6 == result["family_id_last6"]
    kinds = list(voucher.ledger.values_list("kind", flat=True))
    assert kinds[0] == "issue" and kinds.count("redemption") >= 3 and "reversal" in kinds
    assert voucher.status == "active" and voucher.balance > 0
    reversed_ = Redemption.objects.get(status="reversed")
    assert reversed_.voucher == voucher and reversed_.reversal_reason
    # The history is spread over past months, as in a running pilot.
    months = {timezone.localtime(e.created_at).date().replace(day=1) for e in voucher.ledger.all()}
    assert len(months) >= 3


def test_operator1_can_redeem_the_listed_voucher_this_month(seeded):
    result = seeded.vouchers
    voucher = Voucher.objects.get(code=result["operator1_code"])
    home = Institution.objects.get(operators__username="operator1")
    assert home.name == "城东阳光幼儿园（演示）"
    today = timezone.localdate()
    this_month = month_start(today)
    assert Enrolment.objects.filter(
        child=voucher.child, institution=home, end__isnull=True
    ).exists()
    assert voucher.status == "active" and voucher.balance >= voucher.monthly_cap
    assert not VoucherMonth.objects.filter(
        voucher=voucher, fee_month=this_month, used__gt=0
    ).exists()
    state = institutions_as_of(today, Institution.objects.filter(pk=home.pk)).get()
    assert state.fee_full_day and (state.is_inclusive or not voucher.batch.inclusive_only)
    redemption = services.redeem(
        institution=home,
        code=voucher.code,
        fee_month=this_month,
        amount=voucher.monthly_cap,
        idempotency_key="test-operator1",
    ).redemption
    assert redemption.amount == voucher.monthly_cap


def test_redemptions_over_past_months_at_several_institutions(seeded):
    active = Redemption.objects.filter(status="active")
    assert active.values("fee_month").distinct().count() >= 6
    assert active.values("institution").distinct().count() >= 2
    home = Institution.objects.get(operators__username="operator1")
    assert active.filter(institution=home).exists()
    assert Enrolment.objects.filter(institution=home).count() >= 2


def test_settled_months_and_one_waiting_for_the_bureau(seeded):
    paid = Settlement.objects.filter(state="paid")
    assert paid.exists()
    assert all(s.payment_reference and s.total > 0 for s in paid)
    for settlement in paid[:3]:
        assert list(selectors.statement_lines(settlement)) == list(
            settlement.redemptions.filter(status="active").order_by("created_at", "pk")
        )
        assert (
            sum(line.amount for line in selectors.statement_lines(settlement)) == settlement.total
        )
    last_month = add_months(month_start(timezone.localdate()), -1)
    assert Settlement.objects.filter(state="confirmed", month=last_month).exists()


def test_an_expired_voucher_with_its_expiry_entry(seeded):
    expired = Voucher.objects.filter(status="expired")
    assert expired.exists()
    entry = LedgerEntry.objects.filter(kind="expiry").first()
    assert entry is not None and entry.voucher.status == "expired"
    assert entry.amount < 0 and entry.balance_after == Decimal("0.00")
    assert timezone.localtime(entry.created_at).date() == entry.voucher.valid_until + dt.timedelta(
        days=1
    )


def test_the_ledger_reconciles(seeded):
    assert services.reconcile_balances() == []
    assert not Voucher.objects.annotate(n=Count("ledger")).filter(n=0).exists()


def test_the_anomaly_page_has_something_to_show(seeded):
    today = timezone.localdate()
    rows = list(
        selectors.anomalies(
            month_from=month_start(dt.date(2000, 1, 1)), month_to=month_start(today), as_of=today
        )
    )
    assert rows
