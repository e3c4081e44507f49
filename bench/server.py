"""The portal under load: gunicorn started on a free port, requests from client threads, and
pgbench as the database's own reference."""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from .common import BENCH_ENV, PG, PGBENCH_DB, RESULTS, ROOT, ms, pct


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, workers: int):
        self.port = free_port()
        self.workers = workers
        self.process = None

    def __enter__(self):
        self.log = open(RESULTS / "gunicorn.log", "w")
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "lequing_tuoyu.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--timeout",
                "120",
            ],
            cwd=ROOT,
            env={**os.environ, **BENCH_ENV},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                status, _body, _t = request(self.port, "GET", "/healthz")
                if status in (200, 503):
                    return self
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer within 60 s (see bench/results/gunicorn.log)")

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


_local = threading.local()


def request(port: int, method: str, path: str, body=None, headers=None):
    """One request on this thread's connection (reopened when the server closes it)."""
    conn = getattr(_local, "conn", None)
    if conn is None or getattr(_local, "port", None) != port:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        _local.conn, _local.port = conn, port
    data = None if body is None else json.dumps(body).encode()
    all_headers = {"Host": "127.0.0.1", **(headers or {})}
    if data is not None:
        all_headers["Content-Type"] = "application/json"
    start = time.perf_counter()
    try:
        conn.request(method, path, body=data, headers=all_headers)
        response = conn.getresponse()
        payload = response.read()
    except (http.client.HTTPException, OSError):
        conn.close()
        _local.conn = None
        raise
    elapsed = time.perf_counter() - start
    if response.getheader("Connection", "").lower() == "close":
        conn.close()
    return response.status, payload, elapsed


def load(port: int, clients: int, seconds: float, make_request) -> dict:
    """`clients` threads, each sending make_request(client, n) until the time is up."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(index: int) -> None:
        mine, seen, n = [], {}, 0
        while time.perf_counter() < deadline:
            method, path, body, headers = make_request(index, n)
            n += 1
            try:
                status, _payload, elapsed = request(port, method, path, body, headers)
            except (http.client.HTTPException, OSError):
                status, elapsed = -1, 0.0
            seen[status] = seen.get(status, 0) + 1
            if status > 0:
                mine.append(elapsed)
        with lock:
            latencies.extend(mine)
            for status, count in seen.items():
                statuses[status] = statuses.get(status, 0) + count

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    total = sum(statuses.values())
    return {
        "clients": clients,
        "seconds": round(wall, 1),
        "requests": total,
        "throughput_rps": round(total / wall, 1),
        "p50_ms": ms(pct(latencies, 50)),
        "p99_ms": ms(pct(latencies, 99)),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
    }


def pgbench(clients: int, seconds: int) -> dict:
    run = subprocess.run(
        [
            "pgbench",
            "-n",
            "-c",
            str(clients),
            "-j",
            str(min(clients, os.cpu_count() or 1)),
            "-T",
            str(seconds),
            f"{PG}/{PGBENCH_DB}",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    tps = re.search(r"tps = ([\d.]+)", run.stdout)
    latency = re.search(r"latency average = ([\d.]+) ms", run.stdout)
    return {
        "clients": clients,
        "tps": round(float(tps.group(1)), 1) if tps else None,
        "latency_avg_ms": float(latency.group(1)) if latency else None,
    }
