"""Journey 4 (issue 17): the front door, on a phone (360x740, touch).

- A parent starts at /, checks a voucher's balance, applies online for a child of theirs for the
  open batch, and follows the application by its reference once the bureau has approved it.
- A member of the public files a concern from an institution's entry on 信息公示 and, once the
  bureau has answered, reads the answer by the concern's reference.
- An operator signs in from / and lands on the operator pages.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from lequing_tuoyu.demo import DEMO_PASSWORD
from portal.validators import resident_id_check_char

CONCERN = "下午接孩子时发现午睡室无人看护，希望卫健局核实。"
ANSWER = "已安排检查员到机构核实，机构已增配午睡值班人员，我局将持续跟踪。"
PARENT_PHONE = "13912345670"


def new_child_id(days_old: int) -> str:
    born = timezone.localdate() - dt.timedelta(days=days_old)
    first17 = f"330382{born:%Y%m%d}071"
    return first17 + resident_id_check_char(first17)


@pytest.mark.e2e
def test_a_parent_checks_a_balance_applies_and_follows_the_application(demo, journey):
    from django.contrib.auth import get_user_model

    from vouchers import services
    from vouchers.models import VoucherApplication

    parent = journey("front-parent", phone=True)
    page = parent.page
    parent.goto("/")
    assert page.get_by_role("heading", name="家长").is_visible()
    assert page.locator("[data-contact]").first.is_visible()
    parent.shot("01-start")

    # The balance, from the start page.
    page.get_by_role("link", name="查询托育券余额").click()
    page.get_by_label("托育券券码").fill(demo.vouchers["family_code"])
    page.get_by_label("幼儿身份证号码后六位").fill(demo.vouchers["family_id_last6"])
    page.get_by_role("button", name="查询余额").click()
    page.locator(".family-result").wait_for()
    parent.shot("02-balance")

    # How to get a voucher, then the open batch's form.
    page.get_by_role("link", name="查看如何领取并在线申请").click()
    # A click does not wait for the next page: expect() retries until it shows (is_visible() read the
    # old page once, and failed in CI when the click's navigation had not finished).
    expect(page.get_by_role("heading", name="如何领取托育券")).to_be_visible()
    parent.shot("03-how-to-apply")
    page.get_by_role("link", name="自测并申请").first.click()
    child_id = new_child_id(400)
    page.get_by_label("幼儿姓名").fill("陈小禾")
    page.get_by_label("幼儿身份证号码").fill(child_id)
    page.get_by_label("户籍所在镇街").select_option(label="柳市镇")
    page.get_by_label("监护人姓名").fill("陈敏")
    guardian_id = "33038219900101003"
    page.get_by_label("监护人身份证号码").fill(guardian_id + resident_id_check_char(guardian_id))
    page.get_by_label("监护人手机号码").fill(PARENT_PHONE)
    page.get_by_label("我同意", exact=False).check()
    parent.shot("04-application-form", full_page=True)
    page.get_by_role("button", name="提交申请").click()
    reference = page.locator("[data-reference]").inner_text().strip()
    assert reference.startswith("SQ"), reference
    parent.shot("05-application-sent")

    # The bureau approves it in its queue (this journey's subject is the family's side).
    application = VoucherApplication.objects.get(reference=reference)
    assert application.source == VoucherApplication.Source.PUBLIC
    bureau = get_user_model().objects.get(username="bureau")
    voucher = services.application_approve(application=application, actor=bureau)

    page.get_by_role("link", name="查询申请进度").click()
    assert page.get_by_label("申请编号").input_value() == reference
    page.get_by_label("幼儿身份证号码后六位").fill(child_id[-6:])
    page.get_by_role("button", name="查询进度").click()
    assert page.locator("[data-state]").inner_text() == "已通过"
    assert page.locator("[data-voucher-code]").inner_text().replace("-", "") == voucher.code
    parent.shot("06-application-approved")
    parent.check()


@pytest.mark.e2e
def test_the_public_files_a_concern_and_reads_the_answer(demo, journey):
    from django.contrib.auth import get_user_model

    from inspections import services
    from inspections.models import Concern

    person = journey("front-concern", phone=True)
    page = person.page
    person.goto("/")
    page.get_by_role("link", name="托育机构信息公示").click()
    first = page.locator(".card").first
    name = first.locator(".card__title").inner_text()
    first.get_by_role("link", name="反映问题").click()
    assert name in page.locator(".page-header").inner_text()
    page.get_by_label("投诉").check()
    page.get_by_label("反映内容").fill(CONCERN)
    page.get_by_label("您的手机号码（可不填）").fill(PARENT_PHONE)
    person.shot("01-concern-form", full_page=True)
    page.get_by_role("button", name="提交").click()
    reference = page.locator("[data-reference]").inner_text().strip()
    assert reference.startswith("FY"), reference
    person.shot("02-concern-sent")

    concern = Concern.objects.get(reference=reference)
    assert concern.institution.name == name
    bureau = get_user_model().objects.get(username="bureau")
    services.concern_handle(concern=concern, actor=bureau, state=Concern.State.IN_HAND)
    services.concern_handle(
        concern=concern, actor=bureau, state=Concern.State.ANSWERED, answer=ANSWER
    )

    page.get_by_role("link", name="查询处理情况").click()
    page.get_by_label("反映时留的手机号码").fill(PARENT_PHONE)
    page.get_by_role("button", name="查询").click()
    assert page.locator("[data-state]").inner_text() == "已答复"
    assert ANSWER in page.locator("[data-answer]").inner_text()
    person.shot("03-concern-answered")
    person.check()


@pytest.mark.e2e
def test_an_operator_signs_in_from_the_start_page(demo, journey):
    operator = journey("front-operator", phone=True)
    page = operator.page
    operator.goto("/")
    page.get_by_role("link", name="机构经办人登录").click()
    page.get_by_label("用户名").fill("operator1")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("load")
    assert page.url.endswith(reverse("role_home")), page.url
    assert page.locator("#home-operator").count() == 1
    assert reverse("institutions:login") not in page.url
    operator.shot("01-operator-home")
    operator.check()
