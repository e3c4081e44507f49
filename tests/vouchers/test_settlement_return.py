"""The bureau may send a confirmed statement back to the institution with a reason, before it
approves it; the institution sees the reason, confirms again, and the reason is cleared (the
history keeps it)."""

import pytest
import time_machine
from django.urls import reverse

from vouchers import services
from vouchers.models import Settlement
from vouchers.services import VoucherError

from .conftest import MARCH
from .helpers import TODAY, issue_voucher, redeem

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def confirmed(batch, bureau, inclusive_a, operator_a):
    voucher = issue_voucher(batch, bureau, 3, institution=inclusive_a)
    redeem(voucher, inclusive_a, amount="200.00")
    settlement = services.settlement_prepare(institution=inclusive_a, month=MARCH)
    return services.settlement_confirm(settlement=settlement, actor=operator_a)


def test_a_confirmed_statement_goes_back_with_its_reason_and_is_confirmed_again(
    confirmed, bureau, operator_a
):
    returned = services.settlement_return(
        settlement=confirmed, reason="第3笔抵扣月份有误，请冲正后重新确认", actor=bureau
    )
    assert returned.state == Settlement.State.DRAFT
    assert returned.return_reason.startswith("第3笔") and returned.confirmed_at is None
    again = services.settlement_confirm(settlement=returned, actor=operator_a)
    assert again.state == Settlement.State.CONFIRMED and again.return_reason == ""
    reasons = list(again.history.values_list("return_reason", flat=True))
    assert "第3笔抵扣月份有误，请冲正后重新确认" in reasons


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_return_needs_a_reason(confirmed, bureau, reason):
    with pytest.raises(VoucherError, match="请填写退回原因"):
        services.settlement_return(settlement=confirmed, reason=reason, actor=bureau)
    confirmed.refresh_from_db()
    assert confirmed.state == Settlement.State.CONFIRMED


def test_a_reason_of_exactly_300_characters_is_taken_and_301_refused(confirmed, bureau):
    with pytest.raises(VoucherError, match="300"):
        services.settlement_return(settlement=confirmed, reason="错" * 301, actor=bureau)
    returned = services.settlement_return(settlement=confirmed, reason="错" * 300, actor=bureau)
    assert len(returned.return_reason) == 300


def test_only_a_confirmed_statement_not_yet_approved_can_go_back(confirmed, bureau, operator_a):
    draft = services.settlement_return(settlement=confirmed, reason="核对", actor=bureau)
    with pytest.raises(VoucherError, match="只有机构已确认"):
        services.settlement_return(settlement=draft, reason="再退", actor=bureau)
    approved = services.settlement_approve(
        settlement=services.settlement_confirm(settlement=draft, actor=operator_a), actor=bureau
    )
    with pytest.raises(VoucherError, match="只有机构已确认"):
        services.settlement_return(settlement=approved, reason="已审核", actor=bureau)
    approved.refresh_from_db()
    assert approved.state == Settlement.State.APPROVED


def test_through_the_pages_the_institution_reads_the_reason(
    confirmed, client_as, bureau, operator_a
):
    url = reverse("vouchers:settlement_return", args=[confirmed.pk])
    detail = reverse("vouchers:settlement_detail", args=[confirmed.pk])
    assert "退回机构…" in client_as(bureau).get(detail).content.decode()
    assert client_as(bureau).post(url, {"reason": ""}).status_code == 200  # asked again
    confirmed.refresh_from_db()
    assert confirmed.state == Settlement.State.CONFIRMED
    response = client_as(bureau).post(url, {"reason": "金额与发票不符"})
    assert response.status_code == 302 and response["Location"] == detail
    html = client_as(operator_a).get(detail).content.decode()
    assert "卫健局退回原因" in html and "金额与发票不符" in html and "核对无误，确认结算单" in html
    assert client_as(operator_a).post(url, {"reason": "x"}).status_code == 403
