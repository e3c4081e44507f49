"""Province- and national-shaped data for the benchmark suite (bench/run.py), fast.

The demo generator (`seed`) makes rows one by one through the models, as the portal would: about
23 s for the city's 350 institutions on a 2-core machine, so over 10 minutes for a province. This
module reuses it instead of rewriting it: it seeds the city once, then copies every row that
hangs off an institution (registry histories, staff and certificates, monthly reports,
inspections and their results, families, vouchers, redemptions and the ledger) `copies - 1`
more times inside PostgreSQL, one `INSERT ... SELECT ... CROSS JOIN generate_series` per table.
Copy k shifts every id by k times the table's largest id, so foreign keys stay inside the copy;
the few globally unique values (credit codes, identity-number hashes, voucher codes, community
names) are derived from the original and k, so the copies never collide. Townships, users,
voucher batches, checklists, population and targets are shared by all copies, as they would be
in one database serving many institutions.

The copies are deliberately not new random data: a province of 29 copies of the city has the
same shape per institution (which is what the benchmark measures), and takes seconds. The
demo itself (`seed`) is untouched and gives the same rows for the same seed.
"""

# ruff: noqa: S608 - SQL built only from our models' table and column names
from __future__ import annotations

from django.apps import apps
from django.db import connection, transaction

from . import SCALES, seed

# Institutions wanted at each bulk scale (the copies of the city are rounded to the nearest
# whole number: province 29 x 350 = 10,150; national 114 x 350 = 39,900).
BULK_SCALES = {"province": 10_000, "national": 40_000}

# Copied, in an order where every foreign key points to a table copied earlier or not copied.
COPIED_MODELS = [
    "institutions.Community",
    "institutions.CommunityFacts",
    "institutions.Institution",
    "institutions.InstitutionDetails",
    "institutions.PanicAlarm",
    "institutions.DemonstrationUnit",
    "institutions.IdlePremises",
    "institutions.ApprovedPlaces",
    "institutions.FeeStandard",
    "institutions.StarRating",
    "institutions.InstructorAssignment",
    "institutions.InclusiveRecognition",
    "institutions.CareContract",
    "institutions.ContractServiceMonth",
    "institutions.GuidanceVisit",
    "institutions.StaffMember",
    "institutions.StaffRoleRecord",
    "institutions.TrainingAttendance",
    "institutions.Certificate",
    "institutions.MonthlyReport",
    "institutions.ReportWindowException",
    "institutions.ParentingSession",
    "institutions.SessionAttendance",
    "institutions.ReportReminder",
    "institutions.SupportCase",
    "institutions.SupportReview",
    "vouchers.Guardian",
    "vouchers.Child",
    "vouchers.ChildRegistration",
    "vouchers.VoucherApplication",
    "vouchers.Voucher",
    "vouchers.Settlement",
    "vouchers.Redemption",
    "vouchers.LedgerEntry",
    "vouchers.VoucherMonth",
    "vouchers.Enrolment",
    "vouchers.FeeStatement",
    "inspections.Inspection",
    "inspections.InspectionResult",
    "inspections.InspectionPhoto",
    "inspections.Finding",
    "inspections.Rectification",
    "inspections.RectificationEvidence",
    "inspections.Incident",
    "inspections.IncidentFollowup",
    "inspections.ConflictOfInterest",
    "inspections.StaffCreditRecord",
    "inspections.StaffCreditAlert",
    "inspections.Concern",
    "ratings.RatingApplication",
    "ratings.ApplicationScore",
    "ratings.Evidence",
    "subsidies.SubsidyLine",
]
# Rows that point at a copied table but are not copied, and why.
NOT_COPIED = {
    "inspections.DrawAssignment": "the month's random draws are the city's; copies' inspections "
    "carry no draw (draw_assignment_id is NULL)",
    "institutions.SupportCaseAccess": "the read audit of real users' reads; a copied case has "
    "not been read",
    "institutions.FactsAtDay": "derived from the fact tables: the next computation of a month "
    "computes the copies' rows, which are missing",
}

# Values unique across the whole table: derived from the original and the copy number k.
_HEX = "left(md5({col} || ':' || k) || md5({col} || '::' || k), {length})"
UNIQUE_VALUES = {
    ("institutions_community", "name"): "left({col}, 92) || '·' || k",
    ("institutions_institution", "credit_code"): (
        "CASE WHEN {col} = '' THEN '' ELSE upper(left(md5({col} || ':' || k), 18)) END"
    ),
    ("vouchers_guardian", "id_number_hash"): _HEX.replace("{length}", "64"),
    ("vouchers_child", "id_number_hash"): _HEX.replace("{length}", "64"),
    # '0' and '1' are outside the code alphabet, so a copy never equals a real code.
    ("vouchers_voucher", "code"): "'0' || upper(left(md5({col} || ':' || k), 11))",
    ("vouchers_voucherapplication", "reference"): (
        "CASE WHEN {col} IS NULL THEN NULL ELSE '0' || upper(left(md5({col} || ':' || k), 19)) END"
    ),
    ("vouchers_feestatement", "code"): "'0' || upper(left(md5({col} || ':' || k), 15))",
    ("inspections_concern", "reference"): "'0' || upper(left(md5({col} || ':' || k), 19))",
    ("vouchers_guardian", "user_id"): "NULL",  # one login per guardian: copies have none
    ("inspections_inspection", "draw_assignment_id"): "NULL",  # draws are not copied
}
# Many-to-many tables copied with their owner (the other side is shared).
COPIED_M2M = [("inspections.Inspection", "inspectors")]


def uncovered() -> list[str]:
    """What a copy would get wrong: a model pointing at a copied table that is neither copied
    nor in NOT_COPIED (its rows would stay with the first city only), and a copied table's
    unique column with no rule in UNIQUE_VALUES (the copy would fail on it). Empty when the
    copy covers the schema; `multiply` refuses to run otherwise."""
    copied = {apps.get_model(label) for label in COPIED_MODELS}
    problems = []
    for model in apps.get_models():
        label = model._meta.label
        if model in copied or label in NOT_COPIED or model.__name__.startswith("Historical"):
            continue
        if any(f.is_relation and f.related_model in copied for f in model._meta.concrete_fields):
            problems.append(f"{label} points at a copied table but is not copied")
    for model in copied:
        table = model._meta.db_table
        for field in model._meta.concrete_fields:
            if field.unique and not field.primary_key and not field.is_relation:
                if (table, field.column) not in UNIQUE_VALUES:
                    problems.append(f"{table}.{field.column} is unique and has no copy rule")
    return problems


def _copy_sql(model, offsets: dict[str, int]) -> str:
    table = model._meta.db_table
    columns, values = [], []
    for field in model._meta.concrete_fields:
        col = f'"{field.column}"'
        columns.append(col)
        if field.primary_key:
            values.append(f"{col} + k * {offsets[table]}")
        elif (table, field.column) in UNIQUE_VALUES:
            values.append(UNIQUE_VALUES[(table, field.column)].format(col=f"t.{col}"))
        elif field.is_relation and field.related_model._meta.db_table in offsets:
            values.append(f"{col} + k * {offsets[field.related_model._meta.db_table]}")
        else:
            values.append(f"t.{col}")
    return (
        f'INSERT INTO "{table}" ({", ".join(columns)}) '
        f'SELECT {", ".join(values)} FROM "{table}" t CROSS JOIN generate_series(1, %s) k'
    )


@transaction.atomic
def multiply(copies: int) -> dict[str, int]:
    """Copy the institutions' rows so there are `copies` of each; returns rows per table."""
    problems = uncovered()
    if problems:
        raise RuntimeError("the bulk copy does not cover the schema: " + "; ".join(problems))
    models = [apps.get_model(label) for label in COPIED_MODELS]
    offsets: dict[str, int] = {}
    with connection.cursor() as cursor:
        # Foreign keys are checked by per-row triggers at commit: for millions of copied rows
        # that commit took longer than the copy. Every copied key points inside its own copy
        # (or to a shared row) by construction, so the copy skips them (a superuser setting,
        # as the bench's own database is; this transaction only).
        cursor.execute("SET LOCAL session_replication_role = replica")
        for model in models:
            cursor.execute(f'SELECT coalesce(max(id), 0) FROM "{model._meta.db_table}"')
            offsets[model._meta.db_table] = cursor.fetchone()[0] or 1
        for model in models:
            cursor.execute(_copy_sql(model, offsets), [copies - 1])
        for label, name in COPIED_M2M:
            field = apps.get_model(label)._meta.get_field(name)
            through = field.m2m_db_table()
            owner, other = field.m2m_column_name(), field.m2m_reverse_name()
            cursor.execute(f'SELECT coalesce(max(id), 0) FROM "{through}"')
            own_offset = cursor.fetchone()[0] or 1
            cursor.execute(
                f'INSERT INTO "{through}" (id, "{owner}", "{other}") '
                f'SELECT id + k * {own_offset}, "{owner}" + k * '
                f'{offsets[apps.get_model(label)._meta.db_table]}, "{other}" '
                f'FROM "{through}" CROSS JOIN generate_series(1, %s) k',
                [copies - 1],
            )
        # The batches' issued counts follow their vouchers (the quota scales with them).
        cursor.execute(
            "UPDATE vouchers_voucherbatch SET quantity_cap = quantity_cap * %s, "
            "issued_count = issued_count * %s",
            [copies, copies],
        )
        counts = {}
        for model in models:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'(SELECT max(id) FROM "{table}"))'
            )
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
        for label, name in COPIED_M2M:
            through = apps.get_model(label)._meta.get_field(name).m2m_db_table()
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{through}\"', 'id'), "
                f'(SELECT max(id) FROM "{through}"))'
            )
    return counts


def seed_bulk(*, scale: str, seed_value: int = 2025) -> dict:
    """The city from the demo generator, multiplied to `scale` (see BULK_SCALES)."""
    copies = max(1, round(BULK_SCALES[scale] / SCALES["city"]))
    result = seed(scale="city", seed=seed_value, with_indicators=False)
    counts = multiply(copies) if copies > 1 else {}
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "copies_of_city": copies,
        "institutions": result.institutions * copies,
        "rows": counts,
    }
