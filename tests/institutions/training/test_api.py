"""Training through the API: the bureau writes courses and attendance through the services;
operators read every course and only their own staff's attendance; nobody else writes."""

import datetime as dt
from decimal import Decimal

import pytest

from institutions.models import TrainingAttendance, TrainingCourse
from tests.factories import StaffMemberFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/training"
COURSE = {
    "name": "托育机构安全管理",
    "provider": "乐清市婴幼儿照护服务指导中心",
    "kind": "offline_practice",
    "starts_on": "2026-05-06",
    "ends_on": "2026-05-07",
    "hours": "12.0",
    "open_to_roles": ["caregiver", "teacher"],
}


def make_course(**values):
    fields = {
        "name": "课程",
        "provider": "温州大学",
        "kind": "in_service",
        "starts_on": dt.date(2026, 3, 2),
        "ends_on": dt.date(2026, 3, 2),
        "hours": Decimal("8"),
    } | values
    return TrainingCourse.objects.create(**fields)


def test_the_bureau_records_a_course_and_attendance(api_as, bureau, institution_a):
    client = api_as(bureau)
    response = client.post(f"{API}/courses/", COURSE, format="json")
    assert response.status_code == 201, response.json()
    course = TrainingCourse.objects.get()
    assert course.history.get().history_user == bureau
    staff = StaffMemberFactory(institution=institution_a)
    row = {"course": course.pk, "staff": staff.pk, "hours": "12", "completed": True}
    assert client.post(f"{API}/attendance/", row, format="json").status_code == 201
    assert TrainingAttendance.objects.get().history.get().history_user == bureau
    too_many = client.post(f"{API}/attendance/", row | {"hours": "12.5"}, format="json")
    assert too_many.status_code == 400


def test_hours_above_the_course_are_a_400_naming_the_field(api_as, bureau):
    course, staff = make_course(), StaffMemberFactory()
    response = api_as(bureau).post(
        f"{API}/attendance/", {"course": course.pk, "staff": staff.pk, "hours": "8.5"}
    )
    assert response.status_code == 400
    assert "参训学时不能超过课程学时（8）" in str(response.json()), response.json()
    assert not TrainingAttendance.objects.exists()


def test_operators_read_their_own_staff_attendance_only(
    api_as, operator_a, institution_a, institution_b
):
    course = make_course()
    mine = TrainingAttendance.objects.create(
        course=course, staff=StaffMemberFactory(institution=institution_a), hours=8
    )
    theirs = TrainingAttendance.objects.create(
        course=course, staff=StaffMemberFactory(institution=institution_b), hours=8
    )
    client = api_as(operator_a)
    listed = client.get(f"{API}/attendance/").json()
    ids = [row["id"] for row in listed.get("results", listed)]
    assert ids == [mine.pk]
    assert client.get(f"{API}/attendance/{theirs.pk}/").status_code == 404
    assert client.get(f"{API}/courses/{course.pk}/").status_code == 200


def test_operators_and_read_only_roles_cannot_write(
    api_as, operator_a, auditor, inspector, institution_a
):
    course, staff = make_course(), StaffMemberFactory(institution=institution_a)
    for user in (operator_a, auditor, inspector):
        client = api_as(user)
        assert client.post(f"{API}/courses/", COURSE, format="json").status_code == 403
        row = {"course": course.pk, "staff": staff.pk, "hours": "1"}
        assert client.post(f"{API}/attendance/", row).status_code == 403
    assert TrainingCourse.objects.count() == 1 and not TrainingAttendance.objects.exists()


def test_families_and_anonymous_read_nothing(api_as, api_client, family):
    make_course()
    assert api_as(family).get(f"{API}/courses/").status_code == 403
    assert api_client.get(f"{API}/courses/").status_code in (401, 403)
