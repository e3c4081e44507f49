"""0023 made one training provider per distinct provider text (spaces around it ignored) and
linked each course to it; backwards it removes the links and the providers, and every course
keeps its provider text."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("institutions", "0023_training_providers")]
AFTER = [("institutions", "0024_training_providers_from_text")]


@pytest.fixture(autouse=True)
def _latest_schema_after():
    """These tests commit (transaction=True): leave the database migrated to every app's latest
    migration, or later tests in the worker miss whatever came after 0023."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _course(apps, name, provider):
    return apps.get_model("institutions", "TrainingCourse").objects.create(
        name=name,
        provider=provider,
        kind="in_service",
        starts_on=dt.date(2026, 3, 1),
        ends_on=dt.date(2026, 3, 2),
        hours=Decimal("8"),
    )


def test_providers_come_from_distinct_texts_and_go_back():
    old = migrate(BEFORE)
    try:
        a = _course(old, "甲", "温州大学")
        b = _course(old, "乙", " 温州大学 ")
        c = _course(old, "丙", "某培训学校")
    finally:
        new = migrate(AFTER)
    Provider = new.get_model("institutions", "TrainingProvider")
    Course = new.get_model("institutions", "TrainingCourse")
    assert sorted(Provider.objects.values_list("name", flat=True)) == ["某培训学校", "温州大学"]
    linked = {course.pk: course.provider_org.name for course in Course.objects.all()}
    assert linked == {a.pk: "温州大学", b.pk: "温州大学", c.pk: "某培训学校"}

    back = migrate(BEFORE)
    assert not back.get_model("institutions", "TrainingProvider").objects.exists()
    texts = dict(
        back.get_model("institutions", "TrainingCourse").objects.values_list("pk", "provider")
    )
    assert texts == {a.pk: "温州大学", b.pk: " 温州大学 ", c.pk: "某培训学校"}
    assert (
        not back.get_model("institutions", "TrainingCourse")
        .objects.filter(provider_org__isnull=False)
        .exists()
    )


def test_without_courses_no_provider_is_created():
    migrate(BEFORE)
    new = migrate(AFTER)
    assert not new.get_model("institutions", "TrainingProvider").objects.exists()
