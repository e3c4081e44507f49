"""The database holds the training rules on both sides of each boundary whatever writes the rows:
rows created without full_clean and queryset updates, each refusal named by its constraint."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from institutions.models import TrainingAttendance, TrainingCourse
from tests.factories import StaffMemberFactory

pytestmark = pytest.mark.django_db

WITHIN_COURSE = "training_attendance_hours_within_course"


def raw_course(**values) -> TrainingCourse:
    fields = {
        "name": "婴幼儿回应性照护",
        "provider": "温州大学",
        "kind": TrainingCourse.Kind.IN_SERVICE,
        "starts_on": dt.date(2026, 3, 2),
        "ends_on": dt.date(2026, 3, 3),
        "hours": Decimal("8"),
    } | values
    return TrainingCourse.objects.create(**fields)


def refused_by(constraint: str, write) -> None:
    """`write` fails in the database, on `constraint`."""
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        write()
    assert error.value.__cause__.diag.constraint_name == constraint


def test_attendance_of_zero_hours_is_accepted_by_the_database():
    course = raw_course()
    row = TrainingAttendance.objects.create(course=course, staff=StaffMemberFactory(), hours=0)
    assert TrainingAttendance.objects.filter(pk=row.pk, hours=0).exists()
    refused_by(
        "training_attendance_hours_not_negative",
        lambda: TrainingAttendance.objects.filter(pk=row.pk).update(hours=Decimal("-0.1")),
    )


def test_attendance_of_exactly_the_course_hours_is_accepted_and_one_tenth_more_refused():
    course = raw_course(hours=Decimal("8"))
    row = TrainingAttendance.objects.create(
        course=course, staff=StaffMemberFactory(), hours=Decimal("8")
    )
    assert row.hours == 8
    refused_by(
        WITHIN_COURSE,
        lambda: TrainingAttendance.objects.create(
            course=course, staff=StaffMemberFactory(), hours=Decimal("8.1")
        ),
    )
    refused_by(
        WITHIN_COURSE,
        lambda: TrainingAttendance.objects.filter(pk=row.pk).update(hours=Decimal("8.1")),
    )
    assert TrainingAttendance.objects.get().hours == 8


def test_a_course_lowered_to_its_highest_attendance_is_accepted_and_one_tenth_lower_refused():
    course = raw_course(hours=Decimal("8"))
    TrainingAttendance.objects.create(course=course, staff=StaffMemberFactory(), hours=Decimal("6"))
    TrainingAttendance.objects.create(
        course=course, staff=StaffMemberFactory(), hours=Decimal("6.5")
    )
    TrainingCourse.objects.filter(pk=course.pk).update(hours=Decimal("6.5"))
    refused_by(
        WITHIN_COURSE, lambda: TrainingCourse.objects.filter(pk=course.pk).update(hours="6.4")
    )
    course.refresh_from_db()
    assert course.hours == Decimal("6.5")


def test_course_hours_of_half_an_hour_are_accepted_and_less_refused():
    course = raw_course(hours=Decimal("0.5"))
    assert TrainingCourse.objects.filter(pk=course.pk, hours=Decimal("0.5")).exists()
    half = "training_course_hours_at_least_half"
    refused_by(half, lambda: raw_course(name="太短", hours=Decimal("0.4")))
    refused_by(half, lambda: raw_course(name="零", hours=Decimal("0")))
    refused_by(half, lambda: TrainingCourse.objects.filter(pk=course.pk).update(hours="0.4"))


def test_a_course_of_one_day_is_accepted_and_one_ending_the_day_before_refused():
    day = dt.date(2026, 5, 6)
    course = raw_course(starts_on=day, ends_on=day)
    assert TrainingCourse.objects.filter(pk=course.pk, ends_on=day).exists()
    ends = "training_course_ends_after_start"
    before = day - dt.timedelta(days=1)
    refused_by(ends, lambda: raw_course(name="倒序", starts_on=day, ends_on=before))
    refused_by(ends, lambda: TrainingCourse.objects.filter(pk=course.pk).update(ends_on=before))
    refused_by(
        ends,
        lambda: TrainingCourse.objects.filter(pk=course.pk).update(
            starts_on=day + dt.timedelta(days=1)
        ),
    )
