"""A guidance visit's instructor is chosen (the institution's health instructor at the visit's
day, or a user of the chosen facility), whoever keys it; the institution is under a "1+1"
contract with the facility on that day. The rules are the service's, so the page, the API and
the admin all refuse the same visits. Monthly screening figures: home visits without a positive
case in the same month are accepted (a visit may follow an earlier month's case)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from institutions.health import services
from institutions.models import GuidanceVisit, ScreeningMonth
from portal.roles import Role
from tests.factories import (
    CareContractFactory,
    InstitutionFactory,
    InstructorAssignmentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

GUIDANCE = reverse("health:guidance")
SCREENING = reverse("health:screening")
API = "/api/v1/health/guidance-visits/"
NOT_AN_INSTRUCTOR = "健康指导员须为该托育机构在指导日期的健康指导员，或所选医疗卫生机构的用户。"
NO_CONTRACT = "指导日期当天，该托育机构与所选医疗卫生机构没有有效的“1+1”签约。"


@pytest.fixture
def instructor(db, linked_a):
    """Institution A's health instructor from 2026-01-01 (not a facility's user)."""
    user = UserFactory(username="instructor_a", first_name="王指导")
    InstructorAssignmentFactory(
        institution=linked_a, instructor=user, effective_from=dt.date(2026, 1, 1)
    )
    return user


def _visit(institution, facility, instructor, day=dt.date(2026, 3, 2)) -> GuidanceVisit:
    return GuidanceVisit(
        institution=institution,
        facility=facility,
        instructor=instructor,
        visited_on=day,
        topics=["nutrition"],
        advice="调整辅食添加顺序。",
    )


def _form(facility, institution, instructor=None, **extra) -> dict:
    form = {
        "facility": facility.pk,
        "institution": institution.pk,
        "visited_on": "2026-03-02",
        "mode": "visit",
        "topics": ["nutrition", "growth"],
        "advice": "增加户外活动时间。",
        **extra,
    }
    if instructor is not None:
        form["instructor"] = instructor.pk
    return form


def _refusal(error: pytest.ExceptionInfo) -> dict:
    return error.value.message_dict


# --- Who may be the instructor ----------------------------------------------------------------


def test_the_institutions_assigned_instructor_is_accepted(
    health_a, facility_a, linked_a, instructor
):
    visit = services.guidance_save(visit=_visit(linked_a, facility_a, instructor), actor=health_a)
    assert (visit.instructor, visit.created_by) == (instructor, health_a)


def test_a_user_of_the_chosen_facility_is_accepted(health_a, facility_a, linked_a):
    colleague = UserFactory(username="health_a2", role=Role.HEALTH_CENTRE)
    facility_a.users.add(colleague)
    visit = services.guidance_save(visit=_visit(linked_a, facility_a, colleague), actor=health_a)
    assert (visit.instructor, visit.created_by) == (colleague, health_a)


@pytest.mark.parametrize("who", ["health_b", "stranger", "bureau"])
def test_an_unrelated_user_is_refused(request, health_a, facility_a, linked_a, instructor, who):
    # Another facility's user, a user with no link at all, and bureau staff keying the visit.
    user = UserFactory(username="stranger") if who == "stranger" else request.getfixturevalue(who)
    with pytest.raises(ValidationError) as error:
        services.guidance_save(visit=_visit(linked_a, facility_a, user), actor=health_a)
    assert _refusal(error) == {"instructor": [NOT_AN_INSTRUCTOR]}
    assert not GuidanceVisit.objects.exists()


def test_the_instructor_is_the_one_assigned_on_the_visits_day(health_a, facility_a, linked_a):
    first, second = UserFactory(username="first"), UserFactory(username="second")
    InstructorAssignmentFactory(
        institution=linked_a, instructor=first, effective_from=dt.date(2026, 1, 1)
    )
    InstructorAssignmentFactory(
        institution=linked_a, instructor=second, effective_from=dt.date(2026, 3, 1)
    )
    InstructorAssignmentFactory(
        institution=linked_a, instructor=None, effective_from=dt.date(2026, 6, 1)
    )  # the assignment ends
    accepted = [
        (first, dt.date(2026, 1, 1)),  # the first day of the assignment
        (first, dt.date(2026, 2, 28)),  # its last day
        (second, dt.date(2026, 3, 1)),
        (second, dt.date(2026, 5, 31)),
    ]
    for user, day in accepted:
        services.guidance_save(visit=_visit(linked_a, facility_a, user, day), actor=health_a)
    refused = [
        (first, dt.date(2025, 12, 31)),  # not yet assigned
        (first, dt.date(2026, 3, 1)),  # replaced that day
        (second, dt.date(2026, 2, 28)),  # not yet
        (second, dt.date(2026, 6, 1)),  # the assignment ended
    ]
    for user, day in refused:
        with pytest.raises(ValidationError) as error:
            services.guidance_save(visit=_visit(linked_a, facility_a, user, day), actor=health_a)
        assert _refusal(error) == {"instructor": [NOT_AN_INSTRUCTOR]}, (user, day)
    assert GuidanceVisit.objects.count() == len(accepted)


def test_the_form_offers_the_instructor_and_facility_users_defaulting_to_the_signed_in_one(
    client_as, health_a, bureau, facility_a, linked_a, instructor
):
    form = client_as(health_a).get(GUIDANCE).context["form"]
    assert set(form.fields["instructor"].queryset) == {health_a, instructor}
    assert form["instructor"].value() == health_a.pk
    # Bureau staff are not among the choices: no default, they choose.
    form = client_as(bureau).get(GUIDANCE).context["form"]
    assert bureau not in form.fields["instructor"].queryset
    assert form["instructor"].value() is None


def test_bureau_keying_a_visit_records_the_chosen_instructor(
    client_as, bureau, facility_a, linked_a, instructor
):
    response = client_as(bureau).post(GUIDANCE, _form(facility_a, linked_a, instructor))
    assert response.status_code == 302
    visit = GuidanceVisit.objects.get()
    assert (visit.instructor, visit.created_by, visit.facility) == (instructor, bureau, facility_a)
    assert visit.history.get().history_user == bureau


def test_the_page_refuses_an_instructor_who_is_neither(
    client_as, bureau, health_b, facility_a, linked_a, instructor
):
    # Facility B's user is among the bureau's choices (it may key B's visits) but not for A's.
    response = client_as(bureau).post(GUIDANCE, _form(facility_a, linked_a, health_b))
    assert response.status_code == 400
    assert response.context["form"].errors["instructor"] == [NOT_AN_INSTRUCTOR]
    assert not GuidanceVisit.objects.exists()
    # Nobody chosen: the form asks for one rather than recording the bureau user.
    response = client_as(bureau).post(GUIDANCE, _form(facility_a, linked_a))
    assert response.status_code == 400 and "instructor" in response.context["form"].errors
    assert not GuidanceVisit.objects.exists()


def test_the_api_records_the_chosen_instructor_and_refuses_others(
    api_as, bureau, health_a, health_b, facility_a, linked_a, instructor
):
    body = {
        "facility": facility_a.pk,
        "institution": linked_a.pk,
        "visited_on": "2026-03-02",
        "topics": ["growth"],
        "advice": "定期测量身高体重。",
    }
    response = api_as(bureau).post(API, {**body, "instructor": instructor.pk}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["instructor"] == instructor.pk
    visit = GuidanceVisit.objects.get()
    assert (visit.instructor, visit.created_by) == (instructor, bureau)
    # Omitted: the caller, refused when the caller is not a choice (bureau staff).
    response = api_as(bureau).post(API, body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["instructor"] == [NOT_AN_INSTRUCTOR]
    assert response.json()["code"] == "not_instructor"
    response = api_as(bureau).post(API, {**body, "instructor": health_b.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["instructor"] == [NOT_AN_INSTRUCTOR]
    # A facility's user is offered only its own facility's users and its institutions'
    # instructors: another user is not a choice at all.
    response = api_as(health_a).post(API, {**body, "instructor": health_b.pk}, format="json")
    assert response.status_code == 400 and "instructor" in response.json()["errors"]
    response = api_as(health_a).post(API, body, format="json")
    assert response.status_code == 201
    assert GuidanceVisit.objects.filter(instructor=health_a, created_by=health_a).count() == 1
    assert GuidanceVisit.objects.count() == 2


# --- The "1+1" contract on the visit's day -----------------------------------------------------


@pytest.fixture
def contracted(db, facility_a):
    """An institution under contract with facility A from 2025-01-01 to 2025-06-30."""
    institution = InstitutionFactory(name="柳市丙托育园")
    CareContractFactory(
        institution=institution,
        facility=facility_a,
        health_facility=facility_a.name,
        valid_from=dt.date(2025, 1, 1),
        valid_to=dt.date(2025, 6, 30),
    )
    return institution


@pytest.mark.parametrize("day", [dt.date(2025, 1, 1), dt.date(2025, 6, 30)])
def test_a_visit_within_the_contract_is_accepted_both_ends_included(
    health_a, facility_a, contracted, day
):
    services.guidance_save(visit=_visit(contracted, facility_a, health_a, day), actor=health_a)
    assert GuidanceVisit.objects.get().visited_on == day


@pytest.mark.parametrize("day", [dt.date(2024, 12, 31), dt.date(2025, 7, 1)])
def test_a_visit_outside_the_contract_is_refused(health_a, facility_a, contracted, day):
    with pytest.raises(ValidationError) as error:
        services.guidance_save(visit=_visit(contracted, facility_a, health_a, day), actor=health_a)
    assert _refusal(error) == {"facility": [NO_CONTRACT]}
    assert not GuidanceVisit.objects.exists()


def test_another_facilitys_institution_is_refused(
    client_as, api_as, bureau, health_a, health_b, facility_a, facility_b, linked_a, linked_b
):
    # Bureau staff may record for every facility, but not pair B with A's institution.
    with pytest.raises(ValidationError) as error:
        services.guidance_save(visit=_visit(linked_a, facility_b, health_b), actor=bureau)
    assert _refusal(error) == {"facility": [NO_CONTRACT]}
    response = client_as(bureau).post(GUIDANCE, _form(facility_b, linked_a, health_b))
    assert response.status_code == 400
    assert response.context["form"].errors["facility"] == [NO_CONTRACT]
    body = _form(facility_b, linked_a, health_b)
    del body["mode"]
    response = api_as(bureau).post(API, body, format="json")
    assert response.status_code == 400 and response.json()["code"] == "no_contract"
    assert response.json()["errors"]["facility"] == [NO_CONTRACT]
    assert not GuidanceVisit.objects.exists()
    # The same visit with the right pair is accepted.
    client_as(bureau).post(GUIDANCE, _form(facility_b, linked_b, health_b))
    assert GuidanceVisit.objects.get().institution == linked_b


def test_an_unlinked_contract_names_no_facility(health_a, facility_a):
    # A contract whose facility is only free text does not pair the institution with any.
    institution = InstitutionFactory()
    CareContractFactory(institution=institution, facility=None, valid_to=None)
    with pytest.raises(ValidationError) as error:
        services.guidance_save(visit=_visit(institution, facility_a, health_a), actor=health_a)
    assert "facility" in _refusal(error)


def test_the_admin_refuses_what_the_service_refuses(
    client_as, bureau_admin, facility_a, facility_b, linked_a, instructor
):
    url = reverse("admin:institutions_guidancevisit_add")
    stranger = UserFactory(username="stranger")
    form = {
        "institution": linked_a.pk,
        "facility": facility_b.pk,
        "instructor": stranger.pk,
        "visited_on": "2026-03-02",
        "mode": "visit",
        "topics": '["nutrition"]',
        "advice": "x",
        "follow_up": "",
        "follow_up_by": "",
    }
    response = client_as(bureau_admin).post(url, form)
    assert response.status_code == 200  # the form again, with the errors next to the fields
    errors = response.context["adminform"].form.errors
    assert errors["facility"] == [NO_CONTRACT]
    assert errors["instructor"] == [NOT_AN_INSTRUCTOR]
    assert not GuidanceVisit.objects.exists()
    response = client_as(bureau_admin).post(
        url, {**form, "facility": facility_a.pk, "instructor": instructor.pk}
    )
    assert response.status_code == 302
    visit = GuidanceVisit.objects.get()
    assert (visit.instructor, visit.created_by) == (instructor, bureau_admin)


# --- Screening figures: home visits ----------------------------------------------------------


def test_home_visits_without_a_positive_case_that_month_are_accepted(
    client_as, health_a, facility_a
):
    row = services.screening_save(
        facility=facility_a,
        period=dt.date(2026, 2, 1),
        figures={"positive_cases": 0, "home_visits": 2},
        actor=health_a,
    )
    assert (row.positive_cases, row.home_visits) == (0, 2)
    form = {
        "facility": facility_a.pk,
        "period": "2026-03",
        "development_screenings": 40,
        "risk_assessments": 30,
        "positive_cases": 0,
        "home_visits": 1,
    }
    assert client_as(health_a).post(SCREENING, form).status_code == 302
    assert ScreeningMonth.objects.get(period=dt.date(2026, 3, 1)).home_visits == 1


def test_screening_figures_stay_counts_not_below_zero(client_as, api_as, health_a, facility_a):
    with pytest.raises(ValidationError) as error:
        services.screening_save(
            facility=facility_a,
            period=dt.date(2026, 2, 1),
            figures={"home_visits": -1},
            actor=health_a,
        )
    assert "home_visits" in _refusal(error)
    form = {
        "facility": facility_a.pk,
        "period": "2026-02",
        "development_screenings": 0,
        "risk_assessments": 0,
        "positive_cases": 0,
        "home_visits": -1,
    }
    assert client_as(health_a).post(SCREENING, form).status_code == 400
    body = {"facility": facility_a.pk, "period": "2026-02", "home_visits": -1}
    answer = api_as(health_a).post("/api/v1/health/screenings/", body, format="json")
    assert answer.status_code == 400
    assert not ScreeningMonth.objects.exists()
