"""Today's values of the facts dated from now on, as their first records: an institution's kind,
township and inclusive-kindergarten flag from its filing date (an unfiled one from the day it was
first recorded), its one-click alarm from its installation date, a staff member's role from
the hiring date, a community's new flag, residents and delivered places from the day it was
first recorded (before its first record, a fact reads the first record: selectors.dated_value)."""

from django.db import migrations
from django.db.models import Min
from django.utils import timezone


def _created(apps, model_name: str) -> dict:
    """{pk: the local day of the object's first history row}."""
    history = apps.get_model("institutions", f"Historical{model_name}")
    rows = history.objects.values("id").annotate(first=Min("history_date"))
    return {row["id"]: timezone.localtime(row["first"]).date() for row in rows}


def forwards(apps, schema_editor):
    Institution = apps.get_model("institutions", "Institution")
    InstitutionDetails = apps.get_model("institutions", "InstitutionDetails")
    PanicAlarm = apps.get_model("institutions", "PanicAlarm")
    StaffMember = apps.get_model("institutions", "StaffMember")
    StaffRoleRecord = apps.get_model("institutions", "StaffRoleRecord")
    Community = apps.get_model("institutions", "Community")
    CommunityFacts = apps.get_model("institutions", "CommunityFacts")
    today = timezone.localdate()
    created = _created(apps, "Institution")
    details, alarms = [], []
    for institution in Institution.objects.all().iterator():
        details.append(
            InstitutionDetails(
                institution_id=institution.pk,
                effective_from=institution.filed_on or created.get(institution.pk, today),
                kind=institution.kind,
                township_id=institution.township_id,
                is_inclusive_kindergarten=institution.is_inclusive_kindergarten,
            )
        )
        if institution.panic_alarm_installed_on:
            alarms.append(
                PanicAlarm(
                    institution_id=institution.pk,
                    valid_from=institution.panic_alarm_installed_on,
                )
            )
    InstitutionDetails.objects.bulk_create(details, batch_size=2000)
    PanicAlarm.objects.bulk_create(alarms, batch_size=2000)
    StaffRoleRecord.objects.bulk_create(
        (
            StaffRoleRecord(staff_id=pk, effective_from=hired_on, role=role)
            for pk, hired_on, role in StaffMember.objects.values_list("pk", "hired_on", "role")
        ),
        batch_size=5000,
    )
    created = _created(apps, "Community")
    CommunityFacts.objects.bulk_create(
        CommunityFacts(
            community_id=community.pk,
            effective_from=created.get(community.pk, today),
            is_new=community.is_new,
            residents=community.residents,
            delivered_places=community.delivered_places,
        )
        for community in Community.objects.all()
    )


def backwards(apps, schema_editor):
    for name in ("InstitutionDetails", "PanicAlarm", "StaffRoleRecord", "CommunityFacts"):
        apps.get_model("institutions", name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("institutions", "0009_dated_facts")]

    operations = [migrations.RunPython(forwards, backwards)]
