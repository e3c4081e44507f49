"""What every part of `make bench` shares: where the databases and results are, the production-like
environment the server and this process run under, the results being gathered, and the databases
themselves.

Importing it sets that environment (os.environ), so it is imported before Django is set up.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
# BENCH_DB names the databases: the bench creates and drops it, <name>_pgbench and
# <name>_migrated, so two people's runs on one PostgreSQL never collide.
DB_NAME = os.environ.get("BENCH_DB", "lequing_tuoyu_bench")
PGBENCH_DB = f"{DB_NAME}_pgbench"
TEMPLATE_DB = f"{DB_NAME}_migrated"  # the empty migrated schema, copied for each scale
TEMPLATE_READY: list[bool] = []
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS_DB = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/13")
STATIC = Path(tempfile.gettempdir()) / f"{DB_NAME}_static"

# The server and this process share one production-like configuration (DEBUG off, real keys).
BENCH_ENV = {
    "DJANGO_SETTINGS_MODULE": "lequing_tuoyu.settings",
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "bench-secret-key-" + "x" * 40,
    "PERSONAL_DATA_KEYS": "YmVuY2gta2V5LWJlbmNoLWtleS1iZW5jaC1rZXktMzI=",
    "PERSONAL_DATA_HASH_KEY": "bench-hash-key",
    "DATABASE_URL": f"{PG}/{DB_NAME}",
    "REDIS_URL": REDIS_DB,
    "DJANGO_SECURE_SSL_REDIRECT": "0",  # plain http on 127.0.0.1
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "DJANGO_STATIC_ROOT": str(STATIC),
    # One operator token drives many clients: the per-user API throttle (1200/minute) would
    # refuse them; it still runs (a Redis round trip per request), it just never refuses.
    "API_THROTTLE_USER": "100000000/minute",
    "LOG_LEVEL": "WARNING",
}
os.environ.update(BENCH_ENV)
sys.path.insert(0, str(ROOT))

RESULT: dict = {"scenarios": {}, "notes": []}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def note(message: str) -> None:
    RESULT["notes"].append(message)
    log("NOTE " + message)


def pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


# --- databases -----------------------------------------------------------------------------------


def admin_sql(statement: str) -> None:
    subprocess.run(["psql", f"{PG}/postgres", "-qAt", "-c", statement], check=True)


def recreate_database() -> None:
    """An empty, migrated database. Migrating took minutes on the loaded machine, so the first
    migrated database is kept as a template and later scales are copied from it."""
    from django.core.management import call_command
    from django.db import connections

    connections.close_all()
    admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    if TEMPLATE_READY:
        admin_sql(f"CREATE DATABASE {DB_NAME} TEMPLATE {TEMPLATE_DB}")
        return
    admin_sql(f"CREATE DATABASE {DB_NAME}")
    call_command("migrate", interactive=False, verbosity=0)
    connections.close_all()
    admin_sql(f"DROP DATABASE IF EXISTS {TEMPLATE_DB} WITH (FORCE)")
    admin_sql(f"CREATE DATABASE {TEMPLATE_DB} TEMPLATE {DB_NAME}")
    TEMPLATE_READY.append(True)


def drop_databases() -> None:
    from django.db import connections

    connections.close_all()
    for name in (DB_NAME, PGBENCH_DB, TEMPLATE_DB):
        admin_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def flush_cache() -> None:
    from django.core.cache import cache

    cache.clear()  # the bench's own Redis database (BENCH_REDIS), never the portal's


# --- machine -------------------------------------------------------------------------------------


def machine() -> dict:
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    return {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "cores": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "postgresql": pg_version,
        "django": django.get_version(),
        "platform": platform.platform(),
        "load_average_start": os.getloadavg(),
    }
