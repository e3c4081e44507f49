"""The registry's facts at a day, kept (issue 21): `FactsAtDay` holds institutions.facts' rows
for each day the indicators have read, and a write to any fact drops the rows of the
institution it touches.

The nightly computation recomputes the current and previous month every night, though almost
every institution's facts at those days have not changed since the last night. Reading the
registry at D set-based costs one pass over every fact table (the care staff's certificates
and training above all); reading the kept rows costs one index scan of ~one row per
institution. `fill(day)` first computes the rows that are missing, then `kept_sql(day)` reads:

- every row, the first time a day is read;
- the rows of the institutions written to since (their rows were dropped by the trigger);
- every row, when the rules changed (`FACTS_VERSION`: the rows of another version are dropped).

The trigger `institutions_facts_at_day_stale` (migration 0025) sits on every table the facts
read: for each row written it drops the kept rows of the row's institution (through the staff
member for certificates, role records and attendance; through the attendance for a course).
It takes the REGISTRY_FACTS advisory lock shared, and filling in takes it exclusive, before
reading: a fill never reads while a fact is being written, so it never keeps a row computed
from facts a writer is about to commit (or a writer's drop would come before the stale row
it should have dropped).

`manage.py rebuild_facts_at_day` drops every kept row; the next computation of each month
fills its day in again. PostgreSQL only: elsewhere the indicators read institutions_as_of.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

from portal.locks import LockNamespace, advisory_xact_lock

from .facts import FACT_COLUMNS, FACTS_VERSION, TRAINING_COLUMNS, facts_sql
from .facts_at_day import FactsAtDay

# Every fact column except the institution's id (the row's `institution_id`).
KEPT_COLUMNS = tuple(c for c in (*FACT_COLUMNS, *TRAINING_COLUMNS) if c != "id")


TABLE = FactsAtDay._meta.db_table


def kept_sql(day: dt.date, *, filed_and_open_only: bool) -> tuple[str, list]:
    """The registry at `day`, as `facts_sql` gives it, read from the kept rows: call `fill(day)`
    first, in the same transaction (no write to a fact commits until it ends)."""
    counted = " AND is_counted" if filed_and_open_only else ""
    columns = ", ".join(KEPT_COLUMNS)
    sql = f"SELECT institution_id AS id, {columns} FROM {TABLE} WHERE day = %s{counted}"  # noqa: S608
    return sql, [day]


def fill(day: dt.date) -> int:
    """Compute and keep the rows missing at `day` (see the module's docstring); returns how
    many were computed. One statement after the lock; two more when rows are missing (three
    for a new day: its statistics)."""
    advisory_xact_lock(LockNamespace.REGISTRY_FACTS, 0)
    with connection.cursor() as cursor:
        # The rows of another version are dropped, and counted as missing (the statement reads
        # the table as it stood before its own DELETE).
        cursor.execute(
            f"""WITH other_version AS (
                DELETE FROM {TABLE} WHERE day = %s AND version <> %s
            )
            SELECT array_agg(i.id) FILTER (WHERE k.id IS NULL), count(k.id)
            FROM institutions_institution i
            LEFT JOIN {TABLE} k ON k.day = %s AND k.version = %s AND k.institution_id = i.id
            """,  # noqa: S608 - our table's name
            [day, FACTS_VERSION, day, FACTS_VERSION],
        )
        missing, kept = cursor.fetchone()
        if not missing:
            return 0
        # None kept: one pass over the fact tables; some: only the missing institutions' rows.
        sql, params = facts_sql(day, institution_ids=missing if kept else None)
        columns = ", ".join(KEPT_COLUMNS)
        cursor.execute(
            f"""INSERT INTO {TABLE} (day, version, institution_id, {columns})
            SELECT %s, %s, f.id, {columns} FROM ({sql}) AS f""",  # noqa: S608
            [day, FACTS_VERSION, *params],
        )
        if not kept:
            # A new day's rows: without fresh statistics PostgreSQL guessed a handful of rows at
            # the new day and joined them by nested loops (the findings' query took 100 ms
            # instead of 30 at province scale). ANALYZE samples a bounded number of rows.
            cursor.execute(f"ANALYZE {TABLE}")
    return len(missing)


def drop_all() -> int:
    """Drop every kept row (manage.py rebuild_facts_at_day); returns how many."""
    deleted, _ = FactsAtDay.objects.all().delete()
    return deleted
