"""Link today's "1+1" contracts and health-centre sessions to the facility their free text names,
where exactly one existing facility has that name (institutions/health/matching.py). No facility
is created: what matches nothing stays unlinked, for the bureau to link on /weisheng/guanlian/."""

from django.db import migrations

from institutions.health.matching import match, name_index


def link(apps, schema_editor):
    facility = apps.get_model("institutions", "HealthFacility")
    index = name_index(facility.objects.values_list("pk", "name"))
    if not index:
        return
    contract = apps.get_model("institutions", "CareContract")
    for row in contract.objects.filter(facility__isnull=True).only("pk", "health_facility"):
        found = match(row.health_facility, index)
        if found:
            contract.objects.filter(pk=row.pk).update(facility_id=found)
    session = apps.get_model("institutions", "ParentingSession")
    rows = session.objects.filter(facility__isnull=True, organiser_kind="health_centre")
    for row in rows.only("pk", "organiser_name"):
        found = match(row.organiser_name, index)
        if found:
            session.objects.filter(pk=row.pk).update(facility_id=found)


class Migration(migrations.Migration):
    dependencies = [("institutions", "0014_health_facilities")]

    operations = [migrations.RunPython(link, migrations.RunPython.noop)]
