"""Voucher pages: who may see and do what, writes through the services, refusals shown on the
page, the idempotent redemption form, reversal and settlement through the pages, bounded queries."""

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from tests.factories import InclusiveRecognitionFactory
from vouchers import codes, services
from vouchers.models import (
    Enrolment,
    LedgerEntry,
    Redemption,
    Settlement,
    Voucher,
    VoucherApplication,
    VoucherBatch,
)

from .conftest import CHILD_ID, MARCH, make_child, valid_id
from .helpers import TODAY, issue_voucher, redeem

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def inclusive_b(institution_b):
    InclusiveRecognitionFactory(institution=institution_b, valid_from=dt.date(2024, 1, 1))
    from tests.factories import FeeStandardFactory

    FeeStandardFactory(
        institution=institution_b, effective_from=dt.date(2024, 1, 1), monthly_full_day=2000
    )
    return institution_b


@pytest.fixture
def voucher_b(batch, bureau, inclusive_b):
    """A voucher of a child enrolled at institution_b, with one redemption there."""
    issued = issue_voucher(batch, bureau, 50, institution=inclusive_b)
    redeem(issued, inclusive_b, amount="200.00")
    return issued


@pytest.fixture
def settlement_b(voucher_b, inclusive_b):
    return services.settlement_prepare(institution=inclusive_b, month=MARCH)


def url(name, *args):
    return reverse(f"vouchers:{name}", args=args)


def hidden_key(html: str) -> str:
    return re.search(r'name="idempotency_key" value="([^"]+)"', html)[1]


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- Access: bureau pages ------------------------------------------------------------------------

BUREAU_PAGES = [
    "batches",
    "applications",
    "application_add",
    "application_import",
    "redemption_report",
    "anomalies",
    "settlements",
]


@pytest.mark.parametrize("name", BUREAU_PAGES)
@pytest.mark.parametrize("persona", ["bureau", "auditor", "education"])
def test_bureau_pages_are_read_by_bureau_auditors_and_education(client_as, request, name, persona):
    response = client_as(request.getfixturevalue(persona)).get(url(name))
    assert response.status_code == 200


@pytest.mark.parametrize("name", BUREAU_PAGES)
@pytest.mark.parametrize("persona", ["operator_a", "inspector", "family"])
def test_bureau_pages_refuse_other_roles(client_as, request, name, persona):
    assert client_as(request.getfixturevalue(persona)).get(url(name)).status_code == 403


def test_bureau_pages_send_the_anonymous_to_the_login(client):
    response = client.get(url("batches"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("institutions:login"))


@pytest.mark.parametrize("persona", ["auditor", "education"])
def test_read_only_roles_get_403_on_every_bureau_post_and_nothing_changes(
    client_as, request, persona, batch, child, bureau, voucher_b, settlement_b, operator_b
):
    pending = services.application_create(
        batch=VoucherBatch.objects.create(
            name="另一批",
            face_value=1000,
            quantity_cap=5,
            apply_from=dt.date(2025, 3, 1),
            apply_until=dt.date(2025, 3, 31),
            valid_from=dt.date(2025, 3, 1),
            valid_until=dt.date(2025, 12, 31),
            monthly_cap=200,
        ),
        child=child,
        source="bureau",
    )
    services.settlement_confirm(settlement=settlement_b, actor=operator_b)
    client = client_as(request.getfixturevalue(persona))
    posts = [
        (url("applications_decide"), {"application": pending.pk, "action": "approve"}),
        (
            url("applications_decide"),
            {"application": pending.pk, "action": "reject", "reason": "x", "confirmed": "1"},
        ),
        (url("application_add"), {}),
        (url("application_import"), {}),
        (url("settlement_approve", settlement_b.pk), {}),
        (url("settlement_paid", settlement_b.pk), {"reference": "X1"}),
        (url("settlement_refresh", settlement_b.pk), {}),
        (url("settlement_confirm", settlement_b.pk), {}),
        (
            url(
                "reverse",
                voucher_b.redemptions.get().institution_id,
                voucher_b.redemptions.get().pk,
            ),
            {"reason": "x"},
        ),
    ]
    for target, data in posts:
        assert client.post(target, data).status_code == 403, target
    pending.refresh_from_db()
    settlement_b.refresh_from_db()
    assert pending.state == "pending"
    assert settlement_b.state == Settlement.State.CONFIRMED
    assert Redemption.objects.filter(status="reversed").count() == 0


# --- Access: institution pages (scoping) -----------------------------------------------------------


def test_operator_gets_404_for_another_institutions_pages_and_objects(
    client_as, operator_a, voucher_b, settlement_b, inclusive_b
):
    client = client_as(operator_a)
    redemption = voucher_b.redemptions.get()
    enrolment = Enrolment.objects.get(institution=inclusive_b)
    pk = inclusive_b.pk
    gets = [
        url("children", pk),
        url("redeem", pk),
        url("enrolment_add", pk),
        url("enrolment_end", pk, enrolment.pk),
        url("redemptions", pk),
        url("redemption_detail", pk, redemption.pk),
        url("reverse", pk, redemption.pk),
        url("institution_settlements", pk),
        url("institution_application_add", pk),
        url("settlement_detail", settlement_b.pk),
        url("settlement_pdf", settlement_b.pk),
        url("voucher_notice", voucher_b.code),
    ]
    for target in gets:
        assert client.get(target).status_code == 404, target
    posts = [
        (
            url("redeem", pk),
            {
                "voucher_code": voucher_b.code,
                "fee_month": "2025-03",
                "amount": "100",
                "idempotency_key": "web-" + "a" * 32,
            },
        ),
        (url("enrolment_end", pk, enrolment.pk), {"end": "2025-03-20"}),
        (url("reverse", pk, redemption.pk), {"reason": "试探"}),
        (url("institution_settlements", pk), {"month": "2025-03"}),
        (url("settlement_confirm", settlement_b.pk), {}),
        (url("settlement_refresh", settlement_b.pk), {}),
    ]
    for target, data in posts:
        assert client.post(target, data).status_code == 404, target
    redemption.refresh_from_db()
    enrolment.refresh_from_db()
    settlement_b.refresh_from_db()
    assert Redemption.objects.count() == 1 and redemption.status == "active"
    assert enrolment.end is None
    assert settlement_b.state == Settlement.State.DRAFT


def test_operator_cannot_act_through_their_own_url_on_another_institutions_object(
    client_as, operator_a, inclusive_a, voucher_b
):
    redemption = voucher_b.redemptions.get()
    client = client_as(operator_a)
    response = client.post(url("reverse", inclusive_a.pk, redemption.pk), {"reason": "试探"})
    assert response.status_code == 404
    assert Redemption.objects.get().status == "active"


def test_operator_sees_only_their_institutions_redemptions(
    client_as, operator_a, voucher, inclusive_a, voucher_b
):
    redeem(voucher, inclusive_a)
    response = client_as(operator_a).get(url("redemptions", inclusive_a.pk) + "?month_from=2025-03")
    assert response.status_code == 200
    assert codes.display(voucher.code) in response.content.decode()
    assert codes.display(voucher_b.code) not in response.content.decode()


@pytest.mark.parametrize("persona", ["auditor", "education"])
def test_read_only_roles_read_institution_pages_but_cannot_write(
    client_as, request, persona, voucher, inclusive_a
):
    client = client_as(request.getfixturevalue(persona))
    assert client.get(url("children", inclusive_a.pk)).status_code == 200
    assert client.get(url("redemptions", inclusive_a.pk)).status_code == 200
    response = client.post(
        url("redeem", inclusive_a.pk),
        {
            "voucher_code": voucher.code,
            "fee_month": "2025-03",
            "amount": "100",
            "idempotency_key": "web-" + "b" * 32,
        },
    )
    assert response.status_code == 403
    assert not Redemption.objects.exists()


def test_inspectors_do_not_see_voucher_pages(client_as, inspector, inclusive_a):
    assert client_as(inspector).get(url("children", inclusive_a.pk)).status_code == 403


# --- Redemption through the page ---------------------------------------------------------------------


def test_redemption_form_redeems_once_even_when_resubmitted(
    client_as, operator_a, voucher, inclusive_a
):
    client = client_as(operator_a)
    page = client.get(url("redeem", inclusive_a.pk))
    assert page.status_code == 200
    key = hidden_key(page.content.decode())
    data = {
        "voucher_code": codes.display(voucher.code).lower(),
        "fee_month": "2025-03",
        "amount": "300.00",
        "idempotency_key": key,
    }
    first = client.post(url("redeem", inclusive_a.pk), data)
    assert first.status_code == 302
    again = client.post(url("redeem", inclusive_a.pk), data, follow=True)
    assert again.status_code == 200
    assert any("没有重复抵扣" in message for message in messages_of(again))
    voucher.refresh_from_db()
    assert Redemption.objects.count() == 1
    assert voucher.balance == Decimal("2700.00")
    assert voucher.ledger.count() == 2
    redemption = Redemption.objects.get()
    assert first["Location"] == url("redemption_detail", inclusive_a.pk, redemption.pk)
    assert redemption.created_by == operator_a
    assert services.reconcile_balances() == []


def test_each_visit_to_the_form_gets_a_new_key(client_as, operator_a, inclusive_a):
    client = client_as(operator_a)
    first = hidden_key(client.get(url("redeem", inclusive_a.pk)).content.decode())
    second = hidden_key(client.get(url("redeem", inclusive_a.pk)).content.decode())
    assert first != second


def test_a_refused_redemption_is_shown_on_the_page_and_writes_nothing(
    client_as, operator_a, voucher, inclusive_a
):
    response = client_as(operator_a).post(
        url("redeem", inclusive_a.pk),
        {
            "voucher_code": voucher.code,
            "fee_month": "2025-03",
            "amount": "600.00",
            "idempotency_key": "web-" + "c" * 32,
        },
    )
    assert response.status_code == 200
    assert "超过每月抵扣上限" in response.content.decode()
    assert not Redemption.objects.exists()
    voucher.refresh_from_db()
    assert voucher.balance == Decimal("3000.00")


def test_a_mistyped_code_is_caught_by_the_check_character(
    client_as, operator_a, voucher, inclusive_a
):
    wrong = voucher.code[:-1] + ("2" if voucher.code[-1] != "2" else "3")
    response = client_as(operator_a).post(
        url("redeem", inclusive_a.pk),
        {
            "voucher_code": wrong,
            "fee_month": "2025-03",
            "amount": "100",
            "idempotency_key": "web-" + "d" * 32,
        },
    )
    assert response.status_code == 200
    assert "校验位" in response.content.decode()
    assert not Redemption.objects.exists()


def test_operator_cannot_redeem_a_child_enrolled_elsewhere(
    client_as, operator_b, voucher, inclusive_b
):
    response = client_as(operator_b).post(
        url("redeem", inclusive_b.pk),
        {
            "voucher_code": voucher.code,
            "fee_month": "2025-03",
            "amount": "100",
            "idempotency_key": "web-" + "e" * 32,
        },
    )
    assert response.status_code == 200
    assert "未在本机构入托登记" in response.content.decode()
    assert not Redemption.objects.exists()


def test_a_missing_key_gets_a_fresh_one_and_redeems_nothing(
    client_as, operator_a, voucher, inclusive_a
):
    response = client_as(operator_a).post(
        url("redeem", inclusive_a.pk),
        {"voucher_code": voucher.code, "fee_month": "2025-03", "amount": "100.00"},
    )
    assert response.status_code == 200
    assert (
        "页面已过期" in response.content.decode() or "这个字段是必填项" in response.content.decode()
    )
    assert len(hidden_key(response.content.decode())) > 16
    assert not Redemption.objects.exists()


def test_the_same_form_changed_after_a_success_gets_a_new_key(
    client_as, operator_a, voucher, inclusive_a
):
    client = client_as(operator_a)
    data = {
        "voucher_code": voucher.code,
        "fee_month": "2025-03",
        "amount": "100.00",
        "idempotency_key": "web-" + "f" * 32,
    }
    client.post(url("redeem", inclusive_a.pk), data)
    response = client.post(url("redeem", inclusive_a.pk), {**data, "amount": "150.00"})
    assert response.status_code == 200
    assert "已经提交过" in response.content.decode()
    assert hidden_key(response.content.decode()) != data["idempotency_key"]
    assert Redemption.objects.count() == 1


# --- Reversal ---------------------------------------------------------------------------------------


def test_reversal_asks_for_confirmation_and_a_reason(client_as, operator_a, voucher, inclusive_a):
    redemption = redeem(voucher, inclusive_a, actor=operator_a)
    client = client_as(operator_a)
    target = url("reverse", inclusive_a.pk, redemption.pk)
    page = client.get(target)
    assert page.status_code == 200 and "确认冲正" in page.content.decode()
    assert Redemption.objects.get().status == "active"  # showing the page changes nothing
    no_reason = client.post(target, {"reason": ""})
    assert no_reason.status_code == 200
    assert Redemption.objects.get().status == "active"
    done = client.post(target, {"reason": "金额录入错误"})
    assert done.status_code == 302
    redemption.refresh_from_db()
    voucher.refresh_from_db()
    assert redemption.status == "reversed" and redemption.reversal_reason == "金额录入错误"
    assert redemption.reversed_by == operator_a
    assert voucher.balance == Decimal("3000.00")
    assert LedgerEntry.objects.filter(kind="reversal").count() == 1


def test_operator_reversal_after_seven_days_is_refused_on_the_page(
    client_as, operator_a, voucher, inclusive_a
):
    redemption = redeem(voucher, inclusive_a, actor=operator_a)
    with time_machine.travel(TODAY + dt.timedelta(days=8), tick=False):
        client = client_as(operator_a)
        listing = client.get(url("redemptions", inclusive_a.pk) + "?month_from=2025-03")
        assert url("reverse", inclusive_a.pk, redemption.pk) not in listing.content.decode()
        response = client.post(url("reverse", inclusive_a.pk, redemption.pk), {"reason": "晚了"})
    assert response.status_code == 200
    assert "联系卫健局" in response.content.decode()
    assert Redemption.objects.get().status == "active"


def test_bureau_staff_may_reverse_after_seven_days(client_as, bureau, voucher, inclusive_a):
    redemption = redeem(voucher, inclusive_a)
    with time_machine.travel(TODAY + dt.timedelta(days=20), tick=False):
        response = client_as(bureau).post(
            url("reverse", inclusive_a.pk, redemption.pk), {"reason": "家长投诉，核实后冲正"}
        )
    assert response.status_code == 302
    assert Redemption.objects.get().status == "reversed"


# --- Enrolment ------------------------------------------------------------------------------------------


def test_enrolment_needs_the_code_and_the_childs_id_number(
    client_as, operator_b, voucher, inclusive_b, batch, bureau
):
    other = issue_voucher(batch, bureau, 7)  # issued, not enrolled anywhere
    client = client_as(operator_b)
    wrong = client.post(
        url("enrolment_add", inclusive_b.pk),
        {
            "voucher_code": other.code,
            "child_id_number": valid_id(CHILD_ID[:17]),
            "start": "2025-03-20",
        },
    )
    assert wrong.status_code == 200
    assert "不匹配" in wrong.content.decode()
    assert not Enrolment.objects.filter(institution=inclusive_b).exists()
    right = client.post(
        url("enrolment_add", inclusive_b.pk),
        {
            "voucher_code": codes.display(other.code),
            "child_id_number": other.child.id_number.reveal(),
            "start": "2025-03-20",
        },
    )
    assert right.status_code == 302
    enrolment = Enrolment.objects.get(institution=inclusive_b)
    assert enrolment.child == other.child and enrolment.recorded_by == operator_b


def test_an_overlapping_enrolment_is_refused_on_the_page(
    client_as, operator_b, voucher, inclusive_b, child
):
    response = client_as(operator_b).post(
        url("enrolment_add", inclusive_b.pk),
        {
            "voucher_code": voucher.code,
            "child_id_number": child.id_number.reveal(),
            "start": "2025-03-20",
        },
    )
    assert response.status_code == 200
    assert "已有入托登记" in response.content.decode()
    assert Enrolment.objects.count() == 1


def test_ending_an_enrolment(client_as, operator_a, voucher, inclusive_a):
    enrolment = Enrolment.objects.get()
    response = client_as(operator_a).post(
        url("enrolment_end", inclusive_a.pk, enrolment.pk), {"end": "2025-03-31"}
    )
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.end == dt.date(2025, 3, 31)


def test_children_page_shows_balance_and_what_is_left_this_month(
    client_as, operator_a, voucher, inclusive_a
):
    redeem(voucher, inclusive_a, amount="300.00")
    html = client_as(operator_a).get(url("children", inclusive_a.pk)).content.decode()
    assert codes.display(voucher.code) in html
    assert "2700.00" in html and "200.00" in html
    assert voucher.child.id_number.reveal() not in html
    assert "王小明" not in html  # names are masked


# --- Applications ---------------------------------------------------------------------------------------


def application_post(batch, **overrides):
    data = {
        "batch": batch.pk,
        "guardian_name": "陈静",
        "guardian_phone": "13912345678",
        "guardian_id_number": valid_id("33038219900101123"),
        "child_name": "陈小雨",
        "child_id_number": valid_id("33038220240301456"),
        "hukou_township": "",
        "has_residence_permit": "on",
        "applied_on": "2025-03-10",
    }
    data.update(overrides)
    return data


def test_bureau_enters_an_application_and_sees_the_eligibility(client_as, bureau, batch):
    response = client_as(bureau).post(url("application_add"), application_post(batch), follow=True)
    application = VoucherApplication.objects.get()
    assert application.source == "bureau" and application.eligible
    assert application.entered_by == bureau
    assert response.status_code == 200
    assert "符合本批次申请条件" in response.content.decode()


def test_an_ineligible_application_is_saved_with_its_reasons(client_as, bureau, batch):
    data = application_post(
        batch, has_residence_permit="", child_id_number=valid_id("33038220210301456")
    )
    response = client_as(bureau).post(url("application_add"), data, follow=True)
    application = VoucherApplication.objects.get()
    assert not application.eligible
    html = response.content.decode()
    assert "不在0至35个月范围内" in html and "限乐清户籍或持乐清居住证" in html


def test_an_invalid_id_number_writes_nothing(client_as, bureau, batch):
    data = application_post(batch, child_id_number="330382202403014560")
    response = client_as(bureau).post(url("application_add"), data)
    assert response.status_code == 200
    assert not VoucherApplication.objects.exists()
    from vouchers.models import Guardian

    assert not Guardian.objects.exists()


def test_a_duplicate_application_is_refused_and_nothing_changes(
    client_as, bureau, batch, child, voucher
):
    data = application_post(
        batch, child_id_number=child.id_number.reveal(), child_name="改名", guardian_name="换人"
    )
    response = client_as(bureau).post(url("application_add"), data)
    assert response.status_code == 200
    assert "已申请过本批次" in response.content.decode()
    child.refresh_from_db()
    assert child.name.reveal() == "王小明"


def test_operator_applies_on_a_familys_behalf(client_as, operator_a, inclusive_a, batch):
    data = application_post(batch)
    data.pop("applied_on")
    response = client_as(operator_a).post(url("institution_application_add", inclusive_a.pk), data)
    assert response.status_code == 302
    application = VoucherApplication.objects.get()
    assert (application.source, application.institution) == ("operator", inclusive_a)
    assert application.applied_on == TODAY.date()


def test_applications_list_shows_reasons_and_approves_many(client_as, bureau, batch):
    eligible = [
        services.application_create(
            batch=batch, child=make_child(n), source="bureau", applied_on=dt.date(2025, 3, 1)
        )
        for n in (11, 12)
    ]
    client = client_as(bureau)
    html = client.get(url("applications")).content.decode()
    assert "符合本批次申请条件" in html
    response = client.post(
        url("applications_decide"),
        {"application": [a.pk for a in eligible], "action": "approve", "next": url("applications")},
    )
    assert response.status_code == 302
    assert Voucher.objects.count() == 2
    assert set(VoucherApplication.objects.values_list("state", flat=True)) == {"approved"}


def test_rejecting_needs_a_reason_and_a_confirmation(client_as, bureau, batch):
    application = services.application_create(
        batch=batch, child=make_child(13), source="bureau", applied_on=dt.date(2025, 3, 1)
    )
    client = client_as(bureau)
    target = url("applications_decide")
    confirm = client.post(target, {"application": application.pk, "action": "reject"})
    assert confirm.status_code == 200 and "确认不通过" in confirm.content.decode()
    blank = client.post(
        target, {"application": application.pk, "action": "reject", "confirmed": "1", "reason": ""}
    )
    assert blank.status_code == 200
    application.refresh_from_db()
    assert application.state == "pending"
    done = client.post(
        target,
        {"application": application.pk, "action": "reject", "confirmed": "1", "reason": "材料不全"},
    )
    assert done.status_code == 302
    application.refresh_from_db()
    assert (application.state, application.reject_reason) == ("rejected", "材料不全")


def test_approval_over_the_quota_is_reported_not_a_500(client_as, bureau, batch):
    batch.quantity_cap = 1
    batch.save()
    applications = [
        services.application_create(
            batch=batch, child=make_child(n), source="bureau", applied_on=dt.date(2025, 3, 1)
        )
        for n in (21, 22)
    ]
    response = client_as(bureau).post(
        url("applications_decide"),
        {"application": [a.pk for a in applications], "action": "approve"},
        follow=True,
    )
    assert response.status_code == 200
    assert any("已发完" in message for message in messages_of(response))
    assert Voucher.objects.count() == 1


# --- Settlements through the pages --------------------------------------------------------------------


def test_settlement_confirm_approve_and_paid_through_the_pages(
    client_as, operator_a, bureau, voucher, inclusive_a
):
    redeem(voucher, inclusive_a, amount="300.00")
    operator = client_as(operator_a)
    prepared = operator.post(url("institution_settlements", inclusive_a.pk), {"month": "2025-03"})
    settlement = Settlement.objects.get()
    assert prepared["Location"] == url("settlement_detail", settlement.pk)
    assert operator.post(url("settlement_confirm", settlement.pk)).status_code == 302
    settlement.refresh_from_db()
    assert settlement.state == "confirmed" and settlement.total == Decimal("300.00")
    assert settlement.confirmed_by == operator_a

    staff = client_as(bureau)
    page = staff.get(url("settlement_approve", settlement.pk))
    assert page.status_code == 200 and "确认审核通过" in page.content.decode()
    settlement.refresh_from_db()
    assert settlement.state == "confirmed"  # the confirmation page alone changes nothing
    assert staff.post(url("settlement_approve", settlement.pk)).status_code == 302
    settlement.refresh_from_db()
    assert settlement.state == "approved"
    assert Redemption.objects.get().settlement == settlement

    payment = staff.get(url("payment_file") + "?month=2025-03")
    assert payment.status_code == 200
    from io import BytesIO

    from openpyxl import load_workbook

    rows = list(load_workbook(BytesIO(payment.content)).active.values)
    assert rows[0][:6] == (
        "结算单号",
        "机构名称",
        "统一社会信用代码",
        "费用月份",
        "笔数",
        "结算金额（元）",
    )
    assert rows[1][0] == settlement.pk
    assert rows[1][1:6] == (inclusive_a.name, inclusive_a.credit_code, "2025-03", 1, 300)

    missing = staff.post(url("settlement_paid", settlement.pk), {"reference": ""})
    assert missing.status_code == 200
    assert (
        staff.post(url("settlement_paid", settlement.pk), {"reference": "GK2025040001"}).status_code
        == 302
    )
    settlement.refresh_from_db()
    assert (settlement.state, settlement.payment_reference) == ("paid", "GK2025040001")
    # Paid settlements are no longer in the month's payment file.
    rows = list(
        load_workbook(
            BytesIO(staff.get(url("payment_file") + "?month=2025-03").content)
        ).active.values
    )
    assert len(rows) == 1


def test_operators_cannot_approve_their_own_settlement(client_as, operator_a, voucher, inclusive_a):
    redeem(voucher, inclusive_a)
    settlement = services.settlement_prepare(institution=inclusive_a, month=MARCH)
    services.settlement_confirm(settlement=settlement, actor=operator_a)
    client = client_as(operator_a)
    assert client.post(url("settlement_approve", settlement.pk)).status_code == 403
    assert client.post(url("settlement_paid", settlement.pk), {"reference": "X"}).status_code == 403
    settlement.refresh_from_db()
    assert settlement.state == "confirmed"


def test_approval_after_a_late_reversal_is_refused_on_the_page(
    client_as, operator_a, bureau, voucher, inclusive_a
):
    redemption = redeem(voucher, inclusive_a)
    settlement = services.settlement_prepare(institution=inclusive_a, month=MARCH)
    services.settlement_confirm(settlement=settlement, actor=operator_a)
    services.reverse(redemption=redemption, actor=operator_a, reason="录错", by_bureau=False)
    response = client_as(bureau).post(url("settlement_approve", settlement.pk), follow=True)
    assert response.status_code == 200
    assert any("已退回机构重新确认" in message for message in messages_of(response))
    settlement.refresh_from_db()
    assert settlement.state == "draft"


def test_redeeming_for_a_settled_month_is_refused_on_the_page(
    client_as, operator_a, bureau, voucher, inclusive_a
):
    redeem(voucher, inclusive_a)
    settlement = services.settlement_prepare(institution=inclusive_a, month=MARCH)
    services.settlement_confirm(settlement=settlement, actor=operator_a)
    services.settlement_approve(settlement=settlement, actor=bureau)
    response = client_as(operator_a).post(
        url("redeem", inclusive_a.pk),
        {
            "voucher_code": voucher.code,
            "fee_month": "2025-03",
            "amount": "50",
            "idempotency_key": "web-" + "g" * 32,
        },
    )
    assert response.status_code == 200
    assert "已结算" in response.content.decode()
    assert Redemption.objects.count() == 1


# --- Bounded queries --------------------------------------------------------------------------------------


def _batches(start: int, count: int) -> None:
    VoucherBatch.objects.bulk_create(
        VoucherBatch(
            name=f"批次{n}",
            face_value=1000,
            quantity_cap=10,
            apply_from=dt.date(2025, 1, 1),
            apply_until=dt.date(2025, 12, 31),
            valid_from=dt.date(2025, 1, 1),
            valid_until=dt.date(2025, 12, 31),
            monthly_cap=100,
        )
        for n in range(start, start + count)
    )


def _fill(batch, bureau, inclusive_a, start: int, count: int) -> None:
    for n in range(start, start + count):
        voucher = issue_voucher(batch, bureau, n, institution=inclusive_a)
        redeem(voucher, inclusive_a, amount="100.00")


# Measured after the session and role caches are warm; the same whatever the data size. Each
# includes the header's count of unread notifications.
BOUNDED = {
    "batches": 6,
    "applications": 7,
    "redemption_report": 7,
    "anomalies": 5,
    "settlements": 6,
}


@pytest.mark.parametrize("name", sorted(BOUNDED))
def test_bureau_lists_run_a_bounded_number_of_queries(
    client_as, bureau, batch, inclusive_a, name, django_assert_max_num_queries
):
    client = client_as(bureau)
    client.get(url(name))  # warm up the session and the role cache
    _batches(0, 2)
    _fill(batch, bureau, inclusive_a, 100, 2)
    services.settlement_prepare(institution=inclusive_a, month=MARCH)
    with django_assert_max_num_queries(BOUNDED[name]) as small:
        assert client.get(url(name) + "?month_from=2025-01&month_to=2025-04").status_code == 200
    _batches(10, 20)
    _fill(batch, bureau, inclusive_a, 200, 12)
    with django_assert_max_num_queries(BOUNDED[name]) as large:
        assert client.get(url(name) + "?month_from=2025-01&month_to=2025-04").status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_childrens_page_runs_a_bounded_number_of_queries(
    client_as, operator_a, bureau, batch, inclusive_a, django_assert_max_num_queries
):
    client = client_as(operator_a)
    _fill(batch, bureau, inclusive_a, 300, 2)
    # 9, and the header's count of unread notifications.
    with django_assert_max_num_queries(10) as small:
        assert client.get(url("children", inclusive_a.pk)).status_code == 200
    _fill(batch, bureau, inclusive_a, 400, 12)
    with django_assert_max_num_queries(10) as large:
        assert client.get(url("children", inclusive_a.pk)).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
