"""`make run`'s script brings up a working portal: migrate, demo data, web server, worker."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.mark.celery_worker
def test_run_serves_admin_healthz_and_api_docs_on_embedded_sqlite(tmp_path):
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PERSONAL_DATA", "CELERY_"))
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        REDIS_URL="redis://127.0.0.1:6379/13",
        PORT=str(port),
    )
    process = subprocess.Popen(
        [sys.executable, "scripts/run.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        status = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                status, body = _get(f"{base}/healthz")
                break
            except OSError:
                time.sleep(0.5)
        if status is None and process.poll() is not None:
            pytest.fail(f"portal did not come up (exit {process.poll()}):\n{process.stdout.read()}")
        assert status == 200, f"portal did not come up (exit {process.poll()})"
        assert '"database": "ok"' in body and '"broker": "ok"' in body
        status, body = _get(f"{base}/admin/login/")
        assert status == 200 and "乐清市普惠托育服务平台" in body
        status, body = _get(f"{base}/api/docs/")
        assert status == 200 and "swagger-ui" in body
    finally:
        with contextlib.suppress(ProcessLookupError):  # it may have exited: show its output
            os.killpg(process.pid, signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    assert "Database: DATABASE_URL as set" in output
    assert "Celery worker and beat on REDIS_URL as set" in output
    assert "operator1" in output and "lequing2025" in output
    assert f"http://127.0.0.1:{port}/admin/" in output
