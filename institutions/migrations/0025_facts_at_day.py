"""FactsAtDay (institutions.facts_store) and the trigger that drops an institution's kept facts
whenever one of its facts is written.

The trigger's lock expression comes from portal.locks (the REGISTRY_FACTS namespace, shared)."""

import django.db.models.deletion
from django.db import migrations, models

from portal.locks import LockNamespace, advisory_xact_lock_sql

_LOCK, _LOCK_PARAMS = advisory_xact_lock_sql(LockNamespace.REGISTRY_FACTS, 0, shared=True)

# Each table the facts read, and how a row of it names its institution: its own id (the
# institution), `institution_id`, its staff member's institution, or a course's attendees'.
WATCHED = {
    "institutions_institution": "self",
    "institutions_institutiondetails": "institution",
    "institutions_approvedplaces": "institution",
    "institutions_feestandard": "institution",
    "institutions_starrating": "institution",
    "institutions_instructorassignment": "institution",
    "institutions_inclusiverecognition": "institution",
    "institutions_carecontract": "institution",
    "institutions_panicalarm": "institution",
    "institutions_staffmember": "institution",
    "institutions_staffrolerecord": "staff",
    "institutions_certificate": "staff",
    "institutions_trainingattendance": "staff",
    "institutions_trainingcourse": "course",
}

# No value in it but the lock's two integers.
FUNCTION = f"""
CREATE FUNCTION institutions_facts_at_day_stale() RETURNS trigger AS $$
DECLARE
    touched jsonb[] := ARRAY[]::jsonb[];
BEGIN
    IF TG_OP = 'UPDATE' AND OLD IS NOT DISTINCT FROM NEW THEN
        RETURN NULL;
    END IF;
    PERFORM {_LOCK % tuple(_LOCK_PARAMS)};
    IF TG_OP <> 'INSERT' THEN touched := touched || to_jsonb(OLD); END IF;
    IF TG_OP <> 'DELETE' THEN touched := touched || to_jsonb(NEW); END IF;
    IF TG_ARGV[0] = 'self' THEN
        DELETE FROM institutions_factsatday WHERE institution_id IN (
            SELECT (t ->> 'id')::bigint FROM unnest(touched) AS t);
    ELSIF TG_ARGV[0] = 'institution' THEN
        DELETE FROM institutions_factsatday WHERE institution_id IN (
            SELECT (t ->> 'institution_id')::bigint FROM unnest(touched) AS t);
    ELSIF TG_ARGV[0] = 'staff' THEN
        DELETE FROM institutions_factsatday WHERE institution_id IN (
            SELECT s.institution_id FROM institutions_staffmember s
            WHERE s.id IN (SELECT (t ->> 'staff_id')::bigint FROM unnest(touched) AS t));
    ELSE
        DELETE FROM institutions_factsatday WHERE institution_id IN (
            SELECT s.institution_id FROM institutions_trainingattendance a
            JOIN institutions_staffmember s ON s.id = a.staff_id
            WHERE a.course_id IN (SELECT (t ->> 'id')::bigint FROM unnest(touched) AS t));
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
"""  # noqa: S608


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table, how in WATCHED.items():
        schema_editor.execute(
            f"CREATE TRIGGER {table}_facts_stale AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION institutions_facts_at_day_stale('{how}')",
            params=None,
        )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in WATCHED:
        schema_editor.execute(f"DROP TRIGGER {table}_facts_stale ON {table}", params=None)
    schema_editor.execute("DROP FUNCTION institutions_facts_at_day_stale()", params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("institutions", "0024_training_providers_from_text"),
    ]

    operations = [
        migrations.CreateModel(
            name="FactsAtDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField()),
                ("version", models.CharField(max_length=16)),
                ("is_counted", models.BooleanField()),
                ("kind_at", models.CharField(max_length=20)),
                ("township_id_at", models.BigIntegerField(null=True)),
                ("is_inclusive_kindergarten_at", models.BooleanField()),
                ("places_infant", models.IntegerField()),
                ("places_toddler", models.IntegerField()),
                ("places_older", models.IntegerField()),
                ("places_mixed", models.IntegerField()),
                ("places_total", models.IntegerField()),
                ("fee_full_day", models.DecimalField(decimal_places=2, max_digits=12, null=True)),
                ("fee_half_day", models.DecimalField(decimal_places=2, max_digits=12, null=True)),
                ("stars", models.SmallIntegerField(null=True)),
                ("stars_from", models.DateField(null=True)),
                ("stars_until", models.DateField(null=True)),
                ("instructor_user_id", models.IntegerField(null=True)),
                ("is_inclusive", models.BooleanField()),
                ("has_care_contract", models.BooleanField()),
                ("has_panic_alarm", models.BooleanField()),
                ("care_staff_count", models.BigIntegerField()),
                ("certified_care_staff_count", models.BigIntegerField()),
                ("trained_care_staff_count", models.BigIntegerField()),
                ("shadowing_care_staff_count", models.BigIntegerField()),
                (
                    "institution",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="institutions.institution",
                    ),
                ),
            ],
            options={
                "verbose_name": "登记事实（按日保存）",
                "verbose_name_plural": "登记事实（按日保存）",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("day", "institution"), name="facts_at_day_unique"
                    )
                ],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
