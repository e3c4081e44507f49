"""The database refuses to delete an incident about suspected harm to a child, or to turn it into
another kind, whoever asks: the service, the admin, the API, a script or raw SQL.

PostgreSQL only (every deployment and every test); skipped on the SQLite fallback of `make run`,
where the services still refuse.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION inspections_incident_protect_harm() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'incident % (suspected harm to a child) cannot be deleted', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RAISE EXCEPTION 'incident % (suspected harm to a child) cannot change its kind', OLD.id
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS inspections_incident_no_delete_harm ON inspections_incident;
CREATE TRIGGER inspections_incident_no_delete_harm
    BEFORE DELETE ON inspections_incident
    FOR EACH ROW WHEN (OLD.kind = 'suspected_harm')
    EXECUTE FUNCTION inspections_incident_protect_harm();

DROP TRIGGER IF EXISTS inspections_incident_keep_harm_kind ON inspections_incident;
CREATE TRIGGER inspections_incident_keep_harm_kind
    BEFORE UPDATE OF kind ON inspections_incident
    FOR EACH ROW WHEN (OLD.kind = 'suspected_harm' AND NEW.kind <> 'suspected_harm')
    EXECUTE FUNCTION inspections_incident_protect_harm();
"""

DROP = """
DROP TRIGGER IF EXISTS inspections_incident_keep_harm_kind ON inspections_incident;
DROP TRIGGER IF EXISTS inspections_incident_no_delete_harm ON inspections_incident;
DROP FUNCTION IF EXISTS inspections_incident_protect_harm();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
