"""Scaled out: two web processes (gunicorn) and two Celery workers on one PostgreSQL database.

- The nightly indicators delivered to both workers at once compute each month once: the month's
  advisory lock makes the second run wait, and it then finds the month computed after it started
  and skips it (metrics.services.compute_period's `unless_computed_since`). A later run computes
  again, so late reports still count.
- Redemptions of one voucher sent through both web processes at once never overspend: exactly
  as many succeed as the balance pays for, the rest are refused with 409, and the ledger agrees.

docs/scaling.md ("Processes at each scale") points here.
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Sum
from django.utils import timezone
from rest_framework.authtoken.models import Token

from institutions.models import FeeStandard
from metrics.models import Indicator, Snapshot
from metrics.tasks import compute_recent
from portal.dates import add_months
from portal.locks import LockNamespace
from tests.bulk import make_registry
from vouchers import services
from vouchers.models import LedgerEntry, Redemption, Voucher, VoucherBatch

from .workers import ROOT, child_env, start_worker, stop_worker, wait_for

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

WEB_PROCESSES = 2
THREADS_PER_WEB_PROCESS = 4


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    finally:
        conn.close()


def start_web(log: Path) -> tuple[subprocess.Popen, int]:
    """gunicorn on a free port against the test database; returns once it answers."""
    port = free_port()
    handle = log.open("a")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "lequing_tuoyu.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--worker-class",
            "gthread",
            "--threads",
            str(THREADS_PER_WEB_PROCESS),
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env=child_env(),
        stdout=handle,
        stderr=subprocess.STDOUT,
    )
    handle.close()
    return process, port


def wait_answering(process: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log.read_text()[-2000:]}")
        try:
            if get(port, "/healthz") in (200, 503):
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn not answering: {log.read_text()[-2000:]}")


@pytest.fixture(scope="module")
def deployment(django_db_setup, tmp_path_factory):
    """Two gunicorn processes and two Celery workers (solo pool, one task at a time each,
    distinct hostnames) on a queue of their own; every one stopped at the end, whatever
    happened."""
    logs = tmp_path_factory.mktemp("scale-out")
    queue = f"scale-out-{uuid.uuid4().hex[:8]}"
    webs: list[tuple[subprocess.Popen, int, Path]] = []
    workers: list[subprocess.Popen] = []
    try:
        for n in range(WEB_PROCESSES):
            log = logs / f"web{n}.log"
            webs.append((*start_web(log), log))
        for n in range(2):
            workers.append(
                start_worker(
                    queue, logs / f"worker{n}.log", hostname=f"w{n}-{queue}@%h", pool="solo"
                )
            )
        for process, port, log in webs:
            wait_answering(process, port, log)
        yield {
            "queue": queue,
            "ports": [port for _process, port, _log in webs],
            "worker_logs": [logs / f"worker{n}.log" for n in range(2)],
        }
    finally:
        for worker in workers:
            stop_worker(worker)
        for process, _port, _log in webs:
            stop_worker(process)  # SIGTERM (gunicorn's graceful stop), then SIGKILL


# --- the nightly computation ---------------------------------------------------------------


def backends_blocked_by(blocker_pid: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))",
            [blocker_pid],
        )
        return cursor.fetchone()[0]


def log_count(logs: list[Path], pattern: str) -> int:
    return sum(len(re.findall(pattern, log.read_text())) for log in logs)


def computed_at(period) -> set:
    return set(Snapshot.objects.filter(period=period).values_list("computed_at", flat=True))


def test_the_nightly_task_sent_to_both_workers_computes_each_month_once(deployment):
    make_registry(4)
    this_month = timezone.localdate().replace(day=1)
    months = (add_months(this_month, -1), this_month)
    queue, logs = deployment["queue"], deployment["worker_logs"]
    computed = r"indicators computed for {:%Y-%m}:"
    skipped = r"indicators for {:%Y-%m} skipped: computed since"
    before = {m: log_count(logs, computed.format(m)) for m in months}

    # Both deliveries start, then wait on the months' advisory locks, held here until both
    # workers are inside the computation: the two runs overlap for certain.
    blocker = connection.get_new_connection(connection.get_connection_params())
    try:
        with blocker.cursor() as cursor:
            for month in months:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(%s, %s)",
                    [int(LockNamespace.INDICATOR_MONTH), month.year * 12 + month.month],
                )
        results = [compute_recent.apply_async(queue=queue) for _ in range(2)]
        wait_for(
            lambda: backends_blocked_by(blocker.info.backend_pid) == 2,
            timeout=60,
            what="both workers to wait on the month's lock",
        )
        blocker.rollback()
    finally:
        blocker.close()
    counts = [result.get(timeout=60) for result in results]

    per_month = Snapshot.objects.filter(period=this_month).count()
    # 25 areas and the city, every indicator.
    assert per_month == 26 * len(Indicator.values)
    # One worker each, and between them each month computed once and skipped once.
    assert [
        log_count([log], r"Task metrics\.tasks\.compute_recent\[[^\]]+\] received") for log in logs
    ] == [1, 1]
    assert sum(counts) == 2 * per_month, counts
    for month in months:
        assert log_count(logs, computed.format(month)) == before[month] + 1
        assert log_count(logs, skipped.format(month)) == 1
        assert len(computed_at(month)) == 1  # one computation's rows, not a mix
    first = {month: computed_at(month) for month in months}

    # The other side: a run that starts after the months were computed computes them again (a
    # report filed since must count), and the logs and rows show the second computation.
    assert compute_recent.apply_async(queue=queue).get(timeout=60) == 2 * per_month
    for month in months:
        assert log_count(logs, computed.format(month)) == before[month] + 2
        assert computed_at(month) != first[month]


# --- the redemption race -------------------------------------------------------------------

K = 10  # redemptions the balance pays for
FEE = Decimal("300.00")


def post_redemption(port: int, token: str, code: str, key: str) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(
            "POST",
            "/api/v1/redemptions/",
            body=json.dumps({"voucher_code": code, "fee_month": "2025-03", "amount": str(FEE)}),
            headers={
                "Authorization": f"Token {token}",
                "Content-Type": "application/json",
                "Idempotency-Key": key,
            },
        )
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        conn.close()


def test_a_redemption_race_across_both_web_processes_never_overspends(
    deployment, voucher, inclusive_a, operator_a
):
    # Only the balance limits these redemptions: a high monthly cap and fee.
    VoucherBatch.objects.filter(pk=voucher.batch_id).update(monthly_cap=Decimal("100000"))
    Voucher.objects.filter(pk=voucher.pk).update(monthly_cap=Decimal("100000"))
    FeeStandard.objects.filter(institution=inclusive_a).update(monthly_full_day=Decimal("100000"))
    voucher.refresh_from_db()
    assert voucher.balance == K * FEE  # exactly K redemptions' worth
    token = Token.objects.create(user=operator_a).key
    ports = deployment["ports"]

    count = 2 * K
    barrier = threading.Barrier(count)
    answers: list = [None] * count

    def send(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            answers[i] = post_redemption(ports[i % len(ports)], token, voucher.code, f"race-{i}")
        except Exception as error:  # noqa: BLE001 - collected for the assertions
            answers[i] = error

    threads = [threading.Thread(target=send, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)

    assert all(isinstance(answer, tuple) for answer in answers), answers
    statuses = [status for status, _body in answers]
    assert sorted(statuses) == [201] * K + [409] * K, answers
    for port in ports:  # both web processes answered their half
        assert len([a for i, a in enumerate(answers) if ports[i % len(ports)] == port]) == K
    refused = [body for status, body in answers if status == 409]
    assert all("insufficient_balance" in json.dumps(body) for body in refused), refused
    # Each success saw the balance the one before it left: they ran one after the other.
    balances = sorted(Decimal(body["balance_after"]) for status, body in answers if status == 201)
    assert balances == [FEE * n for n in range(K)]

    voucher.refresh_from_db()
    assert voucher.balance == Decimal("0.00")
    ledger = LedgerEntry.objects.filter(voucher=voucher).aggregate(total=Sum("amount"))["total"]
    assert ledger == voucher.balance
    assert Redemption.objects.filter(voucher=voucher).count() == K
    assert services.reconcile_balances() == []
