"""Families apply for a voucher online (no account) and follow the application by its reference
and the last six characters of the child's ID number (issue 17).

Time is frozen on 2025-03-20 in Yueqing, inside the batch's application period (Feb-Mar 2025).
"""

import datetime as dt
import re

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from tests.factories import township
from vouchers import services
from vouchers.models import Child, Guardian, VoucherApplication

from .conftest import CHILD_ID, GUARDIAN_ID, valid_id

pytestmark = pytest.mark.django_db
CST = dt.timezone(dt.timedelta(hours=8))
NEW_CHILD = valid_id("33038220240601003")  # born 2024-06-01
NEW_GUARDIAN = valid_id("33038219900101004")
FOLLOW_NO_MATCH = "申请编号或身份证号码后六位不正确"


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(dt.datetime(2025, 3, 20, 10, 0, tzinfo=CST), tick=False) as t:
        yield t


def form_data(**overrides) -> dict:
    data = {
        "child_name": "李小雨",
        "child_id_number": NEW_CHILD,
        "hukou_township": township("114").pk,
        "guardian_name": "李娟",
        "guardian_id_number": NEW_GUARDIAN,
        "guardian_phone": "13912345670",
        "consent": "on",
    }
    data.update(overrides)
    return data


def apply(client, batch, **overrides):
    url = reverse("voucher_family:apply_batch", args=[batch.pk])
    return client.post(url, form_data(**overrides))


def stored() -> tuple[int, int, int]:
    return Guardian.objects.count(), Child.objects.count(), VoucherApplication.objects.count()


def follow(client, reference, suffix):
    return client.post(
        reverse("voucher_family:follow"), {"reference": reference, "id_last6": suffix}
    )


def test_a_family_applies_online_and_gets_a_reference(client, batch):
    response = apply(client, batch)
    assert response.status_code == 200, response.content.decode()
    application = VoucherApplication.objects.get()
    assert application.source == VoucherApplication.Source.PUBLIC
    assert re.fullmatch(r"SQ[2-9A-Z]{10}", application.reference)
    assert application.consent_at is not None
    assert application.eligible
    assert application.reference in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    # Stored encrypted like every other personal number; never echoed back on the page.
    assert application.child.id_number.reveal() == NEW_CHILD
    assert NEW_CHILD not in response.content.decode()
    assert NEW_GUARDIAN not in response.content.decode()
    assert "13912345670" not in response.content.decode()


def test_the_bureau_queue_lists_online_applications_as_their_own_source(client, batch, bureau):
    apply(client, batch)
    client.force_login(bureau)
    response = client.get(reverse("vouchers:applications"), {"source": "public"})
    assert response.status_code == 200
    assert "家长网上申请" in response.content.decode()


def test_without_consent_nothing_is_stored(client, batch):
    before = stored()
    response = apply(client, batch, consent="")
    assert "请阅读并勾选同意后再提交" in response.content.decode()
    assert stored() == before


def test_a_bad_id_check_digit_and_a_landline_are_refused(client, batch):
    wrong = NEW_CHILD[:17] + ("0" if NEW_CHILD[17] != "0" else "1")
    text = apply(client, batch, child_id_number=wrong, guardian_phone="057762345678")
    assert stored() == (0, 0, 0)
    assert "身份证号码" in text.content.decode()
    assert "手机" in text.content.decode()


def test_a_child_who_holds_a_voucher_of_the_batch_is_refused_and_nothing_stored(
    client, voucher, batch, child
):
    before = stored()
    history = Child.history.count(), Guardian.history.count()
    response = apply(
        client,
        batch,
        child_id_number=child.id_number.reveal(),
        guardian_id_number=GUARDIAN_ID,
        child_name="改过的名字",
    )
    assert "该幼儿已领取本批次托育券" in response.content.decode()
    assert stored() == before
    assert (Child.history.count(), Guardian.history.count()) == history
    child.refresh_from_db()
    assert child.name.reveal() == "王小明"


def test_a_child_with_an_application_pending_is_refused_and_nothing_stored(
    client, batch, child, bureau
):
    other = services.batch_save(
        batch=type(batch)(
            name="2025年第二批",
            face_value=batch.face_value,
            quantity_cap=10,
            apply_from=batch.apply_from,
            apply_until=batch.apply_until,
            valid_from=batch.valid_from,
            valid_until=batch.valid_until,
            monthly_cap=batch.monthly_cap,
        ),
        actor=bureau,
    )
    services.application_create(batch=other, child=child, source="bureau", actor=bureau)
    before = stored()
    response = apply(
        client, batch, child_id_number=child.id_number.reveal(), guardian_id_number=GUARDIAN_ID
    )
    assert "已有一份申请正在审核" in response.content.decode()
    assert stored() == before


def test_a_child_outside_the_rules_is_refused_before_anything_is_stored(client, batch):
    response = apply(client, batch, hukou_township="", has_residence_permit="")
    assert "本批次限乐清户籍或持乐清居住证的家庭" in response.content.decode()
    assert stored() == (0, 0, 0)


def test_a_registered_child_is_linked_not_changed(client, batch, child):
    response = apply(
        client,
        batch,
        child_id_number=child.id_number.reveal(),
        child_name="别人改的名字",
        guardian_id_number=NEW_GUARDIAN,
    )
    assert response.status_code == 200
    application = VoucherApplication.objects.get()
    assert application.child == child
    child.refresh_from_db()
    assert child.name.reveal() == "王小明"
    assert "网上填写的监护人与登记的监护人不同，请核实。" in application.eligibility_notes


def test_the_precheck_answers_without_storing(client, batch):
    url = reverse("voucher_family:apply_batch", args=[batch.pk])
    fits = client.get(url, {"birth_date": "2024-06-01", "residence": "hukou"})
    assert "符合本批次的条件" in fits.content.decode()
    too_old = client.get(url, {"birth_date": "2021-01-01", "residence": "hukou"})
    assert "不在0至35个月范围内" in too_old.content.decode()
    assert stored() == (0, 0, 0)


def test_a_closed_batch_has_no_form(client, batch, clock):
    clock.move_to(dt.datetime(2025, 4, 1, 10, 0, tzinfo=CST))
    assert client.get(reverse("voucher_family:apply_batch", args=[batch.pk])).status_code == 404
    assert batch.name not in client.get(reverse("voucher_family:apply")).content.decode()


def test_following_shows_the_state_and_the_voucher_once_approved(client, batch, bureau):
    apply(client, batch)
    application = VoucherApplication.objects.get()
    pending = follow(client, application.reference, NEW_CHILD[-6:])
    assert "待审核" in pending.content.decode()
    voucher = services.application_approve(application=application, actor=bureau)
    approved = follow(client, application.reference.lower(), NEW_CHILD[-6:])
    html = approved.content.decode()
    assert "已通过" in html
    assert voucher.code[:4] in html
    assert "李小雨" not in html and "李*" not in html  # no names
    assert approved["Cache-Control"] == "no-store"


def _answer(response) -> str:
    """The page without its CSRF token and the reference typed: what differs between answers."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return re.sub(r'name="reference" value="[^"]*"', "", html)


def test_following_never_tells_whether_a_reference_exists(client, batch):
    apply(client, batch)
    reference = VoucherApplication.objects.get().reference
    wrong_suffix = "000000" if NEW_CHILD[-6:] != "000000" else "111111"
    known = follow(client, reference, wrong_suffix)
    unknown = follow(client, "SQ2345678923", wrong_suffix)
    junk = follow(client, "not-a-reference", wrong_suffix)
    assert known.status_code == unknown.status_code == junk.status_code == 200
    assert FOLLOW_NO_MATCH in known.content.decode()
    assert _answer(known) == _answer(unknown) == _answer(junk)
    assert "待审核" not in known.content.decode()


def test_following_locks_a_reference_after_five_failures(client, batch):
    apply(client, batch)
    reference = VoucherApplication.objects.get().reference
    wrong_suffix = "000000" if NEW_CHILD[-6:] != "000000" else "111111"
    for _ in range(5):
        assert follow(client, reference, wrong_suffix).status_code == 200
    locked = follow(client, reference, NEW_CHILD[-6:])
    assert locked.status_code == 429
    assert "待审核" not in locked.content.decode()


def test_following_shares_the_balance_pages_throttle_per_address(client, batch):
    balance = reverse("voucher_family:balance")
    for n in range(30):
        client.post(balance, {"code": f"AAAA-BBBB-{n:04d}", "id_last6": "123456"})
    assert follow(client, "SQ2345678923", "123456").status_code == 429


def test_sending_applications_is_throttled_per_address(client, batch):
    for _ in range(10):
        apply(client, batch, consent="")
    response = apply(client, batch)
    assert response.status_code == 429
    assert stored() == (0, 0, 0)


def test_a_malformed_suffix_gets_a_format_hint_on_the_balance_page(client):
    response = client.post(
        reverse("voucher_family:balance"), {"code": "AAAA-BBBB-CCCC", "id_last6": "12a45"}
    )
    assert "前5位是数字，最后一位是数字或X" in response.content.decode()


def test_the_family_page_speaks_plain_words(client, voucher, child, inclusive_a, operator_a):
    from decimal import Decimal

    redemption = services.redeem(
        institution=inclusive_a,
        code=voucher.code,
        fee_month=dt.date(2025, 3, 1),
        amount=Decimal("100.00"),
        idempotency_key="k",
        actor=operator_a,
    ).redemption
    services.reverse(redemption=redemption, actor=operator_a, reason="多扣了", by_bureau=False)
    response = client.post(
        reverse("voucher_family:balance"), {"code": voucher.code, "id_last6": child.id_last6}
    )
    html = response.content.decode()
    assert "更正退回" in html
    assert "冲正" not in html


def test_an_existing_childs_details_stay_unchanged_in_history(client, batch, child):
    """A stranger who knows a child's ID number cannot rewrite the family's record."""
    guardian_before = child.guardian.phone.reveal()
    apply(
        client,
        batch,
        child_id_number=child.id_number.reveal(),
        guardian_id_number=GUARDIAN_ID,
        guardian_phone="13700000000",
    )
    child.guardian.refresh_from_db()
    assert child.guardian.phone.reveal() == guardian_before


def test_the_reference_is_checked_only_with_the_suffix_typed(client, batch):
    """The child's suffix is never echoed into the follow-up form."""
    apply(client, batch)
    reference = VoucherApplication.objects.get().reference
    response = follow(client, reference, "000000")
    field = re.search(r'<input[^>]*name="id_last6"[^>]*>', response.content.decode()).group(0)
    assert "value=" not in field
    assert CHILD_ID not in response.content.decode()


def test_a_proof_is_type_sniffed_and_capped_and_the_bureau_reads_it(
    client, batch, bureau, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.inspections.factories import PDF

    settings.MEDIA_ROOT = tmp_path
    disguised = SimpleUploadedFile(
        "户口簿.pdf", b"MZ\x90\x00not a pdf", content_type="application/pdf"
    )
    refused = apply(client, batch, proof=disguised)
    assert "证明材料格式不支持" in refused.content.decode()
    assert stored() == (0, 0, 0)
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (5 * 2**20), content_type="application/pdf")
    assert "不能超过5MB" in apply(client, batch, proof=big).content.decode()
    assert stored() == (0, 0, 0)

    apply(
        client, batch, proof=SimpleUploadedFile("户口簿.pdf", PDF, content_type="application/pdf")
    )
    application = VoucherApplication.objects.get()
    assert application.proof.name.startswith("vouchers/proofs/")
    assert application.proof.name.endswith(".pdf") and "户口簿" not in application.proof.name
    url = reverse("vouchers:application_proof", args=[application.pk])
    assert client.get(url).status_code == 302  # the public: to the sign-in page
    client.force_login(bureau)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        url
        in client.get(
            reverse("vouchers:application_detail", args=[application.pk])
        ).content.decode()
    )
