"""The voucher API: issue 5's contract (status codes, bodies, headers), scoping and roles."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import FeeStandardFactory, InclusiveRecognitionFactory
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

from .conftest import MARCH, make_child, valid_id

pytestmark = pytest.mark.django_db
CST = dt.timezone(dt.timedelta(hours=8))
API = "/api/v1/"
REDEMPTIONS = f"{API}redemptions/"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def redeem(client, code, *, amount="300.00", month="2025-03", key="key-1", **extra):
    headers = {} if key is None else {"Idempotency-Key": key}
    body = {"voucher_code": code, "fee_month": month, "amount": amount, **extra}
    return client.post(REDEMPTIONS, body, format="json", headers=headers)


def issue(batch, bureau, n: int, institution=None) -> Voucher:
    """A voucher for child n of the batch, enrolled at `institution` from March 2025."""
    child = make_child(n)
    application = services.application_create(
        batch=batch, child=child, source="bureau", applied_on=dt.date(2025, 2, 10)
    )
    voucher = services.application_approve(application=application, actor=bureau)
    if institution is not None:
        services.enrolment_record(child=child, institution=institution, start=MARCH)
    return voucher


@pytest.fixture
def inclusive_b(institution_b):
    InclusiveRecognitionFactory(institution=institution_b, valid_from=dt.date(2024, 1, 1))
    FeeStandardFactory(institution=institution_b, effective_from=dt.date(2024, 1, 1))
    return institution_b


@pytest.fixture
def voucher_b(batch, bureau, inclusive_b) -> Voucher:
    return issue(batch, bureau, 50, inclusive_b)


def ledger_state(voucher) -> tuple:
    voucher.refresh_from_db()
    return voucher.balance, voucher.ledger.count(), Redemption.objects.count()


# --- POST redemptions/: the contract -----------------------------------------------------------


def test_redeem_answers_201_with_the_contract_body(api_as, operator_a, voucher, inclusive_a):
    response = redeem(api_as(operator_a), voucher.code)
    assert response.status_code == 201, response.json()
    redemption = Redemption.objects.get()
    assert response.json() == {
        "id": redemption.pk,
        "voucher_code": voucher.code,
        "fee_month": "2025-03",
        "amount": "300.00",
        "balance_after": "2700.00",
        "institution": inclusive_a.pk,
    }
    assert ledger_state(voucher) == (Decimal("2700.00"), 2, 1)
    assert redemption.created_by == operator_a


def test_replay_answers_the_same_status_and_body_and_changes_nothing(api_as, operator_a, voucher):
    client = api_as(operator_a)
    first = redeem(client, voucher.code)
    before = ledger_state(voucher)
    # The same request, the code typed as printed: dashes and lower case make no difference.
    again = redeem(client, codes.display(voucher.code).lower())
    assert again.status_code == first.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert ledger_state(voucher) == before == (Decimal("2700.00"), 2, 1)


def test_replay_after_a_later_redemption_still_answers_the_first_balance(
    api_as, operator_a, voucher
):
    client = api_as(operator_a)
    first = redeem(client, voucher.code, key="a")
    redeem(client, voucher.code, key="b", amount="100.00")
    again = redeem(client, voucher.code, key="a")
    assert again.status_code == 201 and again.json() == first.json()
    assert again.json()["balance_after"] == "2700.00"


def test_same_key_with_another_body_answers_422(api_as, operator_a, voucher):
    client = api_as(operator_a)
    redeem(client, voucher.code)
    before = ledger_state(voucher)
    response = redeem(client, voucher.code, amount="200.00")
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert response.json()["detail"]
    assert ledger_state(voucher) == before


@pytest.mark.parametrize("key", [None, "", "   "])
def test_missing_idempotency_key_answers_400(api_as, operator_a, voucher, key):
    response = redeem(api_as(operator_a), voucher.code, key=key)
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_required"
    assert ledger_state(voucher) == (Decimal("3000.00"), 1, 0)


def test_an_overlong_idempotency_key_answers_400(api_as, operator_a, voucher):
    response = redeem(api_as(operator_a), voucher.code, key="k" * 101)
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_invalid"


def test_not_enough_balance_answers_409(api_as, operator_a, voucher, bureau):
    services.adjust(voucher=voucher, amount=Decimal("-2800.00"), reason="测试", actor=bureau)
    response = redeem(api_as(operator_a), voucher.code, amount="300.00")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "insufficient_balance"
    assert "200.00" in body["detail"]
    assert ledger_state(voucher) == (Decimal("200.00"), 2, 0)


def _settle_march(institution, operator, bureau):
    settlement = services.settlement_prepare(institution=institution, month=MARCH)
    services.settlement_confirm(settlement=settlement, actor=operator)
    services.settlement_approve(settlement=settlement, actor=bureau)


@pytest.mark.parametrize(
    ("rule", "amount", "month"),
    [
        ("over_monthly_cap", "600.00", "2025-03"),
        ("outside_validity", "300.00", "2026-03"),
        ("month_settled", "300.00", "2025-03"),
    ],
)
def test_a_broken_rule_answers_422_with_its_code(
    api_as, operator_a, voucher, inclusive_a, bureau, rule, amount, month
):
    if rule == "month_settled":
        _settle_march(inclusive_a, operator_a, bureau)
    response = redeem(api_as(operator_a), voucher.code, amount=amount, month=month)
    assert response.status_code == 422
    assert response.json()["code"] == rule
    assert response.json()["detail"]
    assert ledger_state(voucher) == (Decimal("3000.00"), 1, 0)


def test_operator_cannot_redeem_a_child_not_enrolled_with_them(
    api_as, operator_b, voucher, inclusive_b
):
    response = redeem(api_as(operator_b), voucher.code)
    assert response.status_code == 422
    assert response.json()["code"] == "not_enrolled"
    assert ledger_state(voucher) == (Decimal("3000.00"), 1, 0)


def test_an_unknown_code_answers_422_voucher_not_found(api_as, operator_a, voucher):
    response = redeem(api_as(operator_a), codes.new_code())
    assert response.status_code == 422
    assert response.json()["code"] == "voucher_not_found"


@pytest.mark.parametrize(
    ("field", "body"),
    [
        ("fee_month", {"fee_month": "2025-13"}),
        ("fee_month", {"fee_month": "2025/03"}),
        ("amount", {"amount": "abc"}),
        ("amount", {"amount": "0"}),
        ("amount", {"amount": "1.005"}),
        ("voucher_code", {"voucher_code": ""}),
    ],
)
def test_malformed_input_answers_400(api_as, operator_a, voucher, field, body):
    data = {"voucher_code": voucher.code, "fee_month": "2025-03", "amount": "300.00", **body}
    response = api_as(operator_a).post(
        REDEMPTIONS, data, format="json", headers={"Idempotency-Key": "k"}
    )
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert ledger_state(voucher) == (Decimal("3000.00"), 1, 0)


@pytest.mark.parametrize("persona", ["bureau", "auditor", "education", "family", "inspector"])
def test_only_operators_redeem(api_as, voucher, persona, request):
    response = redeem(api_as(request.getfixturevalue(persona)), voucher.code)
    assert response.status_code == 403
    assert Redemption.objects.count() == 0


def test_anonymous_cannot_redeem(api_client, voucher):
    assert redeem(api_client, voucher.code).status_code in {401, 403}


def test_an_operator_of_several_institutions_names_one(
    api_as, operator_a, voucher, inclusive_a, inclusive_b
):
    inclusive_b.operators.add(operator_a)
    client = api_as(operator_a)
    response = redeem(client, voucher.code)
    assert response.status_code == 400
    assert response.json()["code"] == "institution_required"
    response = redeem(client, voucher.code, institution=inclusive_a.pk)
    assert response.status_code == 201
    assert response.json()["institution"] == inclusive_a.pk


def test_naming_another_operators_institution_is_refused_like_a_missing_one(
    api_as, operator_a, voucher, institution_b
):
    response = redeem(api_as(operator_a), voucher.code, institution=institution_b.pk)
    assert response.status_code == 400
    assert response.json()["errors"]["institution"][0]
    assert response.json()["code"] == "does_not_exist"


# --- Reversal ----------------------------------------------------------------------------------


def reverse(client, redemption_id, reason="家长退托"):
    body = {} if reason is None else {"reason": reason}
    return client.post(f"{REDEMPTIONS}{redemption_id}/reverse/", body, format="json")


def test_operator_reverses_their_own_within_seven_days(api_as, operator_a, voucher):
    client = api_as(operator_a)
    with time_machine.travel(dt.datetime(2025, 4, 2, 10, 0, tzinfo=CST), tick=False):
        redemption_id = redeem(client, voucher.code).json()["id"]
    with time_machine.travel(dt.datetime(2025, 4, 9, 9, 0, tzinfo=CST), tick=False):
        response = reverse(client, redemption_id)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["id"], body["status"], body["reversal_reason"]) == (
        redemption_id,
        "reversed",
        "家长退托",
    )
    voucher.refresh_from_db()
    assert voucher.balance == Decimal("3000.00")
    # (Issued today, redeemed in the travelled-to past: compare kinds, not their order.)
    assert sorted(e.kind for e in voucher.ledger.all()) == ["issue", "redemption", "reversal"]


def test_operator_after_seven_days_is_refused_but_the_bureau_may(
    api_as, operator_a, bureau, voucher
):
    with time_machine.travel(dt.datetime(2025, 4, 2, 10, 0, tzinfo=CST), tick=False):
        redemption_id = redeem(api_as(operator_a), voucher.code).json()["id"]
    with time_machine.travel(dt.datetime(2025, 4, 9, 10, 1, tzinfo=CST), tick=False):
        refused = reverse(api_as(operator_a), redemption_id)
        assert refused.status_code == 422
        assert refused.json()["code"] == "reversal_window_passed"
        done = reverse(api_as(bureau), redemption_id, reason="卫健局冲正")
    assert done.status_code == 200
    assert Redemption.objects.get().reversed_by == bureau


def test_another_institutions_redemption_is_a_404(api_as, operator_a, operator_b, voucher):
    redemption_id = redeem(api_as(operator_a), voucher.code).json()["id"]
    response = reverse(api_as(operator_b), redemption_id)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert Redemption.objects.get().status == "active"


def test_a_reversal_needs_a_reason(api_as, operator_a, voucher):
    client = api_as(operator_a)
    redemption_id = redeem(client, voucher.code).json()["id"]
    assert reverse(client, redemption_id, reason=None).status_code == 400
    blank = reverse(client, redemption_id, reason="  ")
    assert blank.status_code == 422 and blank.json()["code"] == "reason_required"
    assert reverse(client, redemption_id).status_code == 200
    again = reverse(client, redemption_id)
    assert again.status_code == 422 and again.json()["code"] == "already_reversed"


@pytest.mark.parametrize("persona", ["auditor", "education"])
def test_read_only_roles_cannot_reverse(api_as, operator_a, voucher, persona, request):
    redemption_id = redeem(api_as(operator_a), voucher.code).json()["id"]
    response = reverse(api_as(request.getfixturevalue(persona)), redemption_id)
    assert response.status_code == 403


# --- GET redemptions/ --------------------------------------------------------------------------


def test_operators_see_only_their_institutions_redemptions(
    api_as, operator_a, operator_b, bureau, auditor, voucher, voucher_b
):
    own = redeem(api_as(operator_a), voucher.code).json()["id"]
    other = redeem(api_as(operator_b), voucher_b.code).json()["id"]

    listed = api_as(operator_a).get(REDEMPTIONS).json()
    assert [row["id"] for row in listed["results"]] == [own]
    assert api_as(operator_a).get(f"{REDEMPTIONS}{other}/").status_code == 404
    assert api_as(operator_a).get(f"{REDEMPTIONS}{own}/").status_code == 200
    for user in (bureau, auditor):
        listed = api_as(user).get(REDEMPTIONS).json()
        assert {row["id"] for row in listed["results"]} == {own, other}


def test_redemption_list_filters_and_masks(api_as, operator_a, voucher, inclusive_a):
    client = api_as(operator_a)
    march = redeem(client, voucher.code, key="m").json()["id"]
    april = redeem(client, voucher.code, key="a", month="2025-04").json()["id"]
    reverse(client, april)

    def ids(client, query):
        return [row["id"] for row in client.get(REDEMPTIONS + query).json()["results"]]

    assert ids(client, "?fee_month=2025-03") == [march]
    assert ids(client, "?status=reversed") == [april]
    assert ids(client, f"?institution={inclusive_a.pk}&ordering=fee_month") == [march, april]
    assert client.get(REDEMPTIONS + "?fee_month=March").status_code == 400
    row = client.get(f"{REDEMPTIONS}{march}/").json()
    assert row["child_name"] == "王**"
    assert row["balance_after"] == "2700.00"
    assert row["institution_name"] == inclusive_a.name


# --- GET vouchers/{code}/ ----------------------------------------------------------------------


def voucher_url(code: str) -> str:
    return f"{API}vouchers/{code}/"


@pytest.mark.parametrize("persona", ["bureau", "operator_a", "auditor"])
def test_voucher_by_code_answers_the_contract(api_as, voucher, persona, request):
    response = api_as(request.getfixturevalue(persona)).get(
        voucher_url(codes.display(voucher.code).lower())
    )
    assert response.status_code == 200
    assert response.json() == {
        "code": voucher.code,
        "status": "active",
        "balance": "3000.00",
        "valid_from": "2025-03-01",
        "valid_until": "2026-02-28",
        "monthly_cap": "500.00",
    }


def test_an_operator_who_enrolled_the_child_before_still_sees_the_voucher(
    api_as, operator_a, voucher, child
):
    services.enrolment_end(enrolment=child.enrolments.get(), end=dt.date(2025, 3, 31))
    assert api_as(operator_a).get(voucher_url(voucher.code)).status_code == 200


def test_an_operator_who_does_not_enrol_the_child_gets_404(api_as, operator_b, voucher):
    response = api_as(operator_b).get(voucher_url(voucher.code))
    assert response.status_code == 404
    assert api_as(operator_b).get(f"{API}vouchers/").json()["results"] == []


@pytest.mark.parametrize("persona", ["family", "anonymous", "education", "inspector"])
def test_others_cannot_look_a_voucher_up(api_as, voucher, persona, request):
    response = api_as(request.getfixturevalue(persona)).get(voucher_url(voucher.code))
    assert response.status_code in {401, 403, 404}
    assert voucher.code not in response.content.decode()


def test_unknown_and_malformed_codes_are_404(api_as, bureau, voucher):
    client = api_as(bureau)
    assert client.get(voucher_url(codes.new_code())).status_code == 404
    assert client.get(voucher_url("not-a-code")).status_code == 404


def test_voucher_list_masks_personal_data(api_as, bureau, voucher, child):
    response = api_as(bureau).get(f"{API}vouchers/?child_id_number={child.id_number.reveal()}")
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["code"] == voucher.code
    assert row["child_name"] == "王**"
    assert row["child_id_number"] == child.id_number.masked
    text = response.content.decode()
    assert child.id_number.reveal() not in text and "王小明" not in text


# --- Ledger and adjustments --------------------------------------------------------------------


def test_bureau_adjusts_with_a_reason_and_reads_the_ledger(api_as, bureau, auditor, voucher):
    url = voucher_url(voucher.code)
    response = api_as(bureau).post(
        f"{url}adjust/", {"amount": "-100.00", "reason": "多发更正"}, format="json"
    )
    assert response.status_code == 201
    assert (response.json()["kind"], response.json()["balance_after"]) == ("adjustment", "2900.00")
    too_much = api_as(bureau).post(
        f"{url}adjust/", {"amount": "-5000.00", "reason": "x"}, format="json"
    )
    assert too_much.status_code == 409 and too_much.json()["code"] == "insufficient_balance"
    no_reason = api_as(bureau).post(f"{url}adjust/", {"amount": "5", "reason": ""}, format="json")
    assert no_reason.status_code == 422 and no_reason.json()["code"] == "reason_required"
    ledger = api_as(auditor).get(f"{url}ledger/").json()["results"]
    assert [(e["kind"], e["amount"], e["reason"]) for e in ledger] == [
        ("issue", "3000.00", ""),
        ("adjustment", "-100.00", "多发更正"),
    ]


def test_operators_do_not_read_the_ledger_or_adjust(api_as, operator_a, voucher):
    url = voucher_url(voucher.code)
    assert api_as(operator_a).get(f"{url}ledger/").status_code == 403
    response = api_as(operator_a).post(
        f"{url}adjust/", {"amount": "100", "reason": "x"}, format="json"
    )
    assert response.status_code == 403


# --- Batches -----------------------------------------------------------------------------------

BATCH = {
    "name": "2025年第二批托育券",
    "face_value": "2000.00",
    "quantity_cap": 50,
    "apply_from": "2025-06-01",
    "apply_until": "2025-06-30",
    "valid_from": "2025-07-01",
    "valid_until": "2026-06-30",
    "monthly_cap": "400.00",
    "residence_rule": "hukou",
}


def test_bureau_creates_changes_and_the_admin_deletes_a_batch(api_as, bureau, bureau_admin):
    client = api_as(bureau)
    response = client.post(f"{API}voucher-batches/", BATCH, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["issued_count"], body["quota_left"], body["inclusive_only"]) == (0, 50, True)
    url = f"{API}voucher-batches/{body['id']}/"
    changed = client.patch(url, {"quantity_cap": 60, "issued_count": 55}, format="json")
    assert changed.status_code == 200
    assert (changed.json()["quantity_cap"], changed.json()["issued_count"]) == (60, 0)
    wrong = client.patch(url, {"valid_until": "2025-01-01"}, format="json")
    assert wrong.status_code == 400
    duplicate = client.post(f"{API}voucher-batches/", BATCH, format="json")
    assert duplicate.status_code == 400 and "name" in duplicate.json()["errors"]
    assert client.delete(url).status_code == 403
    assert api_as(bureau_admin).delete(url).status_code == 204
    assert VoucherBatch.objects.filter(name=BATCH["name"]).count() == 0


def test_a_batch_with_applications_is_kept(api_as, bureau_admin, voucher, batch):
    response = api_as(bureau_admin).delete(f"{API}voucher-batches/{batch.pk}/")
    assert response.status_code == 422 and response.json()["code"] == "batch_in_use"


def test_the_cap_cannot_go_below_what_is_issued(api_as, bureau, voucher, batch):
    response = api_as(bureau).patch(
        f"{API}voucher-batches/{batch.pk}/", {"quantity_cap": 0}, format="json"
    )
    assert response.status_code == 422
    assert response.json()["code"] == "cap_below_issued"


def test_operators_and_education_read_batches(api_as, operator_a, education, batch):
    for user in (operator_a, education):
        assert api_as(user).get(f"{API}voucher-batches/").json()["count"] == 1


# --- Applications ------------------------------------------------------------------------------

CHILD_DATA = {
    "name": "李小雨",
    "id_number": valid_id("33038220240301002"),
    "hukou_township": None,
    "has_residence_permit": True,
    "guardian": {
        "name": "李娜",
        "phone": "13900001111",
        "id_number": valid_id("33038219900101002"),
    },
}
APPLICATIONS = f"{API}voucher-applications/"


def test_bureau_enters_an_application_with_the_childs_details(api_as, bureau, batch):
    response = api_as(bureau).post(
        APPLICATIONS,
        {"batch": batch.pk, "child_data": CHILD_DATA, "applied_on": "2025-03-10"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["state"], body["eligible"], body["source"]) == ("pending", True, "bureau")
    assert body["child_name"] == "李**"
    assert body["child_id_number"] == "330382********" + CHILD_DATA["id_number"][-4:]
    text = response.content.decode()
    for secret in (CHILD_DATA["id_number"], "李小雨", "13900001111", "李娜"):
        assert secret not in text
    application = VoucherApplication.objects.get()
    assert application.entered_by == bureau
    assert application.child.guardian.phone.reveal() == "13900001111"


def test_a_bad_id_number_is_400_and_leaves_nothing_behind(api_as, bureau, batch):
    number = CHILD_DATA["id_number"]
    data = {**CHILD_DATA, "id_number": number[:17] + ("0" if number[17] != "0" else "1")}
    response = api_as(bureau).post(
        APPLICATIONS, {"batch": batch.pk, "child_data": data}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "resident_id_check_digit"
    assert VoucherApplication.objects.count() == 0


def test_either_a_child_or_the_childs_details(api_as, bureau, batch, child):
    client = api_as(bureau)
    neither = client.post(APPLICATIONS, {"batch": batch.pk}, format="json")
    both = client.post(
        APPLICATIONS,
        {"batch": batch.pk, "child": child.pk, "child_data": CHILD_DATA},
        format="json",
    )
    assert neither.status_code == both.status_code == 400
    assert neither.json()["code"] == "child_required"


def test_approve_issues_a_voucher_and_reject_needs_a_reason(api_as, bureau, batch, child):
    client = api_as(bureau)
    first = client.post(
        APPLICATIONS,
        {"batch": batch.pk, "child": child.pk, "applied_on": "2025-02-10"},
        format="json",
    ).json()
    approved = client.post(f"{APPLICATIONS}{first['id']}/approve/")
    assert approved.status_code == 200
    assert approved.json()["state"] == "approved"
    voucher = Voucher.objects.get()
    assert approved.json()["voucher_code"] == voucher.code
    again = client.post(f"{APPLICATIONS}{first['id']}/approve/")
    assert again.status_code == 422 and again.json()["code"] == "already_decided"

    second = client.post(
        APPLICATIONS, {"batch": batch.pk, "child_data": CHILD_DATA}, format="json"
    ).json()
    blank = client.post(f"{APPLICATIONS}{second['id']}/reject/", {"reason": ""}, format="json")
    assert blank.status_code == 422 and blank.json()["code"] == "reason_required"
    rejected = client.post(
        f"{APPLICATIONS}{second['id']}/reject/", {"reason": "材料不全"}, format="json"
    )
    assert rejected.status_code == 200
    assert (rejected.json()["state"], rejected.json()["reject_reason"]) == ("rejected", "材料不全")


def _pending(batch, count: int) -> list[int]:
    return [
        services.application_create(
            batch=batch, child=make_child(n), source="bureau", applied_on=dt.date(2025, 2, 10)
        ).pk
        for n in range(count)
    ]


def test_approval_beyond_the_quota_answers_422_quota_exhausted(api_as, bureau, batch):
    VoucherBatch.objects.filter(pk=batch.pk).update(quantity_cap=1)
    first, second = _pending(batch, 2)
    client = api_as(bureau)
    assert client.post(f"{APPLICATIONS}{first}/approve/").status_code == 200
    response = client.post(f"{APPLICATIONS}{second}/approve/")
    assert response.status_code == 422
    assert response.json()["code"] == "quota_exhausted"
    assert Voucher.objects.count() == 1


def test_bulk_decisions_report_each_refusal(api_as, bureau, batch):
    VoucherBatch.objects.filter(pk=batch.pk).update(quantity_cap=2)
    ids = _pending(batch, 3)
    client = api_as(bureau)
    response = client.post(f"{APPLICATIONS}decide/", {"ids": ids, "approve": True}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["decided"] == 2 and len(body["errors"]) == 1
    assert body["errors"][0].startswith(f"#{ids[2]}:")
    assert Voucher.objects.count() == 2

    more = _pending_more(batch)
    no_reason = client.post(
        f"{APPLICATIONS}decide/", {"ids": [more], "approve": False}, format="json"
    )
    assert no_reason.status_code == 422 and no_reason.json()["code"] == "reason_required"
    rejected = client.post(
        f"{APPLICATIONS}decide/",
        {"ids": [more], "approve": False, "reason": "超龄"},
        format="json",
    )
    assert rejected.json() == {"decided": 1, "errors": []}
    missing = client.post(
        f"{APPLICATIONS}decide/", {"ids": [999999], "approve": True}, format="json"
    )
    assert missing.status_code == 400


def _pending_more(batch) -> int:
    return services.application_create(
        batch=batch, child=make_child(77), source="bureau", applied_on=dt.date(2025, 2, 10)
    ).pk


def test_operators_do_not_handle_applications(api_as, operator_a, batch, child):
    client = api_as(operator_a)
    assert client.get(APPLICATIONS).status_code == 403
    response = client.post(APPLICATIONS, {"batch": batch.pk, "child": child.pk}, format="json")
    assert response.status_code == 403


# --- Enrolments --------------------------------------------------------------------------------

ENROLMENTS = f"{API}voucher-enrolments/"


def test_operator_enrols_a_child_by_id_number_and_voucher_code(
    api_as, operator_a, operator_b, batch, bureau, inclusive_a
):
    voucher = issue(batch, bureau, 5)  # not enrolled anywhere yet
    child = voucher.child
    client = api_as(operator_a)
    body = {
        "child_id_number": child.id_number.reveal(),
        "voucher_code": codes.display(voucher.code),
        "start": "2025-04-01",
    }
    wrong = client.post(ENROLMENTS, {**body, "voucher_code": codes.new_code()}, format="json")
    assert wrong.status_code == 400 and wrong.json()["code"] == "child_not_found"
    response = client.post(ENROLMENTS, body, format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert (created["institution"], created["start"], created["end"]) == (
        inclusive_a.pk,
        "2025-04-01",
        None,
    )
    assert created["child_id_number"] == child.id_number.masked
    assert child.id_number.reveal() not in response.content.decode()
    overlap = client.post(ENROLMENTS, {**body, "start": "2025-05-01"}, format="json")
    assert overlap.status_code == 422 and overlap.json()["code"] == "enrolment_overlap"

    end_url = f"{ENROLMENTS}{created['id']}/end/"
    assert api_as(operator_b).post(end_url, {"end": "2025-06-30"}, format="json").status_code == 404
    backwards = client.post(end_url, {"end": "2025-03-01"}, format="json")
    assert backwards.status_code == 400
    ended = client.post(end_url, {"end": "2025-06-30"}, format="json")
    assert ended.status_code == 200 and ended.json()["end"] == "2025-06-30"
    assert Enrolment.objects.get(pk=created["id"]).recorded_by == operator_a


def test_operators_list_only_their_enrolments(api_as, operator_a, operator_b, voucher, voucher_b):
    assert api_as(operator_a).get(ENROLMENTS).json()["count"] == 1
    assert api_as(operator_b).get(ENROLMENTS).json()["count"] == 1


# --- Settlements -------------------------------------------------------------------------------

SETTLEMENTS = f"{API}settlements/"


def test_settlement_prepare_confirm_approve_and_pay(
    api_as, bureau, operator_a, operator_b, voucher, inclusive_a
):
    redeem(api_as(operator_a), voucher.code)
    bureau_client = api_as(bureau)
    body = {"institution": inclusive_a.pk, "month": "2025-03"}
    assert api_as(operator_a).post(SETTLEMENTS, body, format="json").status_code == 403
    prepared = bureau_client.post(SETTLEMENTS, body, format="json")
    assert prepared.status_code == 201
    statement = prepared.json()
    assert (statement["state"], statement["total"], statement["line_count"]) == (
        "draft",
        "300.00",
        1,
    )
    assert bureau_client.post(SETTLEMENTS, body, format="json").status_code == 200
    url = f"{SETTLEMENTS}{statement['id']}/"

    lines = api_as(operator_a).get(f"{url}lines/").json()["results"]
    assert [line["amount"] for line in lines] == ["300.00"]
    early = bureau_client.post(f"{url}approve/")
    assert early.status_code == 422 and early.json()["code"] == "bad_state"
    assert api_as(operator_b).post(f"{url}confirm/").status_code == 404
    assert bureau_client.post(f"{url}confirm/").status_code == 403
    assert api_as(operator_a).post(f"{url}confirm/").json()["state"] == "confirmed"
    assert bureau_client.post(f"{url}approve/").json()["state"] == "approved"
    unpaid = bureau_client.post(f"{url}mark-paid/", {"payment_reference": " "}, format="json")
    assert unpaid.status_code == 422 and unpaid.json()["code"] == "reference_required"
    paid = bureau_client.post(f"{url}mark-paid/", {"payment_reference": "财付-0401"}, format="json")
    assert paid.status_code == 200
    assert (paid.json()["state"], paid.json()["payment_reference"]) == ("paid", "财付-0401")
    assert Redemption.objects.get().settlement_id == statement["id"]
    assert api_as(operator_b).get(SETTLEMENTS).json()["count"] == 0


# --- Read-only roles ---------------------------------------------------------------------------


@pytest.fixture
def records(voucher, inclusive_a, operator_a, batch, child):
    redemption = services.redeem(
        institution=inclusive_a,
        code=voucher.code,
        fee_month=MARCH,
        amount=Decimal("100.00"),
        idempotency_key="r",
        actor=operator_a,
    ).redemption
    pending = _pending_more(batch)
    return {
        "redemption": redemption.pk,
        "code": voucher.code,
        "batch": batch.pk,
        "application": pending,
        "enrolment": child.enrolments.get().pk,
        "settlement": services.settlement_prepare(institution=inclusive_a, month=MARCH).pk,
        "institution": inclusive_a.pk,
        "child": child.pk,
    }


WRITES = [
    ("post", "redemptions/", lambda r: {"voucher_code": r["code"], "fee_month": "2025-03", "amount": "1"}),
    ("post", "redemptions/{redemption}/reverse/", lambda r: {"reason": "x"}),
    ("post", "vouchers/{code}/adjust/", lambda r: {"amount": "1", "reason": "x"}),
    ("post", "voucher-batches/", lambda r: BATCH),
    ("patch", "voucher-batches/{batch}/", lambda r: {"quantity_cap": 99}),
    ("delete", "voucher-batches/{batch}/", lambda r: None),
    ("post", "voucher-applications/", lambda r: {"batch": r["batch"], "child": r["child"]}),
    ("post", "voucher-applications/{application}/approve/", lambda r: None),
    ("post", "voucher-applications/{application}/reject/", lambda r: {"reason": "x"}),
    ("post", "voucher-applications/decide/", lambda r: {"ids": [r["application"]], "approve": True}),
    ("post", "voucher-enrolments/", lambda r: {"child_id_number": "x", "voucher_code": r["code"], "start": "2025-03-01"}),
    ("post", "voucher-enrolments/{enrolment}/end/", lambda r: {"end": "2025-12-31"}),
    ("post", "settlements/", lambda r: {"institution": r["institution"], "month": "2025-03"}),
    ("post", "settlements/{settlement}/confirm/", lambda r: None),
    ("post", "settlements/{settlement}/approve/", lambda r: None),
    ("post", "settlements/{settlement}/mark-paid/", lambda r: {"payment_reference": "x"}),
]  # fmt: skip


@pytest.mark.parametrize("persona", ["auditor", "education"])
def test_auditors_and_education_never_write(api_as, records, persona, request):
    client = api_as(request.getfixturevalue(persona))
    before = (
        LedgerEntry.objects.count(),
        Settlement.objects.get().state,
        VoucherApplication.objects.filter(state="pending").count(),
        Enrolment.objects.get().end,
    )
    for method, path, body in WRITES:
        response = getattr(client, method)(
            API + path.format(**records),
            body(records),
            format="json",
            headers={"Idempotency-Key": "ro"},
        )
        assert response.status_code == 403, (method, path, response.status_code)
    after = (
        LedgerEntry.objects.count(),
        Settlement.objects.get().state,
        VoucherApplication.objects.filter(state="pending").count(),
        Enrolment.objects.get().end,
    )
    assert after == before


def test_auditors_read_everything(api_as, auditor, records):
    client = api_as(auditor)
    for path in (
        "redemptions/",
        "vouchers/",
        "voucher-batches/",
        "voucher-applications/",
        "voucher-enrolments/",
        "settlements/",
        "vouchers/{code}/ledger/",
        "settlements/{settlement}/lines/",
    ):
        assert client.get(API + path.format(**records)).status_code == 200, path


# --- Bounded queries ---------------------------------------------------------------------------

LISTS = [
    ("bureau", "redemptions/?page_size=500"),
    ("operator_a", "redemptions/?page_size=500"),
    ("bureau", "vouchers/?page_size=500"),
    ("operator_a", "vouchers/?page_size=500"),
    ("bureau", "voucher-applications/?page_size=500"),
    ("operator_a", "voucher-enrolments/?page_size=500"),
    ("bureau", "settlements/{settlement}/lines/?page_size=500"),
]
MAX_LIST_QUERIES = 5


def _fill(batch, bureau, operator, institution, start: int, stop: int) -> None:
    for n in range(start, stop):
        voucher = issue(batch, bureau, n, institution)
        services.redeem(
            institution=institution,
            code=voucher.code,
            fee_month=MARCH,
            amount=Decimal("100.00"),
            idempotency_key=f"fill-{n}",
            actor=operator,
        )


def _measure(api_as, user, url) -> tuple[int, int]:
    user.__dict__.pop("_portal_roles", None)  # as on a fresh request: roles are read once
    with CaptureQueriesContext(connection) as queries:
        response = api_as(user).get(url)
    assert response.status_code == 200, response.content
    return len(queries), response.json()["count"]


def test_list_endpoints_run_the_same_queries_for_10_and_100_rows(
    api_as, bureau, operator_a, batch, inclusive_a, django_assert_max_num_queries
):
    VoucherBatch.objects.filter(pk=batch.pk).update(quantity_cap=200)
    _fill(batch, bureau, operator_a, inclusive_a, 100, 110)
    settlement = services.settlement_prepare(institution=inclusive_a, month=MARCH)
    users = {"bureau": bureau, "operator_a": operator_a}
    urls = [(users[who], API + path.format(settlement=settlement.pk)) for who, path in LISTS]
    small = [_measure(api_as, user, url) for user, url in urls]
    _fill(batch, bureau, operator_a, inclusive_a, 110, 200)
    for (user, url), (queries, rows) in zip(urls, small, strict=True):
        user.__dict__.pop("_portal_roles", None)
        with django_assert_max_num_queries(MAX_LIST_QUERIES):
            big_queries, big_rows = _measure(api_as, user, url)
        assert (rows, big_rows) == (10, 100), url
        assert big_queries == queries, url


def test_a_guardians_ten_digit_mobile_number_is_400_and_leaves_nothing_behind(
    api_as, bureau, batch
):
    data = {**CHILD_DATA, "guardian": {**CHILD_DATA["guardian"], "phone": "1390000111"}}
    response = api_as(bureau).post(
        APPLICATIONS, {"batch": batch.pk, "child_data": data}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "phone_format"
    assert VoucherApplication.objects.count() == 0
