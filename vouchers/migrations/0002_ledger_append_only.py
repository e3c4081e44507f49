"""The voucher ledger is append-only in the database itself, not only in the model.

A trigger refuses UPDATE and DELETE on vouchers_ledgerentry, so no bug, admin action or manual
SQL session can rewrite money history. TRUNCATE (used by test teardown) is not affected.
Skipped on the SQLite fallback of `make run`.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION vouchers_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'vouchers_ledgerentry is append-only (% refused)', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER vouchers_ledger_append_only
    BEFORE UPDATE OR DELETE ON vouchers_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION vouchers_ledger_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS vouchers_ledger_append_only ON vouchers_ledgerentry;
DROP FUNCTION IF EXISTS vouchers_ledger_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("vouchers", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
