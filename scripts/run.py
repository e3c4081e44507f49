"""`make run`: pick the database and broker, prepare the database, start the portal.

Choice, in order: DATABASE_URL / REDIS_URL when set; else PostgreSQL and Redis on localhost when
they answer; else an embedded SQLite file and tasks run in-process (no worker). It says which it
chose, migrates, loads the demo data once, then runs the web server and, with Redis, a Celery
worker and beat, until Ctrl-C.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCAL_PG = "postgres://postgres@127.0.0.1:5432/lequing_tuoyu"
LOCAL_REDIS = "redis://127.0.0.1:6379/0"
SQLITE = f"sqlite:///{ROOT / 'db.sqlite3'}"


def postgres_answers(url: str = LOCAL_PG) -> bool:
    """True if the local server accepts us; creates the portal's database if it is missing."""
    try:
        import psycopg
    except ImportError:
        return False
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    name = url.rsplit("/", 1)[1]
    try:
        with psycopg.connect(admin_url, connect_timeout=2, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
    except Exception:  # noqa: BLE001 - any failure means "not available"
        return False
    return True


def redis_answers(host: str = "127.0.0.1", port: int = 6379) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def choose_backends(
    environ: dict[str, str], *, pg_ok: bool, redis_ok: bool
) -> tuple[dict[str, str], list[str]]:
    """The environment additions and the sentences that explain them."""
    env: dict[str, str] = {}
    said: list[str] = []
    if environ.get("DATABASE_URL"):
        said.append("数据库 Database: DATABASE_URL as set")
    elif pg_ok:
        env["DATABASE_URL"] = LOCAL_PG
        said.append(f"数据库 Database: PostgreSQL on localhost ({LOCAL_PG})")
    else:
        env["DATABASE_URL"] = SQLITE
        said.append("数据库 Database: PostgreSQL not answering, using embedded SQLite (db.sqlite3)")
    if environ.get("REDIS_URL"):
        said.append("任务队列 Tasks: Celery worker and beat on REDIS_URL as set")
    elif redis_ok:
        env["REDIS_URL"] = LOCAL_REDIS
        said.append(f"任务队列 Tasks: Celery worker and beat on Redis ({LOCAL_REDIS})")
    else:
        env["CELERY_TASK_ALWAYS_EAGER"] = "1"
        said.append("任务队列 Tasks: Redis not answering, tasks run in-process (no worker)")
    return env, said


def main() -> int:
    env = {**os.environ}
    env.setdefault("DJANGO_DEBUG", "1")
    env.setdefault("DJANGO_SETTINGS_MODULE", "lequing_tuoyu.settings")
    additions, said = choose_backends(env, pg_ok=postgres_answers(), redis_ok=redis_answers())
    env.update(additions)
    for line in said:
        print(line, flush=True)

    python = sys.executable
    manage = [python, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True)
    subprocess.run([*manage, "seed_demo", "--if-empty", "--yes-demo"], env=env, check=True)

    host = env.get("HOST", "127.0.0.1")
    port = env.get("PORT", "8000")
    children = [subprocess.Popen([*manage, "runserver", "--noreload", f"{host}:{port}"], env=env)]
    if env.get("CELERY_TASK_ALWAYS_EAGER") != "1":
        run_dir = ROOT / ".run"
        run_dir.mkdir(exist_ok=True)
        celery = [python, "-m", "celery", "-A", "lequing_tuoyu"]
        children.append(subprocess.Popen([*celery, "worker", "--loglevel", "INFO"], env=env))
        children.append(
            subprocess.Popen(
                [
                    *celery,
                    "beat",
                    "--loglevel",
                    "INFO",
                    "--schedule",
                    str(run_dir / "beat-schedule"),
                ],
                env=env,
            )
        )

    print(f"\n乐清市普惠托育服务平台 is running: http://{host}:{port}/admin/", flush=True)
    print(f"  Start page for families and the public: http://{host}:{port}/")
    print(f"  Health: http://{host}:{port}/healthz   API docs: http://{host}:{port}/api/docs/")
    print(
        "  Demo logins: see the list above (seed_demo prints them). Ctrl-C to stop.\n", flush=True
    )

    stopping = False

    def stop(*_args):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        while not stopping and all(child.poll() is None for child in children):
            time.sleep(0.5)
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
    return 0 if stopping else 1


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
