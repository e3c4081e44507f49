"""portal.locks: the advisory locks are PostgreSQL's, named (namespace, key), held until the
transaction ends; shared holders do not wait for each other, an exclusive one waits."""

import pytest
from django.db import connection, transaction

from portal.locks import INT4_MAX, INT4_MIN, LockNamespace, advisory_xact_lock, lock_key

pytestmark = pytest.mark.django_db(transaction=True)


def _held() -> set[tuple[int, int, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT classid::int, objid::bigint, mode FROM pg_locks "
            "WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
        )
        return {(classid, objid, mode) for classid, objid, mode in cursor.fetchall()}


def _as_oid(key: int) -> int:
    return key % 2**32  # pg_locks shows the int4 as an unsigned oid


def test_a_lock_is_held_until_the_transaction_ends():
    with transaction.atomic():
        advisory_xact_lock(LockNamespace.INDICATOR_MONTH, 2025 * 12 + 6)
        assert (7_000_001, 2025 * 12 + 6, "ExclusiveLock") in _held()
    assert not _held()


def test_a_tuple_key_is_folded_into_one_stable_integer():
    key = (12, 2025 * 12 + 6)
    assert lock_key(key) == lock_key((12, 2025 * 12 + 6))
    assert INT4_MIN <= lock_key(key) <= INT4_MAX
    assert lock_key(key) != lock_key((13, 2025 * 12 + 6))
    assert lock_key(5) == 5
    with transaction.atomic():
        advisory_xact_lock(LockNamespace.VOUCHER_FEE_MONTH, key, shared=True)
        assert (7_000_002, _as_oid(lock_key(key)), "ShareLock") in _held()


def test_an_exclusive_lock_waits_for_a_shared_one():
    other = connection.get_new_connection(connection.get_connection_params())
    try:
        key = lock_key((1, 24306))
        with transaction.atomic():
            advisory_xact_lock(LockNamespace.VOUCHER_FEE_MONTH, (1, 24306), shared=True)
            with other.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_xact_lock_shared(%s, %s)", [7_000_002, key])
                assert cursor.fetchone()[0] is True  # shared with shared: no wait
                other.rollback()
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [7_000_002, key])
                assert cursor.fetchone()[0] is False  # exclusive: would wait
                other.rollback()
    finally:
        other.close()
