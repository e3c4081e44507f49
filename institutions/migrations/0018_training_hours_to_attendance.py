"""The old undated `StaffMember.annual_training_hours` becomes attendance (issue 19, training).

Every staff member with hours > 0 gets one attendance record of one course, "历史培训学时（迁移）"
(in-service, provider "历史记录（迁移）"), dated 1 January of the year the migration runs: the
old number was "this year's hours" with no date, and 1 January puts it in the current calendar
year, which is what it was read as. The course's hours are the largest migrated number (an
attendance never exceeds its course's hours); each person's record carries their own number,
completed. No course is created when nobody has hours. Reversed, the numbers go back to the field
(the field is removed by the next migration) and the course is deleted.
"""

from decimal import Decimal

from django.db import migrations
from django.db.models import Max
from django.utils import timezone

COURSE_NAME = "历史培训学时（迁移）"
PROVIDER = "历史记录（迁移）"


def forward(apps, schema_editor):
    StaffMember = apps.get_model("institutions", "StaffMember")
    TrainingCourse = apps.get_model("institutions", "TrainingCourse")
    TrainingAttendance = apps.get_model("institutions", "TrainingAttendance")
    with_hours = StaffMember.objects.filter(annual_training_hours__gt=0)
    most = with_hours.aggregate(most=Max("annual_training_hours"))["most"]
    if not most:
        return
    first_day = timezone.localdate().replace(month=1, day=1)
    course = TrainingCourse.objects.create(
        name=COURSE_NAME,
        provider=PROVIDER,
        kind="in_service",
        starts_on=first_day,
        ends_on=first_day,
        hours=most,
        open_to_roles=[],
    )
    TrainingAttendance.objects.bulk_create(
        TrainingAttendance(
            course=course, staff_id=staff_id, hours=hours, completed=True, award=""
        )
        for staff_id, hours in with_hours.values_list("pk", "annual_training_hours").iterator()
    )


def backward(apps, schema_editor):
    StaffMember = apps.get_model("institutions", "StaffMember")
    TrainingCourse = apps.get_model("institutions", "TrainingCourse")
    TrainingAttendance = apps.get_model("institutions", "TrainingAttendance")
    for course in TrainingCourse.objects.filter(name=COURSE_NAME, provider=PROVIDER):
        for attendance in TrainingAttendance.objects.filter(course=course):
            StaffMember.objects.filter(pk=attendance.staff_id).update(
                annual_training_hours=attendance.hours or Decimal("0")
            )
        TrainingAttendance.objects.filter(course=course).delete()
        course.delete()


class Migration(migrations.Migration):
    dependencies = [("institutions", "0017_training")]

    operations = [migrations.RunPython(forward, backward)]
