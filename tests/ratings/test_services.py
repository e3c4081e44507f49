"""Star rating: criteria sets, the operator's application, the review and the bureau's decision,
which writes the registry's dated star rating with an expiry date."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from institutions.models import StarRating
from institutions.selectors import institutions_as_of
from ratings import services
from ratings.models import RatingApplication, StarThreshold
from tests.inspections.factories import pdf_upload, png_upload

from .factories import answers, criteria_set

pytestmark = pytest.mark.django_db
State = RatingApplication.State


def _submitted(institution, operator, scores=(40, 30, 30), stars=4):
    application = services.application_create(
        institution=institution, criteria_set=criteria_set(), stars_applied=stars, actor=operator
    )
    services.application_save_self(
        application=application, answers=answers(application, scores), actor=operator
    )
    return services.application_submit(application=application, actor=operator)


def _reviewed(institution, operator, reviewer, scores=(35, 25, 25)):
    application = _submitted(institution, operator)
    return services.review_save(
        application=application,
        answers=answers(application, scores),
        actor=reviewer,
        complete=True,
    )


def test_no_migration_loads_criteria():
    from ratings.models import CriteriaSet

    assert not CriteriaSet.objects.exists()


@pytest.mark.parametrize(
    ("total", "stars"),
    [
        (Decimal("49.9"), None),
        (Decimal(50), 1),
        (Decimal("79.9"), 3),
        (Decimal(80), 4),
        (Decimal(100), 5),
    ],
)
def test_the_star_level_a_total_reaches(total, stars):
    assert criteria_set().stars_for(total) == stars


def test_one_threshold_per_level():
    cs = criteria_set()
    with pytest.raises(IntegrityError), transaction.atomic():
        StarThreshold.objects.create(criteria_set=cs, stars=3, min_score=1)


def test_operator_drafts_and_submits(institution_a, operator_a):
    application = services.application_create(
        institution=institution_a, criteria_set=criteria_set(), stars_applied=4, actor=operator_a
    )
    assert application.scores.count() == 3
    services.application_save_self(
        application=application,
        answers=answers(application, (40, 30, 30)),
        actor=operator_a,
    )
    assert services.total(application.scores.all(), "self_score") == Decimal(100)
    services.application_submit(application=application, actor=operator_a)
    application.refresh_from_db()
    assert application.state == State.SUBMITTED and application.submitted_at
    with pytest.raises(ValidationError):  # locked once submitted
        services.application_save_self(
            application=application, answers=answers(application, (1, 1, 1)), actor=operator_a
        )


def test_submit_needs_every_self_score(institution_a, operator_a):
    application = services.application_create(
        institution=institution_a, criteria_set=criteria_set(), stars_applied=3, actor=operator_a
    )
    first = application.scores.order_by("criterion__order").first()
    services.application_save_self(
        application=application, answers={first.criterion_id: {"score": "30"}}, actor=operator_a
    )
    with pytest.raises(ValidationError) as error:
        services.application_submit(application=application, actor=operator_a)
    assert error.value.code == "incomplete"


@pytest.mark.parametrize(
    ("raw", "ok"),
    [
        ("40", True),
        ("40.1", False),
        ("-0.1", False),
        ("0", True),
        ("12.5", True),
        ("1.25", False),
        ("abc", False),
        ("NaN", False),
    ],
)
def test_score_bounds(institution_a, operator_a, raw, ok):
    application = services.application_create(
        institution=institution_a, criteria_set=criteria_set(), stars_applied=3, actor=operator_a
    )
    first = application.scores.order_by("criterion__order").first()  # max 40
    call = lambda: services.application_save_self(  # noqa: E731
        application=application, answers={first.criterion_id: {"score": raw}}, actor=operator_a
    )
    if ok:
        call()
    else:
        with pytest.raises(ValidationError):
            call()


def test_only_the_institutions_operator_applies(institution_a, operator_b, inspector, bureau):
    for actor in (operator_b, inspector, bureau):
        with pytest.raises(services.NotAllowed):
            services.application_create(
                institution=institution_a,
                criteria_set=criteria_set(),
                stars_applied=3,
                actor=actor,
            )


def test_one_open_application_at_a_time(institution_a, operator_a):
    _submitted(institution_a, operator_a)
    with pytest.raises(ValidationError) as error:
        services.application_create(
            institution=institution_a,
            criteria_set=criteria_set(),
            stars_applied=3,
            actor=operator_a,
        )
    assert error.value.code == "open_application"


def test_evidence_uses_the_upload_rules(institution_a, operator_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.uploadedfile import SimpleUploadedFile

    application = services.application_create(
        institution=institution_a, criteria_set=criteria_set(), stars_applied=3, actor=operator_a
    )
    kept = services.evidence_add(
        application=application, file=pdf_upload("张三.pdf"), actor=operator_a
    )
    assert "张三" not in kept.file.name and kept.file.name.endswith(".pdf")
    services.evidence_add(application=application, file=png_upload(), actor=operator_a)
    fake = SimpleUploadedFile("x.pdf", b"<html>", content_type="application/pdf")
    with pytest.raises(ValidationError):
        services.evidence_add(application=application, file=fake, actor=operator_a)
    assert application.evidence.count() == 2


def test_inspector_reviews_and_the_total_reaches_a_level(institution_a, operator_a, inspector):
    application = _submitted(institution_a, operator_a)
    services.review_save(
        application=application, answers=answers(application, (35, 25, 25)), actor=inspector
    )
    application.refresh_from_db()
    assert application.state == State.SUBMITTED  # a draft of the review
    assert services.reached_stars(application) == 4  # 85
    application = services.review_save(
        application=application, answers={}, actor=inspector, complete=True, note="现场核实"
    )
    assert application.state == State.REVIEWED
    assert application.review_total == Decimal(85) and application.reviewed_by == inspector


def test_review_needs_every_score(institution_a, operator_a, inspector):
    application = _submitted(institution_a, operator_a)
    with pytest.raises(ValidationError):
        services.review_save(application=application, answers={}, actor=inspector, complete=True)


def test_operator_cannot_review_own_institution(institution_a, operator_a, operator_b):
    application = _submitted(institution_a, operator_a)
    for actor in (operator_a, operator_b):
        with pytest.raises(services.NotAllowed):
            services.review_save(application=application, answers={}, actor=actor)


def test_returned_application_is_edited_and_submitted_again(institution_a, operator_a, inspector):
    application = _submitted(institution_a, operator_a)
    with pytest.raises(ValidationError):
        services.application_return(application=application, note=" ", actor=inspector)
    services.application_return(application=application, note="补充消防验收材料", actor=inspector)
    application.refresh_from_db()
    assert application.state == State.RETURNED
    services.application_save_self(
        application=application, answers=answers(application, (39, 30, 30)), actor=operator_a
    )
    services.application_submit(application=application, actor=operator_a)
    application.refresh_from_db()
    assert application.state == State.SUBMITTED


def test_bureau_approves_and_the_registry_has_the_dated_rating(
    institution_a, operator_a, inspector, bureau
):
    application = _reviewed(institution_a, operator_a, inspector)
    today = timezone.localdate()
    expires = today + dt.timedelta(days=3 * 365)
    with pytest.raises(services.NotAllowed):
        services.application_decide(
            application=application, approve=True, stars=4, expires_on=expires, actor=inspector
        )
    with pytest.raises(ValidationError):  # above the level applied for
        services.application_decide(
            application=application, approve=True, stars=5, expires_on=expires, actor=bureau
        )
    with pytest.raises(ValidationError):  # an expiry not after today
        services.application_decide(
            application=application, approve=True, stars=4, expires_on=today, actor=bureau
        )
    application = services.application_decide(
        application=application, approve=True, stars=4, expires_on=expires, actor=bureau
    )
    assert application.state == State.APPROVED and application.decided_on == today
    rating = StarRating.objects.get(institution=institution_a)
    assert (rating.stars, rating.effective_from, rating.expires_on) == (4, today, expires)
    assert rating.history.first().history_user == bureau  # written through the registry
    assert application.star_rating == rating
    row = institutions_as_of(today).get(pk=institution_a.pk)
    assert (row.stars, row.stars_from, row.stars_until) == (4, today, expires)


def test_refusal_writes_nothing(institution_a, operator_a, inspector, bureau):
    application = _reviewed(institution_a, operator_a, inspector)
    application = services.application_decide(
        application=application, approve=False, actor=bureau, note="不符合"
    )
    assert application.state == State.REFUSED
    assert not StarRating.objects.exists()


def test_an_approval_keeps_the_earlier_rating_in_history(
    institution_a, operator_a, inspector, bureau
):
    StarRating.objects.create(
        institution=institution_a, effective_from=dt.date(2020, 1, 1), stars=2
    )
    application = _reviewed(institution_a, operator_a, inspector)
    services.application_decide(
        application=application,
        approve=True,
        stars=3,
        expires_on=timezone.localdate() + dt.timedelta(days=30),
        actor=bureau,
    )
    assert list(
        StarRating.objects.filter(institution=institution_a)
        .order_by("effective_from")
        .values_list("stars", flat=True)
    ) == [2, 3]
    assert institutions_as_of(dt.date(2021, 1, 1)).get(pk=institution_a.pk).stars == 2


def test_decision_needs_a_reviewed_application(institution_a, operator_a, bureau):
    application = _submitted(institution_a, operator_a)
    with pytest.raises(ValidationError):
        services.application_decide(
            application=application,
            approve=True,
            stars=3,
            expires_on=timezone.localdate() + dt.timedelta(days=30),
            actor=bureau,
        )


def test_database_refuses_an_approval_without_a_level(institution_a, operator_a):
    application = _submitted(institution_a, operator_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        RatingApplication.objects.filter(pk=application.pk).update(state="approved")


# --- Expiry in the as-of selector ---------------------------------------------------------------


def test_an_expired_rating_reads_as_none_on_both_sides_of_the_day(institution_a):
    StarRating.objects.create(
        institution=institution_a, effective_from=dt.date(2020, 1, 1), stars=5
    )
    StarRating.objects.create(
        institution=institution_a,
        effective_from=dt.date(2024, 6, 1),
        stars=3,
        expires_on=dt.date(2026, 5, 31),
    )

    def stars(day):
        return institutions_as_of(day).get(pk=institution_a.pk).stars

    assert stars(dt.date(2024, 5, 31)) == 5
    assert stars(dt.date(2024, 6, 1)) == 3
    assert stars(dt.date(2026, 5, 31)) == 3  # the expiry day itself still holds
    assert stars(dt.date(2026, 6, 1)) is None  # the day after: none, not the older 5 stars
    row = institutions_as_of(dt.date(2026, 6, 1)).get(pk=institution_a.pk)
    assert row.stars_from is None and row.stars_until is None


def test_database_refuses_an_expiry_before_the_rating(institution_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        StarRating.objects.create(
            institution=institution_a,
            effective_from=dt.date(2024, 6, 1),
            stars=3,
            expires_on=dt.date(2024, 5, 31),
        )


def test_expiring_ratings_within_60_days(institution_a, institution_b):
    today = dt.date(2026, 1, 1)
    StarRating.objects.create(
        institution=institution_a,
        effective_from=dt.date(2024, 1, 1),
        stars=3,
        expires_on=today + dt.timedelta(days=60),
    )
    StarRating.objects.create(
        institution=institution_b,
        effective_from=dt.date(2024, 1, 1),
        stars=3,
        expires_on=today + dt.timedelta(days=61),
    )
    found = services.expiring_ratings([institution_a.pk, institution_b.pk], today=today)
    assert set(found) == {institution_a.pk}
