"""Make a backup and prove it restores: pg_dump, pg_restore into a scratch database, compare.

    manage.py backup_check --output /var/backups/lequing/lequing-$(date +%F).dump
    manage.py backup_check --dump /var/backups/lequing/lequing-2026-11-27.dump

Without --dump, the database is dumped (custom format) from one exported snapshot, and the rows
the comparison counts are read in that same snapshot: writes during the dump change neither side,
so on a busy portal any difference is a real one. With --dump, an existing file is restored and
compared with the database as it is now (expect differences for what changed since).

The dump is restored into a scratch database on the same server (the connection settings are
Django's DATABASES["default"]; the role needs CREATEDB), which is dropped afterwards whatever
happens. Compared: the row count of every table (every model's, history and join tables
included), and every voucher's balance, ledger sum and ledger entry count. The summary goes to
stdout; any difference, or a dump or restore that fails, exits non-zero. No row's content is
printed, only counts and voucher ids.

The Fernet keys that encrypt personal data are not in the database, so not in the dump: they
are backed up separately (docs/backup.md).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import uuid
from decimal import Decimal
from pathlib import Path

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from vouchers.models import LedgerEntry, Voucher

Figures = dict[str, object]


def _pg_env(settings_dict: dict) -> dict[str, str]:
    env = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
    ):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        # pg_dump and pg_restore name objects, never row data.
        raise CommandError(
            f"{command[0]} failed ({done.returncode}): {done.stderr.strip()[-2000:]}"
        )


def _connect(dbname: str | None = None, *, autocommit: bool = False):
    params = connection.get_connection_params()
    if dbname:
        params["dbname"] = dbname
    raw = connection.get_new_connection(params)
    raw.autocommit = autocommit
    return raw


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def model_tables() -> set[str]:
    return {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


def figures(raw) -> Figures:
    """Row counts of every table in the public schema, and each voucher's money."""
    with raw.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
        tables = [row[0] for row in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {_quote(table)}")  # noqa: S608 - catalog name, quoted
            counts[table] = cursor.fetchone()[0]
        voucher, ledger = Voucher._meta, LedgerEntry._meta
        cursor.execute(
            "SELECT v.{pk}, v.{balance}, coalesce(sum(l.{amount}), 0), count(l.{lpk}) "  # noqa: S608 - model names, quoted
            "FROM {vouchers} v LEFT JOIN {ledger} l ON l.{fk} = v.{pk} "
            "GROUP BY v.{pk}, v.{balance}".format(
                pk=_quote(voucher.pk.column),
                balance=_quote(voucher.get_field("balance").column),
                amount=_quote(ledger.get_field("amount").column),
                lpk=_quote(ledger.pk.column),
                vouchers=_quote(voucher.db_table),
                ledger=_quote(ledger.db_table),
                fk=_quote(ledger.get_field("voucher").column),
            )
        )
        money = {row[0]: (Decimal(row[1]), Decimal(row[2]), row[3]) for row in cursor.fetchall()}
    return {"counts": counts, "vouchers": money}


def differences(live: Figures, restored: Figures) -> list[str]:
    found = []
    for table in sorted(model_tables() - set(restored["counts"])):
        found.append(f"table {table}: missing from the restored database")
    for table in sorted(set(live["counts"]) | set(restored["counts"])):
        before, after = live["counts"].get(table), restored["counts"].get(table)
        if before != after:
            found.append(f"table {table}: {before} rows in the database, {after} restored")
    for pk in sorted(set(live["vouchers"]) | set(restored["vouchers"])):
        before, after = live["vouchers"].get(pk), restored["vouchers"].get(pk)
        if before != after:
            found.append(
                f"voucher {pk}: (balance, ledger sum, entries) {before} in the database, "
                f"{after} restored"
            )
    return found


class Command(BaseCommand):
    help = "pg_dump the database, pg_restore it into a scratch database and compare (see docs/backup.md)."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="Keep the new dump at this path (custom format).")
        parser.add_argument(
            "--dump", help="Check this existing dump instead of making one (compared with now)."
        )

    def handle(self, *args, output=None, dump=None, **options):
        if connection.vendor != "postgresql":
            raise CommandError("backup_check needs PostgreSQL.")
        if output and dump:
            raise CommandError("Give --output or --dump, not both.")
        settings_dict = connection.settings_dict
        env = _pg_env(settings_dict)
        source = settings_dict["NAME"]
        scratch = f"{source[:40]}_restore_check_{uuid.uuid4().hex[:8]}"
        with tempfile.TemporaryDirectory(prefix="backup-check-") as workdir:
            if dump:
                path = Path(dump)
                if not path.is_file():
                    raise CommandError(f"No dump at {path}.")
                live_raw = _connect()
                try:
                    live = figures(live_raw)
                finally:
                    live_raw.close()
            else:
                path = Path(output) if output else Path(workdir) / "check.dump"
                live = self._dump(path, env, source)
            self.stdout.write(f"dump: {path} ({path.stat().st_size} bytes)")
            restored = self._restore(path, env, scratch)
        found = differences(live, restored)
        drift = [
            pk for pk, (balance, total, _n) in restored["vouchers"].items() if balance != total
        ]
        self.stdout.write(
            f"tables: {len(restored['counts'])}, rows: {sum(restored['counts'].values())}, "
            f"vouchers: {len(restored['vouchers'])} "
            f"(balance {sum(v[0] for v in restored['vouchers'].values())} yuan), "
            f"balance differs from its ledger: {len(drift)}"
        )
        if found:
            for line in found:
                self.stderr.write(line)
            raise CommandError(f"The restored copy differs: {len(found)} difference(s).")
        self.stdout.write(self.style.SUCCESS("restored copy matches: every table and voucher"))

    def _dump(self, path: Path, env: dict[str, str], source: str) -> Figures:
        """pg_dump from an exported snapshot, and the figures read in that same snapshot."""
        snapshot_raw = _connect()
        try:
            with snapshot_raw.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
            _run(
                [
                    "pg_dump",
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    f"--file={path}",
                    f"--dbname={source}",
                ],
                env,
            )
            return figures(snapshot_raw)
        finally:
            snapshot_raw.close()

    def _restore(self, path: Path, env: dict[str, str], scratch: str) -> Figures:
        admin = _connect(autocommit=True)
        try:
            with admin.cursor() as cursor:
                cursor.execute(f"CREATE DATABASE {_quote(scratch)} TEMPLATE template0")
            try:
                _run(
                    [
                        "pg_restore",
                        "--exit-on-error",
                        "--no-owner",
                        "--no-privileges",
                        f"--dbname={scratch}",
                        str(path),
                    ],
                    env,
                )
                restored_raw = _connect(scratch)
                try:
                    return figures(restored_raw)
                finally:
                    restored_raw.close()
            finally:
                with admin.cursor() as cursor:
                    cursor.execute(f"DROP DATABASE IF EXISTS {_quote(scratch)} WITH (FORCE)")
        finally:
            admin.close()
