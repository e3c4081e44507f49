"""The bureau's figures: batch uptake, redemptions by institution and month, and anomalies
(more voucher children redeemed for than the monthly report says; no accepted report)."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from vouchers import selectors, services
from vouchers.models import VoucherBatch

from .conftest import MARCH, make_child
from .helpers import TODAY, accepted_report, issue_voucher, redeem

pytestmark = pytest.mark.django_db

APRIL = dt.date(2025, 4, 1)
MAY = dt.date(2025, 5, 1)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def test_batch_uptake_counts_every_movement(batch, bureau, inclusive_a, operator_a):
    first = issue_voucher(batch, bureau, 1, institution=inclusive_a)
    second = issue_voucher(batch, bureau, 2, institution=inclusive_a)
    redeem(first, inclusive_a, amount="300.00")
    wrong = redeem(second, inclusive_a, amount="120.00")
    services.reverse(redemption=wrong, actor=operator_a, reason="录错", by_bureau=False)
    redeem(second, inclusive_a, amount="200.00", key="again")
    services.application_create(
        batch=batch, child=make_child(3), source="bureau", applied_on=dt.date(2025, 3, 1)
    )
    services.adjust(voucher=first, amount=Decimal("-100.00"), reason="更正", actor=bureau)
    with time_machine.travel(dt.datetime(2026, 3, 2, 2, 0), tick=False):
        services.expire_vouchers()
    empty = VoucherBatch.objects.create(
        name="空批次",
        face_value=1000,
        quantity_cap=5,
        apply_from=dt.date(2025, 6, 1),
        apply_until=dt.date(2025, 6, 30),
        valid_from=dt.date(2025, 6, 1),
        valid_until=dt.date(2025, 12, 31),
        monthly_cap=100,
    )
    rows = {b.pk: b for b in selectors.batch_uptake()}
    row = rows[batch.pk]
    assert (row.applications_total, row.applications_pending, row.eligible_pending) == (3, 1, 1)
    assert (row.issued, row.quota_left) == (2, 98)
    assert row.amount_issued == Decimal("6000.00")
    assert row.redeemed == Decimal("500.00")
    assert row.reversed_amount == Decimal("120.00")
    assert row.adjusted == Decimal("-100.00")
    # 6000 issued - 500 redeemed - 100 adjusted = 5400 written off at expiry.
    assert row.expired_amount == Decimal("5400.00")
    assert row.outstanding == Decimal("0.00") and row.expired_vouchers == 2
    blank = rows[empty.pk]
    assert (blank.applications_total, blank.issued, blank.redeemed, blank.expired_amount) == (
        0,
        0,
        Decimal("0"),
        Decimal("0"),
    )


def test_redemptions_by_institution_and_month(batch, bureau, inclusive_a, operator_a):
    one = issue_voucher(batch, bureau, 1, institution=inclusive_a)
    two = issue_voucher(batch, bureau, 2, institution=inclusive_a)
    redeem(one, inclusive_a, amount="300.00")
    redeem(two, inclusive_a, amount="200.00")
    reversed_ = redeem(two, inclusive_a, amount="50.00", key="extra")
    services.reverse(redemption=reversed_, actor=operator_a, reason="多扣", by_bureau=False)
    with time_machine.travel(dt.datetime(2025, 4, 5, 10), tick=False):
        redeem(one, inclusive_a, amount="400.00", month=APRIL)
    settlement = services.settlement_prepare(institution=inclusive_a, month=MARCH)
    rows = list(selectors.redemptions_by_institution_month(month_from=MARCH, month_to=APRIL))
    assert [(r["fee_month"], r["lines"], r["total_amount"], r["children"]) for r in rows] == [
        (APRIL, 1, Decimal("400.00"), 1),
        (MARCH, 2, Decimal("500.00"), 2),
    ]
    march = rows[1]
    assert (march["reversed_lines"], march["reversed_amount"]) == (1, Decimal("50.00"))
    assert (march["settlement_id"], march["settlement_state"]) == (settlement.pk, "draft")
    totals = selectors.redemption_totals(month_from=MARCH, month_to=APRIL)
    assert totals == {
        "lines": 3,
        "total_amount": Decimal("900.00"),
        "children": 2,
        "institutions": 1,
    }


@pytest.fixture
def hand_built_months(batch, bureau, inclusive_a):
    """March: 2 children redeemed, the accepted report says 1 (over). April: 2 children, the
    report says 2 (fine). May: 1 child and only a submitted report (no accepted one)."""
    one = issue_voucher(batch, bureau, 1, institution=inclusive_a)
    two = issue_voucher(batch, bureau, 2, institution=inclusive_a)
    for voucher in (one, two):
        redeem(voucher, inclusive_a, amount="100.00", month=MARCH)
        redeem(voucher, inclusive_a, amount="100.00", month=APRIL)
    redeem(one, inclusive_a, amount="100.00", month=MAY)
    accepted_report(inclusive_a, MARCH, voucher_children=1)
    accepted_report(inclusive_a, APRIL, voucher_children=2)
    accepted_report(inclusive_a, MAY, voucher_children=0, state="submitted")
    return inclusive_a


def test_anomalies_on_a_hand_built_month(hand_built_months):
    rows = list(selectors.anomalies(month_from=MARCH, month_to=MAY, as_of=dt.date(2025, 7, 1)))
    found = {(row["fee_month"], selectors.anomaly_kind(row)): row for row in rows}
    assert set(found) == {(MARCH, "over_report"), (MAY, "no_accepted_report")}
    march = found[(MARCH, "over_report")]
    assert (march["children"], march["reported"], march["report_state"]) == (2, 1, "accepted")
    may = found[(MAY, "no_accepted_report")]
    assert (may["children"], may["reported"], may["report_state"]) == (1, None, "submitted")


def test_a_month_still_inside_its_reporting_window_is_not_an_anomaly(hand_built_months):
    # On 2025-06-05 May's report is not yet due (due on the 10th).
    rows = selectors.anomalies(month_from=MARCH, month_to=MAY, as_of=dt.date(2025, 6, 5))
    assert [row["fee_month"] for row in rows] == [MARCH]
    assert selectors.last_due_month(dt.date(2025, 6, 5)) == APRIL
    assert selectors.last_due_month(dt.date(2025, 6, 11)) == MAY


def test_reversed_redemptions_do_not_count_as_voucher_children(
    batch, bureau, inclusive_a, operator_a
):
    one = issue_voucher(batch, bureau, 1, institution=inclusive_a)
    two = issue_voucher(batch, bureau, 2, institution=inclusive_a)
    redeem(one, inclusive_a, amount="100.00")
    undone = redeem(two, inclusive_a, amount="100.00")
    services.reverse(redemption=undone, actor=operator_a, reason="录错", by_bureau=False)
    accepted_report(inclusive_a, MARCH, voucher_children=1)
    assert not selectors.anomalies(month_from=MARCH, month_to=MARCH, as_of=dt.date(2025, 7, 1))


def test_the_anomaly_page_shows_the_hand_built_month(client_as, bureau, hand_built_months):
    with time_machine.travel(dt.datetime(2025, 7, 1, 10), tick=False):
        response = client_as(bureau).get(
            reverse("vouchers:anomalies") + "?month_from=2025-03&month_to=2025-05"
        )
    html = response.content.decode()
    assert response.status_code == 200
    assert "抵扣幼儿多于月报" in html and "无审核通过的月报" in html
    assert hand_built_months.name in html
    assert "2025-04" not in html.split("<tbody>")[1]


def test_statement_lines_follow_the_settlement(batch, bureau, inclusive_a, operator_a):
    one = issue_voucher(batch, bureau, 1, institution=inclusive_a)
    redeem(one, inclusive_a, amount="300.00")
    settlement = services.settlement_prepare(institution=inclusive_a, month=MARCH)
    assert [line.amount for line in selectors.statement_lines(settlement)] == [Decimal("300.00")]
    services.settlement_confirm(settlement=settlement, actor=operator_a)
    services.settlement_approve(settlement=settlement, actor=bureau)
    settlement.refresh_from_db()
    assert list(selectors.statement_lines(settlement)) == list(settlement.redemptions.all())
