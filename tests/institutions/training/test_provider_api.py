"""Training providers' users through the API: they read and write their own provider's courses
and those courses' attendance, and never see or write another provider's."""

from decimal import Decimal

import pytest

from institutions.models import TrainingAttendance, TrainingCourse

pytestmark = pytest.mark.django_db

API = "/api/v1/training"
COURSE = {
    "name": "回应性照护",
    "kind": "in_service",
    "starts_on": "2026-05-06",
    "ends_on": "2026-05-07",
    "hours": "12.0",
}


def test_a_provider_reads_its_own_courses_and_attendance_only(
    api_as, provider_user_a, course_a, course_b, staff_a
):
    TrainingAttendance.objects.create(course=course_a, staff=staff_a, hours=Decimal("8"))
    TrainingAttendance.objects.create(course=course_b, staff=staff_a, hours=Decimal("8"))
    client = api_as(provider_user_a)
    courses = client.get(f"{API}/courses/").json()["results"]
    assert [c["id"] for c in courses] == [course_a.pk]
    rows = client.get(f"{API}/attendance/").json()["results"]
    assert [r["course"] for r in rows] == [course_a.pk]
    assert client.get(f"{API}/courses/{course_b.pk}/").status_code == 404


def test_a_provider_creates_a_course_of_its_own_provider_only(
    api_as, provider_user_a, provider_a, provider_b
):
    client = api_as(provider_user_a)
    created = client.post(f"{API}/courses/", COURSE, format="json")
    assert created.status_code == 201, created.json()
    course = TrainingCourse.objects.get()
    assert (course.provider_org, course.provider) == (provider_a, provider_a.name)
    other = client.post(f"{API}/courses/", COURSE | {"provider_org": provider_b.pk}, format="json")
    assert other.status_code == 400
    assert TrainingCourse.objects.count() == 1


def test_a_provider_writes_attendance_of_its_own_course_only(
    api_as, provider_user_a, course_a, course_b, staff_a
):
    client = api_as(provider_user_a)
    row = {"course": course_a.pk, "staff": staff_a.pk, "hours": "8", "completed": True}
    assert client.post(f"{API}/attendance/", row, format="json").status_code == 201
    refused = client.post(f"{API}/attendance/", row | {"course": course_b.pk}, format="json")
    assert refused.status_code == 400
    assert list(TrainingAttendance.objects.values_list("course", flat=True)) == [course_a.pk]
    mine = TrainingAttendance.objects.get()
    moved = client.patch(f"{API}/attendance/{mine.pk}/", {"course": course_b.pk}, format="json")
    assert moved.status_code == 400


def test_another_providers_user_cannot_change_the_attendance(
    api_as, provider_user_b, course_a, staff_a
):
    row = TrainingAttendance.objects.create(course=course_a, staff=staff_a, hours=Decimal("8"))
    response = api_as(provider_user_b).patch(
        f"{API}/attendance/{row.pk}/", {"hours": "1"}, format="json"
    )
    assert response.status_code == 404
    row.refresh_from_db()
    assert row.hours == Decimal("8")


def test_an_operator_still_cannot_write_attendance(api_as, operator_a, course_a, staff_a):
    row = {"course": course_a.pk, "staff": staff_a.pk, "hours": "8"}
    assert api_as(operator_a).post(f"{API}/attendance/", row, format="json").status_code == 403
    assert not TrainingAttendance.objects.exists()
