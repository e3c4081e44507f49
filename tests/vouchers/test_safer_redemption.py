"""Redemption in two steps: the code is checked first (whose voucher, masked name and birth month,
balance, what is left of the month's cap and of the month's fee, the amount filled in with the
smallest), then confirmed. No future month is offered; the children list starts the check."""

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from tests.factories import FeeStandardFactory
from vouchers import codes
from vouchers.models import Redemption, Voucher

from .conftest import MARCH
from .helpers import TODAY, issue_voucher, redeem

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):  # 2025-03-20
        yield


def redeem_url(institution) -> str:
    return reverse("vouchers:redeem", args=[institution.pk])


def check(client, institution, voucher, month="2025-03"):
    return client.post(
        redeem_url(institution),
        {
            "voucher_code": codes.display(voucher.code),
            "fee_month": month,
            "idempotency_key": "web-" + "e" * 32,
            "action": "check",
        },
    )


def filled_amount(html: str) -> str:
    return re.search(r'name="amount" value="([^"]*)"', html)[1]


def test_the_check_shows_whose_voucher_it_is_and_moves_no_money(
    client_as, operator_a, voucher, inclusive_a
):
    response = check(client_as(operator_a), inclusive_a, voucher)
    html = response.content.decode()
    assert response.status_code == 200
    assert "王*明" in html or "王**" in html  # the masked name, never the whole one
    assert "王小明" not in html
    assert "2024-01 出生" in html
    assert "3000.00 元" in html  # the balance
    assert "2025-03 还可抵扣" in html and "500.00 元" in html
    assert filled_amount(html) == "500.00"  # the cap is the smallest of 500, 3000 and 1800
    assert 'value="confirm"' in html
    assert not Redemption.objects.exists()


@pytest.mark.parametrize(
    ("already", "fee", "expected"),
    [
        ("0.00", 1800, "500.00"),  # the month's cap
        ("300.00", 1800, "200.00"),  # what is left of the cap after 300
        ("0.00", 450, "450.00"),  # the month's fee is below the cap
        ("500.00", 1800, "0.00"),  # exactly the cap used: nothing left
    ],
)
def test_the_amount_is_the_smallest_of_cap_left_fee_left_and_balance(
    client_as, operator_a, voucher, inclusive_a, already, fee, expected
):
    if fee != 1800:
        FeeStandardFactory(
            institution=inclusive_a, effective_from=dt.date(2025, 3, 1), monthly_full_day=fee
        )
    if already != "0.00":
        redeem(voucher, inclusive_a, amount=already)
    html = check(client_as(operator_a), inclusive_a, voucher).content.decode()
    assert filled_amount(html) == expected


def test_a_small_balance_is_the_limit(client_as, operator_a, batch, bureau, inclusive_a):
    voucher = issue_voucher(batch, bureau, 7, institution=inclusive_a)
    Voucher.objects.filter(pk=voucher.pk).update(balance=Decimal("120.00"))
    html = check(client_as(operator_a), inclusive_a, voucher).content.decode()
    assert filled_amount(html) == "120.00"


def test_confirming_the_filled_form_redeems_once(client_as, operator_a, voucher, inclusive_a):
    client = client_as(operator_a)
    html = check(client, inclusive_a, voucher).content.decode()
    key = re.search(r'name="idempotency_key" value="([^"]+)"', html)[1]
    data = {
        "voucher_code": codes.display(voucher.code),
        "fee_month": "2025-03",
        "amount": filled_amount(html),
        "idempotency_key": key,
        "action": "confirm",
    }
    assert client.post(redeem_url(inclusive_a), data).status_code == 302
    assert client.post(redeem_url(inclusive_a), data).status_code == 302  # a replay
    redemption = Redemption.objects.get()
    assert redemption.amount == Decimal("500.00") and redemption.fee_month == MARCH


def test_confirming_without_an_amount_asks_for_one(client_as, operator_a, voucher, inclusive_a):
    response = client_as(operator_a).post(
        redeem_url(inclusive_a),
        {
            "voucher_code": voucher.code,
            "fee_month": "2025-03",
            "idempotency_key": "web-" + "f" * 32,
            "action": "confirm",
        },
    )
    assert "请填写抵扣金额" in response.content.decode()
    assert not Redemption.objects.exists()


def test_a_child_enrolled_elsewhere_is_refused_without_a_name(
    client_as, operator_b, voucher, institution_b
):
    html = check(client_as(operator_b), institution_b, voucher).content.decode()
    assert "未在本机构入托登记" in html
    assert "王" not in re.sub(r"<[^>]+>", "", html.split("<main", 1)[-1]).replace("王芳", "")
    assert "出生" not in html


def test_no_future_month_is_offered(client_as, operator_a, voucher, inclusive_a):
    html = client_as(operator_a).get(redeem_url(inclusive_a)).content.decode()
    assert 'value="2025-03"' in html
    assert 'value="2025-04"' not in html
    html = check(client_as(operator_a), inclusive_a, voucher, month="2025-04").content.decode()
    assert 'value="confirm"' not in html  # refused by the form: nothing to confirm
    assert not Redemption.objects.exists()


def test_the_childrens_list_starts_the_check_and_tells_children_apart(
    client_as, operator_a, batch, bureau, inclusive_a
):
    first = issue_voucher(batch, bureau, 1, institution=inclusive_a)  # 孩子1, born 2024-02-02
    second = issue_voucher(batch, bureau, 11, institution=inclusive_a)  # 孩子11, 2024-02-12
    client = client_as(operator_a)
    html = client.get(reverse("vouchers:children", args=[inclusive_a.pk])).content.decode()
    assert html.count("2024-02 出生") == 2
    links = re.findall(r'href="([^"]*dikou[^"]*voucher_code=[^"]+)"', html)
    assert len(links) == 2
    link = next(link for link in links if first.code in link).replace("&amp;", "&")
    page = client.get(link).content.decode()
    assert filled_amount(page) == "500.00" and codes.display(first.code) in page
    assert codes.display(second.code) not in page
    assert not Redemption.objects.exists()
