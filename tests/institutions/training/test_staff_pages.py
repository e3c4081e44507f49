"""Operators see their staff's training hours of the current year, computed from attendance, on
the staff list (one query more, whatever the number of staff) and on a staff member's page."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from institutions.models import TrainingAttendance, TrainingCourse
from tests.factories import StaffMemberFactory

pytestmark = pytest.mark.django_db


def course(year: int, hours: str) -> TrainingCourse:
    day = dt.date(year, 6, 1)
    return TrainingCourse.objects.create(
        name=f"课程{year}{hours}",
        provider="温州大学",
        kind="in_service",
        starts_on=day,
        ends_on=day,
        hours=Decimal(hours),
    )


def test_the_staff_list_shows_this_year_hours_in_one_query(client_as, operator_a, institution_a):
    year = timezone.localdate().year
    members = [StaffMemberFactory(institution=institution_a, name=f"培训{n}") for n in range(3)]
    this_year, last_year = course(year, "12.5"), course(year - 1, "30")
    TrainingAttendance.objects.create(course=this_year, staff=members[0], hours=Decimal("12.5"))
    TrainingAttendance.objects.create(course=last_year, staff=members[0], hours=Decimal("30"))
    TrainingAttendance.objects.create(course=last_year, staff=members[1], hours=Decimal("30"))
    client = client_as(operator_a)
    url = reverse("institutions:staff_list", args=[institution_a.pk])

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)

    hours = {m.name: m.training_hours for m in response.context["employed"]}
    assert hours == {"培训0": Decimal("12.5"), "培训1": 0, "培训2": 0}
    assert f"{year}年培训学时" in response.content.decode()
    touching = [q["sql"] for q in queries if "institutions_trainingattendance" in q["sql"]]
    assert len(touching) == 1

    # More staff with attendance add no query.
    for n in range(10):
        member = StaffMemberFactory(institution=institution_a, name=f"加{n}")
        TrainingAttendance.objects.create(course=this_year, staff=member, hours=Decimal("1"))
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more) == len(queries)


def test_a_staff_member_page_shows_this_year_hours(client_as, operator_a, institution_a):
    year = timezone.localdate().year
    member = StaffMemberFactory(institution=institution_a)
    TrainingAttendance.objects.create(course=course(year, "8"), staff=member, hours=Decimal("8"))
    TrainingAttendance.objects.create(course=course(year, "4"), staff=member, hours=Decimal("3.5"))
    response = client_as(operator_a).get(
        reverse("institutions:staff_detail", args=[institution_a.pk, member.pk])
    )
    assert response.context["member"].training_hours == Decimal("11.5")
    assert "11.5" in response.content.decode()
