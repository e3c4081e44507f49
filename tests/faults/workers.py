"""Real Celery worker subprocesses that a test may kill, for the fault tests.

Like tests/conftest.py's celery_worker_process, but the test holds the process, and the broker
redelivers an unacknowledged task after VISIBILITY_TIMEOUT seconds instead of an hour.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VISIBILITY_TIMEOUT = 4


def child_env() -> dict[str, str]:
    """The environment of a worker or web process: the test settings, the test database (by
    name) and this test process's Redis database."""
    from django.conf import settings
    from django.db import connection

    db = connection.settings_dict
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": settings.CELERY_BROKER_URL,
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
    }


def start_worker(
    queue: str, log: Path, *, pool: str = "solo", hostname: str | None = None
) -> subprocess.Popen:
    """Start `celery worker` on `queue` against the test database; returns once it is ready."""
    env = child_env()
    handle = log.open("a")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "lequing_tuoyu",
            "worker",
            "--pool",
            pool,
            "--concurrency",
            "1",
            "--queues",
            queue,
            "--loglevel",
            "INFO",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            *(["--hostname", hostname] if hostname else []),
        ],
        cwd=ROOT,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
    )
    handle.close()
    started = log.stat().st_size if log.exists() else 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if b" ready." in log.read_bytes()[started:]:
            return process
        if process.poll() is not None:
            raise RuntimeError(f"worker exited: {log.read_text()[-2000:]}")
        time.sleep(0.2)
    stop_worker(process)
    raise RuntimeError(f"worker not ready: {log.read_text()[-2000:]}")


def stop_worker(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_for(condition, *, timeout: float, what: str, every: float = 0.2):
    """Poll `condition()` until it returns something truthy; that value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
