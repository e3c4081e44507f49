"""A month computed from hand-built reports and registry facts, to the cent."""

import datetime as dt
from decimal import Decimal

import pytest

from institutions.models import InclusiveRecognition, MonthlyReport
from subsidies.models import SchemeRate, SubsidyLine, SubsidyMonth, SubsidyScheme
from subsidies.services import SubsidyError, compute_month
from tests.factories import (
    ApprovedPlacesFactory,
    InclusiveRecognitionFactory,
    InstitutionFactory,
    StarRatingFactory,
)

from .conftest import MARCH, accepted_report

pytestmark = pytest.mark.django_db


def test_month_to_the_cent_with_the_explanation(scheme, inclusive):
    accepted_report(inclusive, enrolled_toddler=8, enrolled_older=9)
    month = compute_month(scheme, MARCH)
    line = SubsidyLine.objects.get(subsidy_month=month)
    assert line.institution == inclusive
    assert line.amount == Decimal("4650.00")
    assert line.explanation == "托小班 8人×300.00元 + 托大班 9人×250.00元（三星） = 4,650.00元"
    assert (month.total, month.line_count, month.state) == (Decimal("4650.00"), 1, "draft")


def test_unrated_institution_gets_the_any_level_rate_and_cents_add_up(scheme):
    other = InstitutionFactory()
    ApprovedPlacesFactory(institution=other)
    InclusiveRecognitionFactory(institution=other)
    accepted_report(other, enrolled_infant=3, enrolled_toddler=1, enrolled_mixed=4)
    line = compute_month(scheme, MARCH).lines.get()
    # 3 × 333.33 = 999.99; mixed-age classes have no rate in this scheme and earn nothing.
    assert line.amount == Decimal("1199.99")
    assert line.explanation == "乳儿班 3人×333.33元 + 托小班 1人×200.00元（未评星级） = 1,199.99元"


def test_a_report_not_accepted_is_not_paid(scheme, inclusive):
    for state in (MonthlyReport.State.SUBMITTED, MonthlyReport.State.RETURNED):
        MonthlyReport.objects.filter(institution=inclusive).delete()
        accepted_report(inclusive, state=state, enrolled_toddler=8)
        assert not compute_month(scheme, MARCH).lines.exists()
    # The February report, accepted, pays nothing for March.
    MonthlyReport.objects.filter(institution=inclusive).delete()
    accepted_report(inclusive, period=dt.date(2025, 2, 1), enrolled_toddler=8)
    assert not compute_month(scheme, MARCH).lines.exists()


def test_inclusive_only_reads_recognition_at_the_months_end(scheme, inclusive):
    accepted_report(inclusive, enrolled_toddler=1)
    recognition = InclusiveRecognition.objects.get(institution=inclusive)
    recognition.valid_to = dt.date(2025, 3, 30)  # lapsed on the month's last day
    recognition.save()
    assert not compute_month(scheme, MARCH).lines.exists()
    recognition.valid_to = dt.date(2025, 3, 31)  # still inclusive on the last day
    recognition.save()
    assert compute_month(scheme, MARCH).lines.get().amount == Decimal("300.00")
    # A scheme open to every institution pays the lapsed one too.
    recognition.valid_to = dt.date(2025, 3, 30)
    recognition.save()
    SubsidyScheme.objects.filter(pk=scheme.pk).update(inclusive_only=False)
    scheme.refresh_from_db()
    assert compute_month(scheme, MARCH).lines.get().amount == Decimal("300.00")


def test_star_rating_on_the_last_day_counts_the_next_day_does_not(scheme, inclusive):
    accepted_report(inclusive, enrolled_toddler=2)
    StarRatingFactory(institution=inclusive, effective_from=dt.date(2025, 4, 1), stars=5)
    line = compute_month(scheme, MARCH).lines.get()
    assert "（三星）" in line.explanation and line.amount == Decimal("600.00")
    StarRatingFactory(institution=inclusive, effective_from=dt.date(2025, 3, 31), stars=4)
    line = compute_month(scheme, MARCH).lines.get()
    # Four stars has no rate of its own: the any-level rate applies.
    assert line.explanation == "托小班 2人×200.00元（四星） = 400.00元"


def test_a_closed_institution_is_not_paid(scheme, inclusive):
    accepted_report(inclusive, enrolled_toddler=2)
    inclusive.closed_on = dt.date(2025, 3, 31)
    inclusive.save()
    assert not compute_month(scheme, MARCH).lines.exists()


def test_second_run_changes_nothing(scheme, inclusive):
    accepted_report(inclusive, enrolled_toddler=8, enrolled_older=9)
    first = compute_month(scheme, MARCH)
    line = first.lines.get()
    histories = (first.history.count(), line.history.count())
    again = compute_month(scheme, MARCH)
    assert again.pk == first.pk and again.computed_at == first.computed_at
    assert (again.history.count(), again.lines.get().history.count()) == histories
    assert SubsidyLine.objects.count() == 1 and SubsidyMonth.objects.count() == 1


def test_a_changed_report_updates_a_draft_but_never_an_approved_month(
    scheme, inclusive, django_user_model
):
    from subsidies.services import approve_month

    report = accepted_report(inclusive, enrolled_toddler=8)
    month = compute_month(scheme, MARCH)
    MonthlyReport.objects.filter(pk=report.pk).update(enrolled_toddler=9)
    assert compute_month(scheme, MARCH).lines.get().amount == Decimal("2700.00")
    approve_month(month, actor=django_user_model.objects.create(username="clerk"))
    MonthlyReport.objects.filter(pk=report.pk).update(enrolled_toddler=1)
    again = compute_month(scheme, MARCH)
    assert again.state == "approved" and again.lines.get().amount == Decimal("2700.00")


def test_the_database_refuses_a_second_line(scheme, inclusive):
    from django.db import IntegrityError, transaction

    accepted_report(inclusive, enrolled_toddler=8)
    line = compute_month(scheme, MARCH).lines.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        SubsidyLine.objects.create(
            subsidy_month=line.subsidy_month,
            scheme=scheme,
            institution=inclusive,
            month=MARCH,
            amount=Decimal("1.00"),
            explanation="x",
        )


def test_a_month_outside_the_scheme_is_refused(scheme, inclusive):
    scheme.valid_to = dt.date(2025, 2, 28)
    scheme.save()
    with pytest.raises(SubsidyError):
        compute_month(scheme, MARCH)
    compute_month(scheme, dt.date(2025, 2, 1))  # its last month computes


def test_star_award_once_for_a_level_reached_in_the_month(inclusive):
    award = SubsidyScheme.objects.create(
        name="星级奖补", kind=SubsidyScheme.Kind.STAR_LEVEL, valid_from=dt.date(2025, 1, 1)
    )
    SchemeRate.objects.create(scheme=award, stars=3, amount=Decimal("10000"))
    SchemeRate.objects.create(scheme=award, stars=4, amount=Decimal("20000"))
    assert not compute_month(award, MARCH).lines.exists()  # three stars since 2024
    StarRatingFactory(institution=inclusive, effective_from=dt.date(2025, 3, 31), stars=4)
    line = compute_month(award, MARCH).lines.get()
    assert line.amount == Decimal("20000.00")
    assert line.explanation == "本月评定为四星（此前三星），一次性奖补 20,000.00元"
    assert not compute_month(award, dt.date(2025, 4, 1)).lines.exists()


def test_new_places_award_in_the_month_of_recognition(db):
    award = SubsidyScheme.objects.create(
        name="新增普惠托位奖补", kind=SubsidyScheme.Kind.NEW_PLACES, valid_from=dt.date(2025, 1, 1)
    )
    SchemeRate.objects.create(scheme=award, amount=Decimal("1000"))
    institution = InstitutionFactory()
    ApprovedPlacesFactory(institution=institution)  # 35 places
    InclusiveRecognitionFactory(institution=institution, valid_from=dt.date(2025, 3, 31))
    line = compute_month(award, MARCH).lines.get()
    assert line.amount == Decimal("35000.00")
    assert "35个×1,000.00元" in line.explanation
    assert not compute_month(award, dt.date(2025, 4, 1)).lines.exists()


def test_explanations_are_stored_in_chinese_whatever_language_asked(scheme, inclusive):
    from django.utils import translation

    accepted_report(inclusive, enrolled_toddler=8, enrolled_older=9)
    first = compute_month(scheme, MARCH)
    histories = first.history.count()
    with translation.override("en"):
        again = compute_month(scheme, MARCH)
    line = again.lines.get()
    assert line.explanation.startswith("托小班 8人×300.00元")
    assert again.history.count() == histories


def test_the_english_page_is_translated(client, scheme):
    from django.urls import reverse

    from portal.roles import Role
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="clerk", role=Role.BUREAU_STAFF))
    page = client.get(reverse("subsidies:months"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Operating subsidies and awards" in page and "运营补助与奖补" not in page
