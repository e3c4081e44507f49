"""Fee statements for employers (入托缴费证明, issue 20): the months from accepted reports and
redemptions, refused naming the month where a report is not accepted, issued by the operator or
asked for by the family, and checked by anyone on a verification page that shows nothing personal
beyond the masked name and answers an unknown code as it answers a revoked one."""

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from institutions.models import MonthlyReport
from vouchers import codes, family
from vouchers.models import FeeStatement
from vouchers.services import VoucherError
from vouchers.statements.services import (
    display_statement_code,
    statement_issue,
    statement_revoke,
    statement_verify,
)

from .conftest import CHILD_ID, MARCH
from .helpers import CST, accepted_report, redeem

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _chinese():
    """The messages are compared in Chinese whatever language an earlier test left active."""
    with translation.override("zh-hans"):
        yield


APRIL, MAY = dt.date(2025, 4, 1), dt.date(2025, 5, 1)
LATER = dt.datetime(2025, 6, 10, 10, 0, tzinfo=CST)  # March to May have ended


@pytest.fixture
def months(voucher, inclusive_a):
    """March (300 redeemed) and April (500 redeemed) accepted at 1,800; May accepted at 1,900
    with nothing redeemed."""
    with time_machine.travel(dt.datetime(2025, 3, 20, 10, tzinfo=CST), tick=False):
        redeem(voucher, inclusive_a, amount="300.00", month=MARCH)
    with time_machine.travel(dt.datetime(2025, 4, 20, 10, tzinfo=CST), tick=False):
        redeem(voucher, inclusive_a, amount="500.00", month=APRIL)
    accepted_report(inclusive_a, MARCH, voucher_children=1)
    accepted_report(inclusive_a, APRIL, voucher_children=1)
    may = accepted_report(inclusive_a, MAY, voucher_children=0)
    MonthlyReport.objects.filter(pk=may.pk).update(fee_full_day=Decimal("1900.00"))
    with time_machine.travel(LATER, tick=False):
        yield


def issue(voucher, institution, first=MARCH, last=MAY, **kwargs):
    return statement_issue(
        child=voucher.child, institution=institution, first=first, last=last, **kwargs
    )


# --- The figures ----------------------------------------------------------------------------------


def test_the_statement_adds_each_months_fee_and_redemptions_to_the_cent(
    voucher, inclusive_a, months, operator_a
):
    statement = issue(voucher, inclusive_a, actor=operator_a)
    assert statement.lines == [
        {"month": "2025-03", "fee_due": "1800.00", "voucher_paid": "300.00", "family_paid": "1500.00"},
        {"month": "2025-04", "fee_due": "1800.00", "voucher_paid": "500.00", "family_paid": "1300.00"},
        {"month": "2025-05", "fee_due": "1900.00", "voucher_paid": "0.00", "family_paid": "1900.00"},
    ]  # fmt: skip
    assert (statement.total_due, statement.total_voucher, statement.total_family) == (
        Decimal("5500.00"),
        Decimal("800.00"),
        Decimal("4700.00"),
    )
    assert statement.child_masked_name == "王**"
    assert codes.display(statement.code) == display_statement_code(statement.code)
    assert statement.history.get().history_user == operator_a


def test_a_reversed_redemption_is_not_counted(voucher, inclusive_a, months, operator_a):
    from vouchers import services

    redemption = voucher.redemptions.get(fee_month=APRIL)
    with time_machine.travel(dt.datetime(2025, 4, 21, 10, tzinfo=CST), tick=False):
        services.reverse(
            redemption=redemption, actor=operator_a, reason="录错金额", by_bureau=False
        )
    statement = issue(voucher, inclusive_a, first=APRIL, last=APRIL)
    assert (statement.total_voucher, statement.total_family) == (
        Decimal("0.00"),
        Decimal("1800.00"),
    )


def test_a_month_whose_report_is_not_accepted_is_named_instead_of_a_wrong_total(
    voucher, inclusive_a, months
):
    MonthlyReport.objects.filter(institution=inclusive_a, period=APRIL).update(state="submitted")
    with pytest.raises(VoucherError) as refused:
        issue(voucher, inclusive_a)
    assert refused.value.messages == ["2025年4月的月报尚未审核通过，暂不能开具包含该月的缴费证明。"]
    assert not FeeStatement.objects.exists()
    assert issue(voucher, inclusive_a, first=MAY, last=MAY).total_due == Decimal("1900.00")


def test_a_month_without_a_report_or_a_fee_is_named_too(voucher, inclusive_a, months):
    MonthlyReport.objects.filter(institution=inclusive_a, period=MAY).delete()
    with pytest.raises(VoucherError, match="2025年5月的月报尚未审核通过"):
        issue(voucher, inclusive_a)
    MonthlyReport.objects.filter(institution=inclusive_a, period=MARCH).update(fee_full_day=None)
    with pytest.raises(VoucherError, match="2025年3月的月报未填报全日托收费"):
        issue(voucher, inclusive_a, last=APRIL)


def test_months_outside_the_enrolment_are_refused_on_both_sides(voucher, inclusive_a, months):
    accepted_report(inclusive_a, dt.date(2025, 2, 1), voucher_children=0)
    with pytest.raises(VoucherError, match="2025年2月该幼儿未在本机构入托"):
        issue(voucher, inclusive_a, first=dt.date(2025, 2, 1), last=MARCH)
    # Left on 1 April: April still counts (the last day is included), May does not.
    voucher.child.enrolments.update(end=APRIL)
    assert issue(voucher, inclusive_a, first=MARCH, last=APRIL).total_due == Decimal("3600.00")
    with pytest.raises(VoucherError, match="2025年5月该幼儿未在本机构入托"):
        issue(voucher, inclusive_a)


def test_the_period_rules(voucher, inclusive_a, months):
    with pytest.raises(VoucherError, match="截止月份不能早于起始月份"):
        issue(voucher, inclusive_a, first=APRIL, last=MARCH)
    with pytest.raises(VoucherError, match="2025年6月尚未结束"):
        issue(voucher, inclusive_a, first=MAY, last=dt.date(2025, 6, 1))
    with pytest.raises(VoucherError, match="最多包含12个月"):
        issue(voucher, inclusive_a, first=dt.date(2024, 5, 1), last=MAY)  # 13 months


def test_the_database_keeps_the_totals_adding_up(voucher, inclusive_a, months):
    statement = issue(voucher, inclusive_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        FeeStatement.objects.filter(pk=statement.pk).update(total_family=Decimal("4699.99"))
    with pytest.raises(IntegrityError), transaction.atomic():
        FeeStatement.objects.filter(pk=statement.pk).update(revoked_at=dt.datetime.now(tz=CST))


# --- Verification ---------------------------------------------------------------------------------


def test_verification_shows_the_institution_period_amounts_and_masked_name_only(
    client, voucher, inclusive_a, months
):
    statement = issue(voucher, inclusive_a)
    response = client.get(
        reverse("voucher_family:statement_verify"), {"code": display_statement_code(statement.code)}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "data-verified" in html
    assert inclusive_a.name in html and "王**" in html and "4700.00" in html
    assert "王小明" not in html and voucher.child.id_last6 not in html and CHILD_ID[:12] not in html
    assert codes.display(voucher.code) not in html and voucher.code not in html
    assert response["Cache-Control"] == "no-store"


def test_an_unknown_a_malformed_and_a_revoked_code_get_the_same_answer(
    client, voucher, inclusive_a, months, operator_a
):
    statement = issue(voucher, inclusive_a)
    url = reverse("voucher_family:statement_verify")

    def answer(code):
        html = client.get(url, {"code": code}).content.decode()
        main = html[html.index("<main") :]
        return re.sub(r'value="[^"]*"', "", main)  # the code typed is echoed in the form

    body = statement.code[:15]
    unknown = body[:-1] + ("2" if body[-1] != "2" else "3")
    unknown += codes.check_character(unknown)
    assert statement_verify(unknown) is None
    revoked = statement_revoke(statement=statement, actor=operator_a, reason="金额有误，重新开具")
    answers = {answer(unknown), answer("ABCD"), answer(revoked.code)}
    assert len(answers) == 1
    assert "未找到有效的缴费证明" in answers.pop()


def test_verification_is_within_the_family_pages_throttle(client, voucher, inclusive_a, months):
    cache.clear()
    url = reverse("voucher_family:statement_verify")
    rate = int(family.BalanceRateThrottle.rate.split("/")[0])
    for _ in range(rate):
        assert client.get(url, {"code": "ABCD-EFGH-JKMN-PQRS"}).status_code == 200
    assert client.get(url, {"code": "ABCD-EFGH-JKMN-PQRS"}).status_code == 429
    # The balance page shares the bucket: it is spent too.
    response = client.post(
        reverse("voucher_family:balance"), {"code": "ABCD-EFGH-JKMN", "id_last6": "123456"}
    )
    assert response.status_code == 429


# --- Pages ------------------------------------------------------------------------------------------


def test_the_operator_issues_downloads_and_revokes(
    client_as, operator_a, voucher, inclusive_a, months
):
    client = client_as(operator_a)
    url = reverse("vouchers:statements", args=[inclusive_a.pk])
    enrolment = voucher.child.enrolments.get()
    data = {
        "action": "issue",
        "child": enrolment.pk,
        "first_month": "2025-03",
        "last_month": "2025-05",
    }
    assert client.post(url, data).status_code == 302
    statement = FeeStatement.objects.get()
    pdf = client.get(reverse("vouchers:statement_pdf", args=[inclusive_a.pk, statement.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    refused = client.post(url, {"action": "revoke", "statement": statement.pk, "reason": ""})
    assert refused.status_code == 302
    statement.refresh_from_db()
    assert statement.revoked_at is None  # no reason, no revocation
    client.post(url, {"action": "revoke", "statement": statement.pk, "reason": "重新开具"})
    statement.refresh_from_db()
    assert statement.revoke_reason == "重新开具"


def test_the_operators_page_names_the_missing_month(
    client_as, operator_a, voucher, inclusive_a, months
):
    MonthlyReport.objects.filter(institution=inclusive_a, period=APRIL).update(state="returned")
    enrolment = voucher.child.enrolments.get()
    response = client_as(operator_a).post(
        reverse("vouchers:statements", args=[inclusive_a.pk]),
        {
            "action": "issue",
            "child": enrolment.pk,
            "first_month": "2025-03",
            "last_month": "2025-05",
        },
    )
    assert response.status_code == 400
    assert "2025年4月的月报尚未审核通过" in response.content.decode()


def test_another_institutions_operator_gets_a_404(
    client_as, operator_b, voucher, inclusive_a, months, operator_a
):
    statement = issue(voucher, inclusive_a, actor=operator_a)
    client = client_as(operator_b)
    assert client.get(reverse("vouchers:statements", args=[inclusive_a.pk])).status_code == 404
    pdf = reverse("vouchers:statement_pdf", args=[inclusive_a.pk, statement.pk])
    assert client.get(pdf).status_code == 404


def test_the_family_asks_with_the_code_and_id_suffix(client, voucher, inclusive_a, months):
    cache.clear()
    url = reverse("voucher_family:statement")
    data = {
        "code": codes.display(voucher.code),
        "id_last6": voucher.child.id_last6,
        "first_month": "2025-03",
        "last_month": "2025-04",
    }
    wrong = client.post(url, {**data, "id_last6": "000000"})
    assert str(family.NO_MATCH_MESSAGE) in wrong.content.decode()
    assert not FeeStatement.objects.exists()
    response = client.post(url, data)
    assert response["Content-Type"] == "application/pdf"
    statement = FeeStatement.objects.get()
    assert statement.requested_by_family and statement.issued_by is None
    assert statement.total_family == Decimal("2800.00")


# --- API and admin ----------------------------------------------------------------------------------


def test_the_api_lists_statements_as_the_pages_scope_them(
    api_as, operator_a, operator_b, bureau, voucher, inclusive_a, months
):
    statement = issue(voucher, inclusive_a, actor=operator_a)
    rows = api_as(operator_a).get("/api/v1/fee-statements/").json()["results"]
    assert [(row["id"], row["code"], row["total_family"]) for row in rows] == [
        (statement.pk, display_statement_code(statement.code), "4700.00")
    ]
    assert rows[0]["first_month"] == "2025-03" and rows[0]["child_masked_name"] == "王**"
    assert api_as(operator_b).get("/api/v1/fee-statements/").json()["results"] == []
    assert api_as(operator_b).get(f"/api/v1/fee-statements/{statement.pk}/").status_code == 404
    assert api_as(bureau).get(f"/api/v1/fee-statements/{statement.pk}/").status_code == 200
    assert api_as(bureau).post("/api/v1/fee-statements/", {}).status_code == 405
