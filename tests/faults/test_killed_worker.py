"""A worker killed (SIGKILL) in the middle of the nightly indicators loses nothing and leaves no
half-written month: the task is acknowledged late, delivered again, and the rerun writes exactly
what an undisturbed run writes.

The kill is made deterministic with a row lock: another connection locks one of the current
month's snapshot rows, so the task computes the previous month (committed), then stops inside
the current month's transaction, waiting to delete that row. That is where the worker dies.
"""

from __future__ import annotations

import os
import signal
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from metrics.models import Snapshot
from metrics.services import compute_period
from metrics.tasks import compute_recent
from portal.dates import add_months
from tests.bulk import make_registry

from .workers import start_worker, stop_worker, wait_for

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

FIELDS = ("value", "numerator", "denominator", "target", "status")


def snapshots(period=None) -> dict:
    rows = Snapshot.objects.all() if period is None else Snapshot.objects.filter(period=period)
    return {
        (row["period"], row["area"], row["indicator"]): tuple(row[f] for f in FIELDS)
        for row in rows.values("period", "area", "indicator", *FIELDS)
    }


def write_snapshots(values: dict) -> None:
    """Replace every snapshot with `values` (the state before the night's run)."""
    now = timezone.now()
    Snapshot.objects.all().delete()
    Snapshot.objects.bulk_create(
        Snapshot(
            period=p, area=a, indicator=i, computed_at=now, **dict(zip(FIELDS, rest, strict=True))
        )
        for (p, a, i), rest in values.items()
    )


def only(values: dict, period) -> dict:
    return {key: value for key, value in values.items() if key[0] == period}


def pool_child(pid: int) -> int:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return int(children[0]) if children else 0


def backend_blocked_by(blocker_pid: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))",
            [blocker_pid],
        )
        row = cursor.fetchone()
    return row[0] if row else 0


def backend_alive(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone()[0] == 1


@pytest.mark.parametrize("victim", ["whole worker (solo pool)", "pool child (prefork)"])
def test_worker_killed_mid_month_leaves_no_half_month_and_the_rerun_matches(tmp_path, victim):
    this_month = timezone.localdate().replace(day=1)
    last_month = add_months(this_month, -1)
    # Yesterday's state: snapshots of a smaller registry. Tonight's data: a larger one.
    make_registry(6)
    compute_period(last_month)
    compute_period(this_month)
    before = snapshots()
    make_registry(6, seed=7)
    compute_period(last_month)
    compute_period(this_month)
    expected = snapshots()  # what an undisturbed run writes
    assert only(expected, this_month) != only(before, this_month)  # the test can tell them apart
    write_snapshots(before)

    queue = f"faults-{uuid.uuid4().hex[:8]}"
    log = tmp_path / "worker.log"
    prefork = victim.startswith("pool child")
    blocker = connection.get_new_connection(connection.get_connection_params())
    workers = []
    try:
        with blocker.cursor() as cursor:  # an open transaction holding one row of this month
            cursor.execute(
                f'SELECT 1 FROM "{Snapshot._meta.db_table}" '  # noqa: S608 - the model's own table
                "WHERE period = %s AND area = 'city' AND indicator = 'K1' FOR UPDATE",
                [this_month],
            )
        workers.append(start_worker(queue, log, pool="prefork" if prefork else "solo"))
        result = compute_recent.apply_async(queue=queue)
        stuck = wait_for(
            lambda: backend_blocked_by(blocker.info.backend_pid),
            timeout=60,
            what="the task to reach the current month",
        )
        # Mid-way: the previous month is committed, the current one is being replaced.
        assert snapshots(last_month) == only(expected, last_month)

        worker = workers[0]
        victim_pid = pool_child(worker.pid) if prefork else worker.pid
        assert victim_pid
        os.kill(victim_pid, signal.SIGKILL)
        if not prefork:
            worker.wait(timeout=10)

        # Each month whole: the previous one new, the current one exactly as before the run.
        assert snapshots(last_month) == only(expected, last_month)
        assert snapshots(this_month) == only(before, this_month)

        # The dead worker's half transaction goes once its connection notices (when the lock is
        # released): it is rolled back, never committed.
        blocker.rollback()
        wait_for(lambda: not backend_alive(stuck), timeout=30, what="the orphaned backend to end")
        if not prefork:
            assert snapshots(this_month) == only(before, this_month)
            # A new worker gets the unacknowledged task after the visibility timeout.
            workers.append(start_worker(queue, log))
        # With prefork, the surviving main process requeued it at once (reject_on_worker_lost).

        assert result.get(timeout=60) == len(expected)
        assert snapshots() == expected
        assert Snapshot.objects.filter(period=this_month).count() == len(only(expected, this_month))
        # Delivered twice: to the worker that died, and again.
        received = f"Task metrics.tasks.compute_recent[{result.id}] received"
        assert log.read_text().count(received) >= 2
    finally:
        blocker.close()
        for worker in workers:
            stop_worker(worker)
