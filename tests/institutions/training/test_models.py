"""Courses and attendance: the model's rules, the database's constraints and triggers (they hold
whatever writes the rows), the services with the acting user, hours per calendar year."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from institutions.models import StaffMember, TrainingAttendance, TrainingCourse
from institutions.training import services
from institutions.training.selectors import training_hours
from tests.factories import StaffMemberFactory

pytestmark = pytest.mark.django_db


def course(**values) -> TrainingCourse:
    fields = {
        "name": "婴幼儿回应性照护",
        "provider": "温州大学",
        "kind": TrainingCourse.Kind.IN_SERVICE,
        "starts_on": dt.date(2026, 3, 2),
        "ends_on": dt.date(2026, 3, 3),
        "hours": Decimal("16"),
    } | values
    return services.course_save(course=TrainingCourse(**fields))


def attend(course, staff, hours, **values) -> TrainingAttendance:
    return services.attendance_save(
        attendance=TrainingAttendance(course=course, staff=staff, hours=Decimal(hours), **values)
    )


def test_hours_up_to_the_course_hours_are_accepted_and_one_more_tenth_refused():
    c, staff = course(), StaffMemberFactory()
    assert attend(c, staff, "16").hours == 16
    with pytest.raises(ValidationError) as error:
        attend(c, StaffMemberFactory(), "16.1")
    assert "参训学时不能超过课程学时（16）" in str(error.value)
    with pytest.raises(ValidationError):
        attend(c, StaffMemberFactory(), "-0.5")
    assert attend(c, StaffMemberFactory(), "0").hours == 0


def test_the_database_refuses_hours_above_the_course_and_a_course_lowered_below_them():
    c, staff = course(hours=Decimal("8")), StaffMemberFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        TrainingAttendance.objects.create(course=c, staff=staff, hours=Decimal("8.5"))
    with pytest.raises(IntegrityError), transaction.atomic():
        TrainingAttendance.objects.create(course=c, staff=staff, hours=Decimal("-1"))
    TrainingAttendance.objects.create(course=c, staff=staff, hours=Decimal("8"))
    with pytest.raises(IntegrityError), transaction.atomic():
        TrainingCourse.objects.filter(pk=c.pk).update(hours=Decimal("7.5"))
    c.hours = Decimal("7.5")
    with pytest.raises(ValidationError):
        services.course_save(course=c)
    TrainingCourse.objects.filter(pk=c.pk).update(hours=Decimal("9"))  # raising is fine


def test_one_attendance_per_course_and_person():
    c, staff = course(), StaffMemberFactory()
    attend(c, staff, "4")
    with pytest.raises(ValidationError) as error:
        attend(c, staff, "4")
    assert "此人已有该课程的参训记录" in str(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        TrainingAttendance.objects.create(course=c, staff=staff, hours=Decimal("1"))


def test_a_course_ends_on_or_after_its_first_day_and_names_known_roles():
    with pytest.raises(ValidationError):
        course(ends_on=dt.date(2026, 3, 1))
    assert course(ends_on=dt.date(2026, 3, 2)).pk
    with pytest.raises(ValidationError):
        course(open_to_roles=["astronaut"])
    with pytest.raises(ValidationError):
        course(hours=Decimal("0"))
    with pytest.raises(ValidationError) as error:
        course(hours=Decimal("0.4"))
    assert "hours" in error.value.message_dict
    assert course(hours=Decimal("0.5")).hours == Decimal("0.5")


def test_a_course_open_to_some_roles_refuses_other_staff():
    c = course(open_to_roles=[StaffMember.Role.CAREGIVER])
    attend(c, StaffMemberFactory(role=StaffMember.Role.CAREGIVER), "2")
    with pytest.raises(ValidationError) as error:
        attend(c, StaffMemberFactory(role=StaffMember.Role.COOK), "2")
    assert "该课程不面向此人的岗位" in str(error.value)


def test_an_award_only_on_a_competition():
    competition = course(kind=TrainingCourse.Kind.COMPETITION, name="保育技能大赛")
    assert attend(competition, StaffMemberFactory(), "8", award="一等奖").award == "一等奖"
    with pytest.raises(ValidationError) as error:
        attend(course(), StaffMemberFactory(), "8", award="一等奖")
    assert "只有技能竞赛可以填写名次或奖项" in str(error.value)


def test_writes_carry_the_acting_user_in_the_history(bureau):
    c = services.course_save(
        course=TrainingCourse(
            name="x",
            provider="市托育综合服务中心",
            kind="online_theory",
            starts_on=dt.date(2026, 1, 5),
            ends_on=dt.date(2026, 1, 5),
            hours=2,
        ),
        actor=bureau,
    )
    a = services.attendance_save(
        attendance=TrainingAttendance(course=c, staff=StaffMemberFactory(), hours=2), actor=bureau
    )
    assert c.history.get().history_user == bureau
    assert a.history.get().history_user == bureau


def test_training_hours_sum_a_calendar_year_by_the_course_end_in_one_query(
    django_assert_num_queries,
):
    a, b, c = StaffMemberFactory(), StaffMemberFactory(), StaffMemberFactory()
    new_year = course(starts_on=dt.date(2025, 12, 31), ends_on=dt.date(2026, 1, 1), hours=12)
    first = course(starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 1, 1), hours=4)
    last = course(starts_on=dt.date(2026, 12, 31), ends_on=dt.date(2026, 12, 31), hours=3)
    before = course(starts_on=dt.date(2025, 12, 31), ends_on=dt.date(2025, 12, 31), hours=5)
    after = course(starts_on=dt.date(2027, 1, 1), ends_on=dt.date(2027, 1, 1), hours=7)
    for record in (new_year, first, last, before, after):
        attend(record, a, str(record.hours))
    attend(first, b, "2.5")
    attend(before, c, "5")

    with django_assert_num_queries(1):
        hours = training_hours([a.pk, b.pk, c.pk], 2026)

    assert hours == {a.pk: Decimal("19"), b.pk: Decimal("2.5")}
    assert training_hours([a.pk], 2025) == {a.pk: Decimal("5")}
