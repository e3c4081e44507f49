"""Staff's training hours per calendar year through the API (/api/v1/training/hours/?year=):
the page's selectors (staff_employed_in, training_hours) and the page's scope; a bad year is a
400; a fixed number of queries whatever the number of staff."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from institutions.models import TrainingAttendance
from portal.roles import Role
from tests.factories import StaffMemberFactory, UserFactory

from .conftest import course_of

pytestmark = pytest.mark.django_db

URL = "/api/v1/training/hours/"


def rows(response) -> dict[str, str]:
    assert response.status_code == 200, response.content.decode()
    return {row["name"]: row["hours"] for row in response.json()["results"]}


@pytest.fixture
def attended(provider_a, institution_a, institution_b):
    """陈保育 (A): 6 in 2026 and 7.5 in 2025; 李老师 (A): nothing; 别家员工 (B): 3 in 2026; 已离职
    (A) left on 1 January 2026, so not employed in 2026."""
    this = course_of(provider_a, ends_on=dt.date(2026, 3, 3))
    last = course_of(
        provider_a, name="去年", starts_on=dt.date(2025, 3, 2), ends_on=dt.date(2025, 3, 3)
    )
    chen = StaffMemberFactory(institution=institution_a, name="陈保育")
    StaffMemberFactory(institution=institution_a, name="李老师")
    other = StaffMemberFactory(institution=institution_b, name="别家员工")
    gone = StaffMemberFactory(institution=institution_a, name="已离职", left_on=dt.date(2026, 1, 1))
    TrainingAttendance.objects.create(course=this, staff=chen, hours=Decimal("6"))
    TrainingAttendance.objects.create(course=last, staff=chen, hours=Decimal("7.5"))
    TrainingAttendance.objects.create(course=this, staff=other, hours=Decimal("3"))
    TrainingAttendance.objects.create(course=last, staff=gone, hours=Decimal("2"))


def test_an_operator_reads_its_own_staffs_hours_of_the_year(api_as, operator_a, attended):
    client = api_as(operator_a)
    assert rows(client.get(URL, {"year": 2026})) == {"李老师": "0.0", "陈保育": "6.0"}
    assert rows(client.get(URL, {"year": 2025})) == {
        "已离职": "2.0",
        "李老师": "0.0",
        "陈保育": "7.5",
    }
    first = client.get(URL, {"year": 2026}).json()["results"][0]
    assert set(first) == {"staff", "name", "institution", "institution_name", "year", "hours"}
    assert first["year"] == 2026


def test_the_bureau_reads_everyones(api_as, bureau, attended):
    assert rows(api_as(bureau).get(URL, {"year": 2026})) == {
        "别家员工": "3.0",
        "李老师": "0.0",
        "陈保育": "6.0",
    }


@pytest.mark.parametrize("persona", ["operator_a", "bureau"])
def test_the_api_lists_the_pages_people_with_the_pages_hours(
    request, api_as, client_as, persona, attended
):
    user = request.getfixturevalue(persona)
    for year in (2025, 2026):
        page = client_as(user).get(reverse("training:hours"), {"year": year})
        shown = {member.name: Decimal(hours) for member, hours in page.context["rows"]}
        listed = rows(api_as(user).get(URL, {"year": year}))
        assert {name: Decimal(hours) for name, hours in listed.items()} == shown


def test_without_a_year_it_is_this_year(api_as, bureau, provider_a, institution_a):
    today = timezone.localdate()
    course = course_of(provider_a, starts_on=today, ends_on=today)
    member = StaffMemberFactory(institution=institution_a, name="今年")
    TrainingAttendance.objects.create(course=course, staff=member, hours=Decimal("4"))
    response = api_as(bureau).get(URL)
    assert rows(response) == {"今年": "4.0"}
    assert response.json()["results"][0]["year"] == today.year


def test_a_bad_year_is_a_400_naming_the_field(api_as, bureau):
    client = api_as(bureau)
    next_year = timezone.localdate().year + 1
    for year in ("abc", "", "1999", str(next_year + 1), "2026.5"):
        response = client.get(URL, {"year": year})
        assert response.status_code == 400, year
        assert list(response.json()["errors"]) == ["year"], year
    assert client.get(URL, {"year": "2000"}).status_code == 200
    assert client.get(URL, {"year": str(next_year)}).status_code == 200


@pytest.fixture
def department(db):
    return UserFactory(username="department", role=Role.DEPARTMENT)


@pytest.mark.parametrize("persona", ["provider_user_a", "family", "department"])
def test_providers_and_other_roles_are_refused_as_on_the_page(request, api_as, persona):
    user = request.getfixturevalue(persona)
    assert api_as(user).get(URL).status_code == 403


def test_anonymous_is_refused(api_client):
    assert api_client.get(URL).status_code in (401, 403)


def _count(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, {"year": 2026}).status_code == 200
    return len(queries)


def test_the_same_number_of_queries_for_1_and_5_staff(
    api_as, operator_a, provider_a, institution_a
):
    course = course_of(provider_a)
    client = api_as(operator_a)

    def add(n):
        member = StaffMemberFactory(institution=institution_a, name=f"员工{n}")
        TrainingAttendance.objects.create(course=course, staff=member, hours=Decimal("1"))

    add(0)
    client.get(URL, {"year": 2026})  # warm: the session and the user's roles
    one = _count(client)
    for n in range(1, 5):
        add(n)
    assert len(client.get(URL, {"year": 2026}).json()["results"]) == 5
    assert _count(client) == one
    assert one <= 6


def test_attendance_carries_the_courses_days(api_as, bureau, course_a, staff_a):
    TrainingAttendance.objects.create(course=course_a, staff=staff_a, hours=Decimal("8"))
    listed = api_as(bureau).get("/api/v1/training/attendance/").json()["results"]
    assert [(r["course_starts_on"], r["course_ends_on"]) for r in listed] == [
        ("2026-03-02", "2026-03-03")
    ]
