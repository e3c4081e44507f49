"""Concerns (投诉/反映) from the public about an institution: the form, following one by reference
and mobile number, the bureau's queue with its states, and the links to what they led to."""

import re

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse

from inspections import services
from inspections.models import Concern
from tests.factories import InstitutionFactory

from .factories import make_inspection

pytestmark = pytest.mark.django_db
PHONE = "13912340001"
NO_MATCH = "编号或手机号码不正确"


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def send(client, institution, **overrides):
    data = {
        "kind": "complaint",
        "text": "午睡时无人看护。",
        "contact_name": "",
        "contact_phone": "",
    }
    data.update(overrides)
    return client.post(reverse("inspections:concern_new", args=[institution.pk]), data)


def follow(client, reference, phone):
    return client.post(
        reverse("inspections:concern_follow"), {"reference": reference, "contact_phone": phone}
    )


def test_the_public_sends_a_concern_with_a_contact_and_reads_the_answer(
    client, institution_a, bureau
):
    response = send(client, institution_a, contact_name="张女士", contact_phone=PHONE)
    assert response.status_code == 200
    concern = Concern.objects.get()
    assert re.fullmatch(r"FY[2-9A-Z]{10}", concern.reference)
    assert concern.reference in response.content.decode()
    assert concern.contact_phone.reveal() == PHONE
    assert PHONE not in response.content.decode()
    assert concern.state == Concern.State.RECEIVED

    services.concern_handle(concern=concern, actor=bureau, state=Concern.State.IN_HAND)
    html = follow(client, concern.reference, PHONE).content.decode()
    assert "处理中" in html
    services.concern_handle(
        concern=concern, actor=bureau, state=Concern.State.ANSWERED, answer="已约谈机构并复查。"
    )
    html = follow(client, concern.reference.lower(), "139 1234 0001").content.decode()
    assert "已答复" in html
    assert "已约谈机构并复查。" in html
    assert "张女士" not in html and "午睡时无人看护" not in html


def test_an_anonymous_concern_is_received_but_cannot_be_followed(client, institution_a):
    response = send(client, institution_a)
    assert "匿名反映" in response.content.decode()
    concern = Concern.objects.get()
    assert concern.contact_phone in ("", None)
    assert NO_MATCH in follow(client, concern.reference, "13900000000").content.decode()


def _answer(response) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return re.sub(
        r'name="reference" [^>]*value="[^"]*"|value="[^"]*" [^>]*name="reference"', "", html
    )


def test_following_never_tells_whether_a_reference_exists(client, institution_a):
    send(client, institution_a, contact_phone=PHONE)
    reference = Concern.objects.get().reference
    known = follow(client, reference, "13900000000")
    unknown = follow(client, "FY2345678923", "13900000000")
    assert known.status_code == unknown.status_code == 200
    assert NO_MATCH in known.content.decode()
    assert re.sub(r"FY[0-9A-Z]+", "", _answer(known)) == re.sub(
        r"FY[0-9A-Z]+", "", _answer(unknown)
    )


def test_following_locks_a_reference_after_five_failures(client, institution_a):
    send(client, institution_a, contact_phone=PHONE)
    reference = Concern.objects.get().reference
    for _ in range(5):
        follow(client, reference, "13900000000")
    locked = follow(client, reference, PHONE)
    assert locked.status_code == 429
    assert "已收到" not in locked.content.decode()


def test_sending_concerns_is_throttled_per_address(client, institution_a):
    for _ in range(10):
        assert send(client, institution_a).status_code == 200
    assert send(client, institution_a).status_code == 429
    assert Concern.objects.count() == 10


def test_an_unlisted_institution_takes_no_concern(client):
    unfiled = InstitutionFactory(filed_on=None)
    assert send(client, unfiled).status_code == 404


def test_a_concern_needs_words_and_a_mobile_if_any(client, institution_a):
    send(client, institution_a, text="   ")
    send(client, institution_a, contact_phone="057762345678")
    assert Concern.objects.count() == 0


def test_states_move_forward_and_an_answer_comes_first(institution_a, bureau):
    concern = services.concern_submit(institution=institution_a, kind="report", text="门口积水")
    with pytest.raises(ValidationError, match="请先填写答复"):
        services.concern_handle(concern=concern, actor=bureau, state=Concern.State.ANSWERED)
    services.concern_handle(concern=concern, actor=bureau, state=Concern.State.IN_HAND)
    with pytest.raises(ValidationError, match="不能倒退"):
        services.concern_handle(concern=concern, actor=bureau, state=Concern.State.RECEIVED)
    services.concern_handle(
        concern=concern, actor=bureau, state=Concern.State.CLOSED, answer="已处理。"
    )
    concern.refresh_from_db()
    assert concern.state == Concern.State.CLOSED and concern.answered_at is not None
    assert concern.history.count() == 3


def test_only_bureau_staff_handle_concerns(institution_a, inspector, auditor, operator_a):
    concern = services.concern_submit(institution=institution_a, kind="report", text="门口积水")
    for user in (inspector, auditor, operator_a):
        with pytest.raises(ValidationError):
            services.concern_handle(concern=concern, actor=user, state=Concern.State.IN_HAND)


def test_an_answer_with_a_mobile_number_is_refused(institution_a, bureau):
    concern = services.concern_submit(institution=institution_a, kind="report", text="门口积水")
    with pytest.raises(ValidationError, match="手机号码"):
        services.concern_handle(
            concern=concern, actor=bureau, state=Concern.State.ANSWERED, answer="请致电13912345678"
        )


def test_a_concern_links_to_the_inspection_it_led_to(
    institution_a, institution_b, bureau, inspector
):
    concern = services.concern_submit(institution=institution_a, kind="complaint", text="超额招收")
    theirs = make_inspection(institution=institution_a, inspectors=[inspector, bureau])
    other = make_inspection(institution=institution_b, inspectors=[inspector, bureau])
    with pytest.raises(ValidationError, match="不是该机构的检查"):
        services.concern_handle(
            concern=concern, actor=bureau, state=Concern.State.IN_HAND, inspection=other
        )
    services.concern_handle(
        concern=concern, actor=bureau, state=Concern.State.IN_HAND, inspection=theirs
    )
    assert theirs.concerns.get() == concern


def test_the_bureau_answers_in_the_admin(client, institution_a, bureau):
    concern = services.concern_submit(
        institution=institution_a, kind="complaint", text="超额招收", contact_phone=PHONE
    )
    client.force_login(bureau)
    url = reverse("admin:inspections_concern_change", args=[concern.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert PHONE not in page.content.decode()  # masked
    response = client.post(
        url, {"state": "answered", "answer": "已核实并责令整改。", "inspection": "", "finding": ""}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    concern.refresh_from_db()
    assert concern.state == "answered"
    assert concern.handled_by == bureau


def test_the_public_list_links_each_institution_to_its_concern_form(client, institution_a):
    html = client.get(reverse("institutions:public_list")).content.decode()
    assert reverse("inspections:concern_new", args=[institution_a.pk]) in html


def test_an_attachment_is_type_sniffed_and_capped_and_the_bureau_reads_it(
    client, institution_a, bureau, operator_a, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .factories import png_upload

    settings.MEDIA_ROOT = tmp_path
    fake = SimpleUploadedFile("photo.png", b"<html>not an image</html>", content_type="image/png")
    assert "附件格式不支持" in send(client, institution_a, attachment=fake).content.decode()
    assert Concern.objects.count() == 0
    send(client, institution_a, attachment=png_upload("我的照片.png"))
    concern = Concern.objects.get()
    assert concern.attachment.name.endswith(".png") and "我的照片" not in concern.attachment.name
    url = reverse("admin:inspections_concern_attachment", args=[concern.pk])
    client.force_login(operator_a)
    assert client.get(url).status_code in (302, 403)
    client.force_login(bureau)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    change = client.get(reverse("admin:inspections_concern_change", args=[concern.pk]))
    assert url in change.content.decode()


def test_the_bureaus_day_counts_concerns_waiting_for_an_answer(client, institution_a, bureau):
    waiting = services.concern_submit(institution=institution_a, kind="report", text="门口积水")
    done = services.concern_submit(institution=institution_a, kind="report", text="噪音")
    services.concern_handle(
        concern=done, actor=bureau, state=Concern.State.CLOSED, answer="已处理。"
    )
    client.force_login(bureau)
    html = client.get(reverse("admin:index")).content.decode()
    card = html[html.index('id="day-work-concerns"') :]
    assert '<span class="day-work__count">1</span>' in card[:400]
    url = re.search(r'href="([^"]*inspections/concern/[^"]*)"', card).group(1).replace("&amp;", "&")
    listing = client.get(url).content.decode()
    assert waiting.reference in listing and done.reference not in listing
