"""Every PostgreSQL advisory lock the portal takes, registered in one place.

An advisory lock is named by two 32-bit integers; the first is a namespace listed in
`LockNamespace`, so two kinds of lock never wait for each other by accident, and the second is the
key within it. The locks are transaction-scoped (`pg_advisory_xact_lock`): they are released when
the transaction ends, so call `advisory_xact_lock` inside `transaction.atomic`, before the reads it
protects (lock, then read).

On another database (the SQLite fallback, which serialises writes anyway) nothing is locked.
tests/architecture/test_locks.py checks that no other module takes an advisory lock.
"""

from __future__ import annotations

import enum
import hashlib

from django.db import connection

INT4_MIN, INT4_MAX = -(2**31), 2**31 - 1


@enum.unique
class LockNamespace(enum.IntEnum):
    # One computation of a month's indicators at a time (metrics.services.compute_period); the
    # key is the month (year * 12 + month).
    INDICATOR_MONTH = 7_000_001
    # An institution's fee month (vouchers.services): redemptions and reversals take it shared,
    # settlement approval exclusive; the key is (institution id, year * 12 + month).
    VOUCHER_FEE_MONTH = 7_000_002
    # The registry's facts kept per day (institutions.facts_store): filling in the missing rows
    # takes it exclusive; every write to a fact table takes it shared, in the trigger that drops
    # the institution's kept rows, so no fill reads a fact that a running write is changing. The
    # key is 0 (one lock).
    REGISTRY_FACTS = 7_000_003


def lock_key(key: int | tuple[int, ...]) -> int:
    """The 32-bit key: an integer that fits is itself; anything else (a tuple of ids) is folded
    into one by a stable hash. Two keys folded alike only make their transactions take turns."""
    if isinstance(key, int) and INT4_MIN <= key <= INT4_MAX:
        return key
    digest = hashlib.blake2b(repr(key).encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big", signed=True)


def advisory_xact_lock(
    namespace: LockNamespace, key: int | tuple[int, ...], *, shared: bool = False
) -> None:
    """Wait for, then hold until the transaction ends, the lock on (namespace, key): exclusive,
    or shared (shared holders never wait for each other, only for an exclusive one)."""
    if connection.vendor != "postgresql":
        return
    expression, params = advisory_xact_lock_sql(namespace, key, shared=shared)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {expression}", params)


def advisory_xact_lock_sql(
    namespace: LockNamespace, key: int | tuple[int, ...], *, shared: bool = False
) -> tuple[str, list[int]]:
    """The same lock as an SQL expression and its parameters, for a statement that must take it
    at a precise point of its own (vouchers.services.redemption_sql: the voucher row first, then
    this lock, in one round trip). PostgreSQL only."""
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    return f"{function}(%s, %s)", [int(LockNamespace(namespace)), lock_key(key)]
