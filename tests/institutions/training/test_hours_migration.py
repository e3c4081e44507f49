"""The old undated annual_training_hours became one attendance record per person with hours > 0,
of one course dated 1 January of the year the migration ran; then the field was removed."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("institutions", "0017_training")]
AFTER = [("institutions", "0019_remove_annual_training_hours")]


@pytest.fixture(autouse=True)
def _latest_schema_after():
    """These tests commit (transaction=True): leave the database migrated to every app's latest
    migration, not to 0019, or later tests in the worker miss whatever came after it."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_hours_above_zero_become_attendance_of_one_course_on_the_first_of_january():
    old = migrate(BEFORE)
    try:
        Institution = old.get_model("institutions", "Institution")
        Township = old.get_model("institutions", "Township")
        StaffMember = old.get_model("institutions", "StaffMember")
        institution = Institution.objects.create(
            name="迁移测试园",
            credit_code="52330382MJ0000001X",
            kind="centre",
            ownership="private",
            township=Township.objects.order_by("code").first(),
            address="乐清市",
            filed_on=dt.date(2024, 1, 1),
        )
        people = {}
        for number, hours in enumerate(["0", "12.5", "40"]):
            people[hours] = StaffMember.objects.create(
                institution=institution,
                name=f"迁移{number}",
                id_number=f"33038219900101{number:03d}X",
                id_number_hash=f"hash{number}",
                role="caregiver",
                hired_on=dt.date(2024, 1, 1),
                annual_training_hours=Decimal(hours),
            )
    finally:
        new = migrate(AFTER)

    TrainingCourse = new.get_model("institutions", "TrainingCourse")
    TrainingAttendance = new.get_model("institutions", "TrainingAttendance")
    course = TrainingCourse.objects.get()
    first = timezone.localdate().replace(month=1, day=1)
    assert (course.name, course.starts_on, course.ends_on) == ("历史培训学时（迁移）", first, first)
    assert course.hours == Decimal("40") and course.kind == "in_service"
    got = dict(TrainingAttendance.objects.values_list("staff_id", "hours"))
    assert got == {people["12.5"].pk: Decimal("12.5"), people["40"].pk: Decimal("40")}
    assert all(TrainingAttendance.objects.values_list("completed", flat=True))
    StaffMember = new.get_model("institutions", "StaffMember")
    assert "annual_training_hours" not in {f.name for f in StaffMember._meta.get_fields()}


def test_without_hours_no_course_is_created():
    migrate(BEFORE)
    new = migrate(AFTER)
    assert not new.get_model("institutions", "TrainingCourse").objects.exists()
