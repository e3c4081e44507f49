"""The invariants: a case is not closed before it is opened (check constraint), nor reviewed
before it is opened (clean() and the service: across two tables), both sides of each boundary."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from institutions.inclusive import services
from institutions.inclusive.models import SupportCase, SupportReview

from .conftest import make_case

OPENED = dt.date(2025, 3, 1)


def test_closed_before_opened_is_refused_by_the_database(case_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        SupportCase.objects.filter(pk=case_a.pk).update(closed_on=OPENED - dt.timedelta(days=1))
    SupportCase.objects.filter(pk=case_a.pk).update(closed_on=OPENED)  # the same day is allowed
    case_a.refresh_from_db()
    assert case_a.closed_on == OPENED


def test_born_after_opened_is_refused_by_the_database(case_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        SupportCase.objects.filter(pk=case_a.pk).update(child_birth_date=OPENED + dt.timedelta(1))


def test_review_before_opening_refused_on_the_day_accepted(case_a, operator_a):
    before = SupportReview(case=case_a, reviewed_on=OPENED - dt.timedelta(days=1), progress="x")
    with pytest.raises(ValidationError) as error:
        services.review_add(review=before, actor=operator_a)
    assert "reviewed_on" in error.value.message_dict
    assert not SupportReview.objects.exists()
    review = services.review_add(
        review=SupportReview(case=case_a, reviewed_on=OPENED, progress="首次评估"),
        actor=operator_a,
    )
    assert review.reviewer == operator_a


def test_review_next_date_before_review_refused_by_the_database(case_a, bureau):
    with pytest.raises(IntegrityError), transaction.atomic():
        SupportReview.objects.create(
            case=case_a,
            reviewed_on=OPENED,
            next_review_by=OPENED - dt.timedelta(days=1),
            progress="x",
            reviewer=bureau,
        )


def test_close_not_before_last_review_and_not_twice(case_a, operator_a):
    services.review_add(
        review=SupportReview(case=case_a, reviewed_on=dt.date(2025, 4, 1), progress="x"),
        actor=operator_a,
    )
    with pytest.raises(ValidationError):
        services.case_close(case=case_a, closed_on=dt.date(2025, 3, 31), actor=operator_a)
    services.case_close(case=case_a, closed_on=dt.date(2025, 4, 1), actor=operator_a)
    with pytest.raises(ValidationError):
        services.case_close(case=case_a, closed_on=dt.date(2025, 4, 2), actor=operator_a)
    with pytest.raises(ValidationError):
        services.review_add(
            review=SupportReview(case=case_a, reviewed_on=dt.date(2025, 4, 1), progress="y"),
            actor=operator_a,
        )


def test_service_refuses_a_writer_of_another_institution(case_a, operator_b, inspector):
    for actor in (operator_b, inspector):
        with pytest.raises(PermissionDenied):
            services.case_close(case=case_a, closed_on=OPENED, actor=actor)
    case_a.refresh_from_db()
    assert case_a.closed_on is None


def test_close_page_needs_the_confirmation(case_a, operator_a, client_as):
    from django.urls import reverse

    url = reverse("inclusive:case_close", args=[case_a.pk])
    client = client_as(operator_a)
    assert client.post(url, {"closed_on": "2025-03-02"}).status_code == 400
    case_a.refresh_from_db()
    assert case_a.closed_on is None
    assert client.post(url, {"closed_on": "2025-03-02", "confirm": "on"}).status_code == 302
    case_a.refresh_from_db()
    assert case_a.closed_on == dt.date(2025, 3, 2)


def test_is_open_on_the_boundaries(institution_a, facility_a):
    case = make_case(institution_a, facility_a, closed_on=dt.date(2025, 3, 10))
    assert not case.is_open_on(OPENED - dt.timedelta(days=1))
    assert case.is_open_on(OPENED)
    assert case.is_open_on(dt.date(2025, 3, 9))
    assert not case.is_open_on(dt.date(2025, 3, 10))


def test_review_page_refuses_a_date_before_opening(case_a, health_a, client_as):
    from django.urls import reverse

    url = reverse("inclusive:review_add", args=[case_a.pk])
    client = client_as(health_a)
    response = client.post(url, {"reviewed_on": "2025-02-28", "progress": "x"})
    assert response.status_code == 400
    assert "评估日期不能早于开案日期" in response.content.decode()
    assert not SupportReview.objects.exists()
    assert client.post(url, {"reviewed_on": "2025-03-01", "progress": "x"}).status_code == 302
    assert SupportReview.objects.get().reviewer == health_a
