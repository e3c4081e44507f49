"""The redemption's hot path in three statements on PostgreSQL (issue 21).

A redemption used to take 16 round trips and about 27 ms of CPU, most of it the ORM compiling
the rule query and saving four models with their history rows one by one. Here:

1. `lock_voucher`: the voucher row locked FOR UPDATE and then, in the same statement, the
   institution's fee month's shared advisory lock. The lock order is the one the concurrency
   design needs (voucher, then month): the CTE hands its locked row up before the outer
   projection calls the lock function.
2. `FACTS_SQL` (also the preview's, and the portable path's): every fact the rules read, in a
   new statement, so its snapshot is taken after both locks are held (lock, then read). The
   month's use is read here too: every writer of a voucher's month (redeem, reverse) holds the
   voucher's row lock first, so under that lock the figure cannot change.
3. `write_sql`: the redemption, its history row, the new balance, the voucher's history row,
   the month's use (created on the month's first redemption) and the ledger entry, in one
   statement of data-modifying CTEs. Every database constraint still applies to each row (no
   negative balance, the month's cap, one key per institution). The columns come from the
   models, and the history rows from the history models, so a field added to either is written
   (or `write_sql` refuses to build, naming the column it does not know).

SQLite (the `make run` fallback) takes the portable path in redemptions.py.
"""

from __future__ import annotations

# ruff: noqa: S608 - the SQL is built only from our models' table and column names
import datetime as dt
from decimal import Decimal
from functools import cache

from django.db import connection
from simple_history.models import HistoricalRecords

from institutions.models import MonthlyReport
from portal.locks import LockNamespace, advisory_xact_lock_sql

from ..models import LedgerEntry, Redemption, Settlement, Voucher, VoucherMonth
from .common import _actor, _month_key

# Every fact the rules read besides the voucher, in one round trip; also the preview's.
FACTS_SQL = """
SELECT
    EXISTS (
        SELECT 1 FROM vouchers_enrolment e
        WHERE e.child_id = %(child)s AND e.institution_id = %(institution)s
          AND e.start <= %(last_day)s AND (e."end" IS NULL OR e."end" >= %(month)s)
    ) AS enrolled,
    EXISTS (
        SELECT 1 FROM vouchers_settlement s
        WHERE s.institution_id = %(institution)s AND s.month = %(month)s
          AND s.state IN (%(approved)s, %(paid)s)
    ) AS settled,
    EXISTS (
        SELECT 1 FROM institutions_inclusiverecognition i
        WHERE i.institution_id = %(institution)s AND i.valid_from <= %(last_day)s
          AND (i.valid_to IS NULL OR i.valid_to >= %(last_day)s)
    ) AS inclusive,
    (
        SELECT r.fee_full_day FROM institutions_monthlyreport r
        WHERE r.institution_id = %(institution)s AND r.period = %(month)s
          AND r.state = %(accepted)s
        ORDER BY r.id LIMIT 1
    ) AS reported_fee,
    (
        SELECT f.monthly_full_day FROM institutions_feestandard f
        WHERE f.institution_id = %(institution)s AND f.effective_from <= %(last_day)s
        ORDER BY f.effective_from DESC LIMIT 1
    ) AS standard_fee,
    (
        SELECT sum(x.amount) FROM vouchers_redemption x
        JOIN vouchers_voucher w ON w.id = x.voucher_id
        WHERE w.child_id = %(child)s AND x.institution_id = %(institution)s
          AND x.fee_month = %(month)s AND x.status = %(active)s
    ) AS already,
    (
        SELECT m.used FROM vouchers_vouchermonth m
        WHERE m.voucher_id = %(voucher)s AND m.fee_month = %(month)s
    ) AS month_used,
    (
        SELECT m.cap FROM vouchers_vouchermonth m
        WHERE m.voucher_id = %(voucher)s AND m.fee_month = %(month)s
    ) AS month_cap,
    (
        SELECT b.inclusive_only FROM vouchers_voucher w
        JOIN vouchers_voucherbatch b ON b.id = w.batch_id
        WHERE w.id = %(voucher)s
    ) AS inclusive_only
"""
FACT_NAMES = (
    "enrolled",
    "settled",
    "inclusive",
    "reported_fee",
    "standard_fee",
    "already",
    "month_used",
    "month_cap",
    "inclusive_only",
)


def facts(
    *, institution_id: int, voucher_id: int, child_id: int, fee_month: dt.date, last_day: dt.date
) -> dict:
    params = {
        "institution": institution_id,
        "voucher": voucher_id,
        "child": child_id,
        "month": fee_month,
        "last_day": last_day,
        "approved": Settlement.State.APPROVED.value,
        "paid": Settlement.State.PAID.value,
        "accepted": MonthlyReport.State.ACCEPTED.value,
        "active": Redemption.Status.ACTIVE.value,
    }
    with connection.cursor() as cursor:
        cursor.execute(FACTS_SQL, params)
        row = cursor.fetchone()
    result = dict(zip(FACT_NAMES, row, strict=True))
    # SQLite answers EXISTS with 0/1.
    for name in ("enrolled", "settled", "inclusive", "inclusive_only"):
        result[name] = bool(result[name])
    return result


def earlier_request(*, institution_id: int, key: str) -> tuple[int, str] | None:
    """(id, request fingerprint) of the redemption made here with this idempotency key."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, request_fingerprint FROM vouchers_redemption "
            "WHERE institution_id = %s AND idempotency_key = %s",
            [institution_id, key],
        )
        return cursor.fetchone()


# --- 1. the voucher, then the month ------------------------------------------------------------


@cache
def _voucher_columns() -> list[str]:
    return [f.column for f in Voucher._meta.concrete_fields]


def lock_voucher(code: str, *, institution_id: int, fee_month: dt.date) -> Voucher | None:
    """The voucher with this code locked FOR UPDATE, then the institution's fee month's shared
    advisory lock, in one statement. None (and no month lock) when no voucher has the code."""
    columns = _voucher_columns()
    lock, lock_params = advisory_xact_lock_sql(
        LockNamespace.VOUCHER_FEE_MONTH, _month_key(institution_id, fee_month), shared=True
    )
    listed = ", ".join(f'v."{c}"' for c in columns)
    sql = (
        "WITH locked AS MATERIALIZED ("
        f"SELECT {listed} FROM vouchers_voucher v WHERE v.code = %s FOR UPDATE) "
        f"SELECT locked.*, {lock} FROM locked"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [code, *lock_params])
        row = cursor.fetchone()
    if row is None:
        return None
    attnames = [f.attname for f in Voucher._meta.concrete_fields]
    return Voucher.from_db(connection.alias, attnames, row[: len(columns)])


# --- 3. every write, in one statement ----------------------------------------------------------


def _history_select(model, source: str) -> tuple[str, str]:
    """The history model's columns and the SELECT list that fills them from `source` (a CTE
    returning the model's row): the row's own columns, then the history fields."""
    own = {f.column for f in model._meta.concrete_fields}
    history = model.history.model
    fills = {
        "history_date": "%(now)s",
        "history_change_reason": "NULL",
        "history_type": f"%(history_type_{source})s",
        "history_user_id": "%(history_user)s",
    }
    columns, values = [], []
    for field in history._meta.concrete_fields:
        if field.column == "history_id":
            continue  # its own sequence
        if field.column in own:
            values.append(f'{source}."{field.column}"')
        elif field.column in fills:
            values.append(fills[field.column])
        else:
            raise LookupError(
                f"{history._meta.db_table}.{field.column}: a history column the redemption's "
                "single statement does not know how to fill"
            )
        columns.append(f'"{field.column}"')
    return ", ".join(columns), ", ".join(values)


def _insert_columns(model) -> list:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


@cache
def write_sql() -> str:
    redemption_fields = _insert_columns(Redemption)
    redemption_columns = ", ".join(f'"{f.column}"' for f in redemption_fields)
    redemption_values = ", ".join(f"%(r_{f.column})s" for f in redemption_fields)
    r_history = _history_select(Redemption, "r")
    v_history = _history_select(Voucher, "v")
    ledger = LedgerEntry._meta.db_table
    month = VoucherMonth._meta.db_table
    return f"""
WITH r AS (
    INSERT INTO {Redemption._meta.db_table} ({redemption_columns})
    VALUES ({redemption_values})
    RETURNING *
), hr AS (
    INSERT INTO {Redemption.history.model._meta.db_table} ({r_history[0]})
    SELECT {r_history[1]} FROM r
), v AS (
    UPDATE {Voucher._meta.db_table} SET balance = balance - %(amount)s
    WHERE id = %(voucher)s
    RETURNING *
), hv AS (
    INSERT INTO {Voucher.history.model._meta.db_table} ({v_history[0]})
    SELECT {v_history[1]} FROM v
), m AS (
    INSERT INTO {month} (voucher_id, fee_month, used, cap)
    VALUES (%(voucher)s, %(month)s, %(amount)s, %(cap)s)
    ON CONFLICT (voucher_id, fee_month)
    DO UPDATE SET used = {month}.used + EXCLUDED.used
    RETURNING id
), l AS (
    INSERT INTO {ledger}
        (voucher_id, kind, amount, balance_after, redemption_id, institution_id, reason,
         created_by_id, created_at)
    SELECT v.id, %(kind)s, 0 - %(amount)s, v.balance, r.id, r.institution_id, '',
           %(actor)s, %(now)s
    FROM r, v
)
SELECT r.id, v.balance, (SELECT count(*) FROM m) FROM r, v
"""


def history_user_id(actor) -> int | None:
    """Who simple-history would record: the actor, else the signed-in user of the request."""
    user = _actor(actor)
    if user is None:
        request = getattr(HistoricalRecords.context, "request", None)
        candidate = getattr(request, "user", None)
        user = candidate if getattr(candidate, "is_authenticated", False) else None
    return None if user is None else user.pk


def record(*, redemption: Redemption, voucher: Voucher, amount: Decimal, actor) -> Redemption:
    """Write everything a redemption writes in one statement; `redemption` is unsaved and gets
    its id, `voucher` its new balance."""
    fields = _insert_columns(Redemption)
    params = {
        f"r_{f.column}": f.get_db_prep_save(f.pre_save(redemption, True), connection)
        for f in fields
    }
    now = redemption.created_at
    params.update(
        amount=amount,
        voucher=voucher.pk,
        month=redemption.fee_month,
        cap=voucher.monthly_cap,
        kind=LedgerEntry.Kind.REDEMPTION.value,
        actor=redemption.created_by_id,
        now=now,
        history_user=history_user_id(actor),
        history_type_r="+",
        history_type_v="~",
    )
    with connection.cursor() as cursor:
        cursor.execute(write_sql(), params)
        redemption_id, balance, _month_rows = cursor.fetchone()
    redemption.pk = redemption_id
    redemption._state.adding = False
    voucher.balance = balance
    redemption.voucher = voucher
    return redemption
