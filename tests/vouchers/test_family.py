"""Families check a voucher without logging in: the public API endpoint and the page.

Time is frozen on 2025-03-20 10:00 in Yueqing before the voucher is issued, so "this month"
is March 2025 and the history's dates are known.
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from portal.validators import resident_id_check_char
from tests.factories import InstitutionFactory
from vouchers import codes, family, services
from vouchers.models import VoucherBatch

from .conftest import MARCH

pytestmark = pytest.mark.django_db
CST = dt.timezone(dt.timedelta(hours=8))
API_URL = "/api/v1/public/voucher-balance/"


@pytest.fixture(autouse=True)
def _urls_and_cache(settings):
    # The page's route until lequing_tuoyu/urls.py includes vouchers.family_urls.
    settings.ROOT_URLCONF = "tests.vouchers.urls_family"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clock():
    with time_machine.travel(dt.datetime(2025, 3, 20, 10, 0, tzinfo=CST), tick=False) as traveller:
        yield traveller


@pytest.fixture
def used(clock, voucher, inclusive_a, operator_a):
    """The voucher after 300 yuan were redeemed for March at institution A."""
    services.redeem(
        institution=inclusive_a,
        code=voucher.code,
        fee_month=MARCH,
        amount=Decimal("300.00"),
        idempotency_key="march",
        actor=operator_a,
    )
    voucher.refresh_from_db()
    return voucher


def ask(client, code, suffix, **extra):
    return client.post(API_URL, {"code": code, "id_last6": suffix}, format="json", **extra)


def page_url() -> str:
    return reverse("voucher_family:balance")


def page_post(client, code, suffix, **extra):
    return client.post(page_url(), {"code": code, "id_last6": suffix}, **extra)


def alert(response) -> str:
    match = re.search(r'<p class="notice notice--alert[^"]*" role="alert">(.*?)</p>', response.text)
    return match.group(1) if match else ""


# --- The API -----------------------------------------------------------------------------------


def test_the_right_code_and_suffix_answer_the_figures(api_client, used, child):
    response = ask(api_client, codes.display(used.code).lower(), child.id_last6)
    assert response.status_code == 200
    assert response.json() == {
        "status": "active",
        "balance": "2700.00",
        "valid_until": "2026-02-28",
        "month_remaining": "200.00",
        "history": [
            {"date": "2025-03-20", "institution": "甲托育中心", "amount": "-300.00", "kind": "redemption"},
            {"date": "2025-03-20", "institution": None, "amount": "3000.00", "kind": "issue"},
        ],
    }  # fmt: skip
    assert response["Cache-Control"] == "no-store"


def test_the_answer_holds_nothing_personal(api_client, used, child):
    text = ask(api_client, used.code, child.id_last6).content.decode()
    guardian = child.guardian
    for secret in (
        child.name.reveal(),
        child.name.masked,
        guardian.name.reveal(),
        guardian.phone.reveal(),
        guardian.phone.masked,
        child.id_number.reveal(),
        child.id_number.masked,
        guardian.id_number.masked,
        "王",
    ):
        assert secret not in text


def test_month_remaining_never_exceeds_the_balance(api_client, clock, voucher, child, bureau):
    services.adjust(voucher=voucher, amount=Decimal("-2900.00"), reason="测试", actor=bureau)
    body = ask(api_client, voucher.code, child.id_last6).json()
    assert (body["balance"], body["month_remaining"]) == ("100.00", "100.00")


def test_every_mismatch_answers_the_same_404(api_client, voucher, child):
    wrong_suffix = "000000" if child.id_last6 != "000000" else "111111"
    answers = [
        ask(api_client, codes.new_code(), child.id_last6),  # unknown code
        ask(api_client, voucher.code, wrong_suffix),  # wrong suffix
        ask(api_client, "ABC-123", child.id_last6),  # malformed code
        ask(api_client, voucher.code[:-1] + ("2" if voucher.code[-1] != "2" else "3"), "x"),
    ]
    assert {response.status_code for response in answers} == {404}
    bodies = {response.content for response in answers}
    assert len(bodies) == 1
    assert answers[0].json() == {"code": "not_found", "detail": str(family.NO_MATCH_MESSAGE)}


def test_missing_fields_are_400(api_client, voucher):
    response = api_client.post(API_URL, {"code": voucher.code}, format="json")
    assert response.status_code == 400
    assert "id_last6" in response.json()["errors"]


def test_five_failures_lock_the_code_for_an_hour(api_client, clock, voucher, child):
    for _ in range(family.MAX_FAILURES):
        assert ask(api_client, voucher.code, "000000").status_code == 404
    locked = ask(api_client, voucher.code, child.id_last6)
    assert locked.status_code == 429
    assert locked.json()["code"] == "throttled"
    assert 3500 <= int(locked["Retry-After"]) <= 3600
    # The lock is per code, whatever form the code is typed in.
    assert ask(api_client, codes.display(voucher.code).lower(), child.id_last6).status_code == 429
    clock.shift(dt.timedelta(minutes=59))
    assert ask(api_client, voucher.code, child.id_last6).status_code == 429
    clock.shift(dt.timedelta(minutes=2))
    assert ask(api_client, voucher.code, child.id_last6).status_code == 200


def test_failures_for_unknown_codes_lock_them_too(api_client, clock):
    code = codes.new_code()
    for _ in range(family.MAX_FAILURES):
        assert ask(api_client, code, "123456").status_code == 404
    assert ask(api_client, code, "123456").status_code == 429


def test_each_address_has_thirty_tries_an_hour(api_client, clock, voucher, child):
    for _ in range(30):
        assert ask(api_client, voucher.code, child.id_last6).status_code == 200
    refused = ask(api_client, voucher.code, child.id_last6)
    assert refused.status_code == 429 and refused.json()["code"] == "throttled"
    # A forged X-Forwarded-For does not make a new address (no proxy is declared) ...
    forged = ask(api_client, voucher.code, child.id_last6, HTTP_X_FORWARDED_FOR="10.9.8.7")
    assert forged.status_code == 429
    # ... while another address may still try, and the page shares the address's bucket.
    other = ask(api_client, voucher.code, child.id_last6, REMOTE_ADDR="10.0.0.2")
    assert other.status_code == 200
    assert page_post(Client(), voucher.code, child.id_last6).status_code == 429
    clock.shift(dt.timedelta(hours=1, seconds=1))
    assert ask(api_client, voucher.code, child.id_last6).status_code == 200


def test_a_suffix_ending_in_x_may_be_typed_in_lower_case(api_client, clock, batch, bureau):
    first17 = next(
        f"3303822024031{n:04d}"
        for n in range(1000)
        if resident_id_check_char(f"3303822024031{n:04d}") == "X"
    )
    guardian = services.guardian_get_or_create(
        name="陈静", phone="13700001111", id_number="11010519491231002X"
    )
    child = services.child_register(
        guardian=guardian, name="陈小乐", id_number=first17 + "X", has_residence_permit=True
    )
    application = services.application_create(
        batch=batch, child=child, source="bureau", applied_on=dt.date(2025, 3, 20)
    )
    voucher = services.application_approve(application=application, actor=bureau)
    response = ask(api_client, voucher.code, child.id_last6.lower())
    assert response.status_code == 200


# --- The page ----------------------------------------------------------------------------------


def test_the_page_shows_a_form_without_inline_script(client):
    response = client.get(page_url())
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.text
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<form method="post"' in html
    inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert inline_scripts == [] and " onclick=" not in html and " style=" not in html
    for name in ("code", "id_last6"):
        field = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
        assert 'autocomplete="off"' in field
        assert f'<label for="id_{name}">' in html
    assert 'inputmode="text"' in html
    assert "托育券余额查询" in html


def test_the_page_shows_the_same_figures_and_the_institutions(client, used, child, inclusive_a):
    closed = InstitutionFactory(name="已停办托育园", closed_on=dt.date(2025, 1, 1))
    unfiled = InstitutionFactory(name="未备案托育园", filed_on=None)
    not_inclusive = InstitutionFactory(name="非普惠托育园")
    response = page_post(client, codes.display(used.code), child.id_last6)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.text
    assert not alert(response)
    assert "2700.00" in html  # balance (zh-hans: no thousands separator)
    assert "200.00" in html and "本月（3月）还可抵扣" in html  # left for this month
    assert "2026-02-28" in html  # valid until
    assert "-300.00" in html and "+3000.00" in html and "抵扣" in html and "发放" in html
    assert "2025年3月托育费" in html  # the fee month the redemption paid
    assert html.count(inclusive_a.name) == 2  # in the history and among the institutions
    assert inclusive_a.address in html and inclusive_a.township.name in html
    for other in (closed, unfiled, not_inclusive):
        assert other.name not in html
    for secret in (child.name.reveal(), child.name.masked, child.id_number.masked, "13812345678"):
        assert secret not in html
    # The ID suffix is not written back into the form.
    assert child.id_last6 not in html

    VoucherBatch.objects.filter(pk=used.batch_id).update(inclusive_only=False)
    html = page_post(client, used.code, child.id_last6).text
    assert not_inclusive.name in html and closed.name not in html and unfiled.name not in html


def test_the_page_gives_one_message_for_every_mismatch(client, voucher, child):
    wrong_suffix = "000000" if child.id_last6 != "000000" else "111111"
    responses = [
        page_post(client, codes.new_code(), child.id_last6),
        page_post(client, voucher.code, wrong_suffix),
        page_post(client, "ABC-123", child.id_last6),
    ]
    messages = {alert(response) for response in responses}
    assert messages == {str(family.NO_MATCH_MESSAGE)}
    assert {response.status_code for response in responses} == {200}
    for response in responses:
        assert "当前余额" not in response.text
    # The code stays in the form; the ID suffix typed is not written back.
    assert f'value="{voucher.code}"' in responses[1].text
    assert f'value="{wrong_suffix}"' not in responses[1].text


def test_the_page_and_the_api_count_failures_together(client, api_client, clock, voucher, child):
    for _ in range(3):
        page_post(client, voucher.code, "000000")
    for _ in range(2):
        ask(api_client, voucher.code, "000000")
    locked = page_post(client, voucher.code, child.id_last6)
    assert locked.status_code == 429
    assert alert(locked) == str(family.THROTTLED_MESSAGE)
    assert "当前余额" not in locked.text
    assert child.id_last6 not in locked.text
    assert ask(api_client, voucher.code, child.id_last6).status_code == 429
    clock.shift(dt.timedelta(hours=1, seconds=1))
    assert page_post(client, voucher.code, child.id_last6).status_code == 200


def test_the_page_needs_the_csrf_token(voucher, child):
    client = Client(enforce_csrf_checks=True)
    assert page_post(client, voucher.code, child.id_last6).status_code == 403
    form = client.get(page_url())
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    response = client.post(
        page_url(),
        {"code": voucher.code, "id_last6": child.id_last6, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 200 and "当前余额" in response.text


def test_the_page_runs_the_same_queries_for_few_and_many_institutions(
    client, used, child, bureau, django_assert_max_num_queries
):
    from tests.factories import InclusiveRecognitionFactory

    def add(count):
        for _ in range(count):
            InclusiveRecognitionFactory(institution=InstitutionFactory())
        for _ in range(count):
            services.adjust(voucher=used, amount=Decimal("1.00"), reason="测试", actor=bureau)

    def measure() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert page_post(client, used.code, child.id_last6).status_code == 200
        return len(queries)

    add(3)
    few = measure()
    add(40)
    with django_assert_max_num_queries(few):
        many = measure()
    assert many == few


def test_an_incomplete_form_shows_its_errors_but_not_the_suffix(client, voucher):
    response = page_post(client, "", "123456")
    assert response.status_code == 200
    assert 'class="field-errors"' in response.text
    assert "123456" not in response.text


def test_the_notices_link_fills_in_the_code_only(client, voucher, child):
    response = client.get(page_url(), {"code": voucher.code.lower(), "id_last6": child.id_last6})
    assert response.status_code == 200
    assert f'value="{codes.display(voucher.code)}"' in response.text
    suffix_field = re.search(r'<input[^>]*name="id_last6"[^>]*>', response.text).group(0)
    assert "value=" not in suffix_field
