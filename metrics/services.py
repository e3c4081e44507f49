"""Writes of the indicators: computing a month's snapshots and replacing them atomically."""

from __future__ import annotations

import datetime as dt
import json
import logging
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from portal import jobs
from portal.dates import add_months
from portal.locks import LockNamespace, advisory_xact_lock

from .computation import compute_figures
from .models import ComputeRun, Snapshot, Target

logger = logging.getLogger(__name__)
VALUE_PLACES = Decimal("0.000001")
RATIO_PLACES = Decimal("0.0001")


def status_for(value: Decimal | None, target: Target | None, period: dt.date) -> str:
    if value is None:
        return Snapshot.Status.NO_DATA
    if target is None:
        return Snapshot.Status.TRACKED
    met = (
        value >= target.value
        if target.comparison == Target.Comparison.AT_LEAST
        else value <= target.value
    )
    if met:
        return Snapshot.Status.MET
    if target.by_year_end and period.month != 12:
        return Snapshot.Status.TRACKED  # a year's target, judged in December
    return Snapshot.Status.NOT_MET


def _q(value, places=VALUE_PLACES):
    return None if value is None else Decimal(value).quantize(places)


def _lock_period(period: dt.date) -> None:
    """Two computations of one month at once run one after the other (PostgreSQL).

    It also turns JIT compilation off for this transaction only: the registry query's many
    correlated subqueries give it a high estimated cost, so PostgreSQL spent about 1.8 s of its
    2.9 s compiling it at province scale (EXPLAIN ANALYZE, bench issue 9) to save milliseconds.
    And it gives the set-based registry's sorts and hashes (institutions.facts) room in memory:
    with the default 4 MB the care staff of a province were sorted on disk (issue 21).
    """
    advisory_xact_lock(LockNamespace.INDICATOR_MONTH, period.year * 12 + period.month)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '64MB'")


def database_now() -> dt.datetime:
    """The database's clock: one clock for every web and worker host."""
    if connection.vendor != "postgresql":
        return timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        return cursor.fetchone()[0]


SNAPSHOT_COLUMNS = ("area", "indicator", "value", "numerator", "denominator", "target", "status")


def _insert_snapshots(period: dt.date, computed_at: dt.datetime, rows: list[tuple]) -> None:
    """Insert a month's snapshots, each row SNAPSHOT_COLUMNS' values. On PostgreSQL the rows
    travel as one JSON parameter, the decimals as their exact text, read back in SQL: the same
    rows as bulk_create, which spent about 20 ms of a province's month preparing and quoting
    7,000 values one by one."""
    if connection.vendor != "postgresql":
        Snapshot.objects.bulk_create(
            [
                Snapshot(
                    period=period,
                    computed_at=computed_at,
                    **dict(zip(SNAPSHOT_COLUMNS, row, strict=True)),
                )
                for row in rows
            ],
            batch_size=1000,
        )
        return
    data = json.dumps(
        [[None if v is None else str(v) for v in row] for row in rows], separators=(",", ":")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {Snapshot._meta.db_table} (period, computed_at, {", ".join(SNAPSHOT_COLUMNS)})
            SELECT %s, %s, r->>0, r->>1, (r->>2)::numeric, (r->>3)::numeric, (r->>4)::numeric,
                (r->>5)::numeric, r->>6
            FROM jsonb_array_elements(%s::jsonb) AS r
            """,  # noqa: S608 - our table's name; values are parameters
            [period, computed_at, data],
        )


def compute_period(period: dt.date, *, unless_computed_since: dt.datetime | None = None) -> int:
    """Compute every indicator for `period` and every area, replacing that month's snapshots in
    one transaction: readers see the old month or the new one, never half of either.

    `computed_at` is when the computation held the month's lock, before its first read, so a
    run that took the lock at or after a time `t` read everything committed before `t`. With
    `unless_computed_since=t` (the time a nightly task started, database_now()), a month such a
    run already wrote is left alone and 0 is returned: two deliveries of the nightly task, on
    two workers at once, compute each month once. Without it the month is always recomputed."""
    period = period.replace(day=1)
    with transaction.atomic():
        _lock_period(period)
        now = database_now()
        if (
            unless_computed_since is not None
            and Snapshot.objects.filter(
                period=period, computed_at__gte=unless_computed_since
            ).exists()
        ):
            logger.info(
                "indicators for %s skipped: computed since %s by another run",
                f"{period:%Y-%m}",
                unless_computed_since.isoformat(),
            )
            return 0
        figures = compute_figures(period)
        targets = {t.indicator: t for t in Target.objects.all()}
        rows = []
        for (area, indicator), figure in figures.items():
            target = targets.get(indicator)
            value = figure.value
            rows.append(
                (
                    area,
                    indicator,
                    _q(value),
                    _q(figure.numerator, RATIO_PLACES),
                    _q(figure.denominator, RATIO_PLACES),
                    target.value if target else None,
                    status_for(value, target, period),
                )
            )
        Snapshot.objects.filter(period=period).delete()
        _insert_snapshots(period, now, rows)
    logger.info("indicators computed for %s: %s snapshots", f"{period:%Y-%m}", len(rows))
    return len(rows)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def run_compute(run: ComputeRun) -> ComputeRun:
    """Compute the run's months one by one, recording progress for the dashboard.

    A long job (portal.jobs): run once, however often its task is delivered. A run left
    "running" by a killed worker is taken over once stale, and every month is replaced whole."""
    return jobs.run(ComputeRun, run.pk, _compute_months)


def _compute_months(run: ComputeRun) -> None:
    months = months_between(run.first_period, run.last_period)
    jobs.begin(run, total=len(months))
    for done, month in enumerate(months, start=1):
        compute_period(month)
        jobs.advance(run, done, committed=True)  # each month is its own transaction


def request_compute(*, first: dt.date, last: dt.date, actor=None) -> ComputeRun:
    """Queue a recompute (runs in a Celery worker after the transaction commits).

    With the broker down the run stays "queued" and the person is told; the sweep
    metrics.tasks.requeue_waiting_runs queues it once the broker is back."""
    run = ComputeRun.objects.create(
        first_period=first.replace(day=1),
        last_period=last.replace(day=1),
        months_total=len(months_between(first, last)),
        requested_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    jobs.enqueue(run)
    return run
