"""backup_check: a dump that restores into a scratch database with every table's rows and every
voucher's balance and ledger; a restore that differs, or a damaged dump, exits non-zero."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection

from tests.bulk import make_registry
from tests.vouchers.helpers import TODAY, redeem

pytestmark = pytest.mark.django_db(transaction=True)


def scratch_databases() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s",
            [connection.settings_dict["NAME"][:40] + "_restore_check_%"],
        )
        return [row[0] for row in cursor.fetchall()]


@pytest.fixture
def redeemed(voucher, inclusive_a, operator_a):
    make_registry(3)
    with time_machine.travel(TODAY, tick=False):
        redeem(voucher, inclusive_a, amount="300.00", actor=operator_a)
    voucher.refresh_from_db()
    assert voucher.balance == Decimal("2700.00")
    return voucher


def test_a_dump_restores_whole_and_later_shows_what_changed_since(
    redeemed, tmp_path, inclusive_a, operator_a
):
    out = io.StringIO()
    dump = tmp_path / "portal.dump"
    call_command("backup_check", output=str(dump), stdout=out)
    text = out.getvalue()
    assert "restored copy matches" in text
    assert "vouchers: 1 (balance 2700.00 yuan)" in text
    assert "balance differs from its ledger: 0" in text
    assert dump.read_bytes().startswith(b"PGDMP")  # pg_dump's custom format
    assert scratch_databases() == []  # the scratch database is dropped

    # A day later the same dump is a day old: the check says what it lacks, and fails.
    with time_machine.travel(TODAY, tick=False):
        redeem(redeemed, inclusive_a, amount="100.00", key="after-the-dump", actor=operator_a)
    errors = io.StringIO()
    with pytest.raises(CommandError, match="differs"):
        call_command("backup_check", dump=str(dump), stdout=io.StringIO(), stderr=errors)
    report = errors.getvalue()
    assert "table vouchers_ledgerentry: 3 rows in the database, 2 restored" in report
    assert f"voucher {redeemed.pk}: (balance, ledger sum, entries) " in report
    assert scratch_databases() == []


def test_a_damaged_dump_fails_and_leaves_no_scratch_database(redeemed, tmp_path):
    dump = tmp_path / "portal.dump"
    call_command("backup_check", output=str(dump), stdout=io.StringIO())
    dump.write_bytes(dump.read_bytes()[: dump.stat().st_size // 2])  # cut off half-way
    with pytest.raises(CommandError, match="pg_restore failed"):
        call_command("backup_check", dump=str(dump), stdout=io.StringIO())
    assert scratch_databases() == []
