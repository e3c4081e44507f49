"""The bench's province and national data (lequing_tuoyu/demo/bulk.py): the city copied inside
PostgreSQL. A copy that missed a table would measure copies without their dated facts (an
institution with no details is not counted), so the copy must cover the schema and multiply
every copied table's rows and the counted institutions exactly."""

import datetime as dt

import pytest
from django.apps import apps
from django.db import connection

from institutions.selectors import counted_institutions_as_of
from lequing_tuoyu import demo
from lequing_tuoyu.demo import bulk

pytestmark = pytest.mark.django_db


def test_the_copy_covers_every_table_that_points_at_a_copied_one():
    assert bulk.uncovered() == []


def test_a_missing_table_or_unique_rule_is_named(monkeypatch):
    monkeypatch.setattr(
        bulk, "COPIED_MODELS", [m for m in bulk.COPIED_MODELS if m != "vouchers.FeeStatement"]
    )
    monkeypatch.setattr(
        bulk,
        "UNIQUE_VALUES",
        {k: v for k, v in bulk.UNIQUE_VALUES.items() if k != ("inspections_concern", "reference")},
    )
    problems = bulk.uncovered()
    assert "vouchers.FeeStatement points at a copied table but is not copied" in problems
    assert "inspections_concern.reference is unique and has no copy rule" in problems
    with pytest.raises(RuntimeError, match="does not cover"):
        bulk.multiply(2)


def _rows() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for label in bulk.COPIED_MODELS:
            table = apps.get_model(label)._meta.db_table
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - our table names
            counts[table] = cursor.fetchone()[0]
    return counts


def test_three_copies_triple_every_copied_table_and_the_counted_institutions():
    demo.seed(scale="demo", seed=2025, with_indicators=False)
    day = dt.date.today().replace(day=1) - dt.timedelta(days=1)
    before_rows = _rows()
    before_counted = counted_institutions_as_of(day).count()
    assert before_counted > 0
    counts = bulk.multiply(3)
    assert counts == {table: 3 * n for table, n in before_rows.items()}
    assert counted_institutions_as_of(day).count() == 3 * before_counted
