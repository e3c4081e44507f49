"""Migration 0027: the database's check on a course's hours becomes the model's (at least 0.5); a
course written around the model with less is raised to 0.5 first, its attendance unchanged."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("institutions", "0026_township_facilities_from_text")]
AFTER = [("institutions", "0027_training_course_hours_at_least_half")]


@pytest.fixture(autouse=True)
def _latest_schema_after():
    """Committed (transaction=True): leave every app at its latest migration for later tests."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_a_course_under_half_an_hour_is_raised_to_half_and_the_rest_left_alone():
    old = migrate(BEFORE)
    TrainingCourse = old.get_model("institutions", "TrainingCourse")
    day = dt.date(2026, 1, 1)
    common = {
        "provider": "历史记录（迁移）",
        "kind": "in_service",
        "starts_on": day,
        "ends_on": day,
    }
    short = TrainingCourse.objects.create(name="短", hours=Decimal("0.3"), **common)
    half = TrainingCourse.objects.create(name="半", hours=Decimal("0.5"), **common)
    long = TrainingCourse.objects.create(name="长", hours=Decimal("12"), **common)

    new = migrate(AFTER)

    TrainingCourse = new.get_model("institutions", "TrainingCourse")
    hours = dict(TrainingCourse.objects.values_list("pk", "hours"))
    assert hours == {short.pk: Decimal("0.5"), half.pk: Decimal("0.5"), long.pk: Decimal("12")}
    TrainingCourse.objects.all().delete()
