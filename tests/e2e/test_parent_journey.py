"""Journey 3: a parent on a phone (360x740, touch), inside a chat app's browser, no login.

Open the voucher balance page; type the code with one character wrong and see a clear message;
type it again as printed on the notice (with dashes, in lower case) and see the balance, this
month's remaining amount and the voucher's history.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from vouchers import codes

# A chat app's in-app browser on Android (WeChat's says MicroMessenger).
CHAT_APP_UA = (
    "Mozilla/5.0 (Linux; Android 13; Phone) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/116.0 Mobile Safari/537.36 MicroMessenger/8.0.47 NetType/WIFI Language/zh_CN"
)


def mistyped(code: str) -> str:
    """The code with its fifth character swapped for another letter, as a parent misreads it."""
    wrong = "H" if code[4] != "H" else "K"
    return code[:4] + wrong + code[5:]


@pytest.mark.e2e
def test_parent_journey(demo, journey):
    from vouchers.models import Voucher

    code = demo.vouchers["family_code"]
    suffix = demo.vouchers["family_id_last6"]
    voucher = Voucher.objects.get(code=code)
    parent = journey("parent", phone=True, user_agent=CHAT_APP_UA)
    page = parent.page

    parent.goto(reverse("voucher_family:balance"))
    assert page.get_by_role("heading", name="托育券余额查询").is_visible()
    parent.shot("01-balance-form")

    # One character wrong: the page says so plainly, keeps the code to correct, not the ID digits.
    page.get_by_label("托育券券码").fill(codes.display(mistyped(code)))
    page.get_by_label("幼儿身份证号码后六位").fill(suffix)
    page.get_by_role("button", name="查询余额").click()
    error = page.get_by_role("alert")
    assert "券码或身份证号码后六位不正确" in error.inner_text()
    assert page.get_by_label("幼儿身份证号码后六位").input_value() == ""
    assert page.locator(".family-result").count() == 0
    parent.shot("02-mistyped-code")

    # As printed on the notice, with dashes, typed in lower case.
    page.get_by_label("托育券券码").fill(codes.display(code).lower())
    page.get_by_label("幼儿身份证号码后六位").fill(suffix)
    page.get_by_role("button", name="查询余额").click()
    result = page.locator(".family-result")
    result.wait_for()
    assert page.get_by_role("alert").count() == 0
    balance = page.locator(".family-figure--main dd").inner_text().replace(",", "")
    assert f"{voucher.balance:.2f}" in balance, balance
    parent.shot("03-balance")

    history = page.locator(".family-history__item")
    assert history.count() == voucher.ledger.count()
    assert (
        "更正退回" in page.locator(".family-history").inner_text()
    )  # last month's corrected amount
    page.get_by_role("heading", name="使用记录").evaluate("heading => heading.scrollIntoView()")
    parent.shot("04-history")
    parent.shot("05-balance-full", full_page=True)
    parent.check()
