"""The rating pages: the operator's application and self-assessment, the review on a phone form,
the bureau's decision, and who may open what."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from institutions.models import StarRating
from ratings.models import RatingApplication
from tests.inspections.factories import pdf_upload

from .factories import criteria_set

pytestmark = pytest.mark.django_db
State = RatingApplication.State


def _post_rows(application, scores, field="score"):
    data = {}
    for row, score in zip(application.scores.order_by("criterion__order"), scores, strict=True):
        data[f"{field}-{row.criterion_id}"] = str(score)
        data[f"note-{row.criterion_id}"] = "说明"
    return data


def test_the_whole_flow_through_the_pages(
    client_as, institution_a, operator_a, inspector, bureau, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    cs = criteria_set()
    operator = client_as(operator_a)
    response = operator.post(
        reverse("ratings:application_new"),
        {"institution": institution_a.pk, "criteria_set": cs.pk, "stars_applied": 4},
    )
    application = RatingApplication.objects.get()
    assert response.url == reverse("ratings:self_assessment", args=[application.pk])
    page = operator.get(response.url)
    assert page.status_code == 200 and "场地" in page.content.decode()
    first = application.scores.order_by("criterion__order").first()
    response = operator.post(
        response.url,
        {
            **_post_rows(application, (38, 28, 27)),
            f"file-{first.criterion_id}": pdf_upload(),
            "action": "submit",
        },
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == State.SUBMITTED
    assert application.evidence.get().criterion_id == first.criterion_id

    reviewer = client_as(inspector)
    review_url = reverse("ratings:review", args=[application.pk])
    page = reviewer.get(review_url)
    assert page.status_code == 200 and "佐证材料1" in page.content.decode()
    evidence = application.evidence.get()
    assert reviewer.get(reverse("ratings:evidence_file", args=[evidence.pk])).status_code == 200
    reviewer.post(review_url, {**_post_rows(application, (35, 25, 25)), "action": "save"})
    page = reviewer.get(review_url).content.decode()
    assert "85" in page and "达到4星" in page
    response = reviewer.post(
        review_url,
        {**_post_rows(application, (35, 25, 25)), "action": "complete", "review_note": "核实"},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == State.REVIEWED

    expires = timezone.localdate() + dt.timedelta(days=1000)
    response = client_as(bureau).post(
        reverse("ratings:decide", args=[application.pk]),
        {"decision": "approve", "stars": 4, "expires_on": expires.isoformat()},
    )
    assert response.status_code == 302
    rating = StarRating.objects.get(institution=institution_a)
    assert (rating.stars, rating.effective_from, rating.expires_on) == (
        4,
        timezone.localdate(),
        expires,
    )
    detail = operator.get(reverse("ratings:application_detail", args=[application.pk]))
    assert f"{timezone.localdate():%Y-%m-%d}评定" in detail.content.decode()


def test_a_score_above_the_maximum_is_refused_with_the_item(client_as, institution_a, operator_a):
    from ratings import services

    application = services.application_create(
        institution=institution_a, criteria_set=criteria_set(), stars_applied=3, actor=operator_a
    )
    response = client_as(operator_a).post(
        reverse("ratings:self_assessment", args=[application.pk]),
        {**_post_rows(application, (41, 1, 1)), "action": "save"},
    )
    assert response.status_code == 400
    assert "0到40" in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("operator_a", 200),
        ("operator_b", 404),
        ("inspector", 200),
        ("bureau", 200),
        ("auditor", 200),
        ("family", 404),
    ],
)
def test_who_sees_an_application(request, client_as, institution_a, operator_a, persona, status):
    from ratings import services

    application = services.application_create(
        institution=institution_a, criteria_set=criteria_set(), stars_applied=3, actor=operator_a
    )
    user = request.getfixturevalue(persona)
    url = reverse("ratings:application_detail", args=[application.pk])
    assert client_as(user).get(url).status_code == status


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("operator_a", 403),
        ("inspector", 200),
        ("bureau", 200),
        ("auditor", 403),
        ("education", 403),
    ],
)
def test_who_reviews(request, client_as, institution_a, operator_a, persona, status):
    from ratings import services

    from .factories import answers

    application = services.application_create(
        institution=institution_a, criteria_set=criteria_set(), stars_applied=3, actor=operator_a
    )
    services.application_save_self(
        application=application, answers=answers(application, (30, 20, 20)), actor=operator_a
    )
    services.application_submit(application=application, actor=operator_a)
    user = request.getfixturevalue(persona)
    assert (
        client_as(user).get(reverse("ratings:review", args=[application.pk])).status_code == status
    )


def test_only_operators_apply(client_as, inspector, family, operator_a):
    url = reverse("ratings:application_new")
    assert client_as(inspector).get(url).status_code == 403
    assert client_as(family).get(url).status_code == 403
    assert client_as(operator_a).get(url).status_code == 200


def test_list_is_scoped(
    client_as, institution_a, institution_b, operator_a, operator_b, bureau, family
):
    from ratings import services

    for institution, operator in ((institution_a, operator_a), (institution_b, operator_b)):
        services.application_create(
            institution=institution, criteria_set=criteria_set(), stars_applied=3, actor=operator
        )
    url = reverse("ratings:application_list")
    page = client_as(operator_a).get(url).content.decode()
    assert "甲托育中心" in page and "乙托育中心" not in page
    page = client_as(bureau).get(url).content.decode()
    assert "甲托育中心" in page and "乙托育中心" in page
    assert client_as(family).get(url).status_code == 403


def test_the_self_assessment_page_in_english(client_as, institution_a, operator_a, settings):
    from ratings import services

    application = services.application_create(
        institution=institution_a, criteria_set=criteria_set(), stars_applied=3, actor=operator_a
    )
    client = client_as(operator_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("ratings:self_assessment", args=[application.pk])).content.decode()
    assert "Submit for review" in html and "Self-assessment score" in html
    assert "提交评审" not in html


def test_the_institution_page_lists_each_rating_with_its_expiry(client_as, institution_a, bureau):
    from institutions.models import StarRating

    StarRating.objects.create(
        institution=institution_a,
        effective_from=dt.date(2024, 6, 1),
        stars=3,
        expires_on=dt.date(2027, 5, 31),
    )
    url = reverse("institutions:institution_detail", args=[institution_a.pk])
    html = client_as(bureau).get(url).content.decode()
    assert "2027-05-31" in html
