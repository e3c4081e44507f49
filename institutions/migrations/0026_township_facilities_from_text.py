"""Create the township-level health facilities today's free text names by itself, then link.

0015 linked free text to facilities that already existed; it ran straight after 0014 created
the empty table, so on a real database it linked nothing. This migration reads the unlinked
"1+1" contracts' and health-centre sessions' texts, creates a facility where a text names a
township of the city and a kind (乐清市柳市镇卫生院, 城东街道社区卫生服务中心: matching.py's
`facilities_to_create`, which leaves a township named two ways, or already holding a facility
of that kind, to the bureau), and then links by name as 0015 does. The county level's names
do not give a township, so 市妇幼保健院 and the comprehensive centre are the bureau's to add;
what stays unlinked is listed on /weisheng/guanlian/.

Reversing deletes nothing: the records may by then carry users, visits and figures, and the
links are the bureau's data as much as the migration's."""

import importlib

from django.db import migrations

from institutions.health.matching import facilities_to_create

link = importlib.import_module("institutions.migrations.0015_link_health_facilities").link


def unlinked_texts(apps) -> list[str]:
    contract = apps.get_model("institutions", "CareContract")
    session = apps.get_model("institutions", "ParentingSession")
    texts = contract.objects.filter(facility__isnull=True).values_list("health_facility", flat=True)
    names = session.objects.filter(
        facility__isnull=True, organiser_kind="health_centre"
    ).values_list("organiser_name", flat=True)
    return [*texts, *names]


def create_and_link(apps, schema_editor):
    facility = apps.get_model("institutions", "HealthFacility")
    township = apps.get_model("institutions", "Township")
    plan = facilities_to_create(
        unlinked_texts(apps),
        list(township.objects.values_list("pk", "name")),
        list(facility.objects.values_list("name", "township_id", "kind")),
    )
    facility.objects.bulk_create(
        facility(name=name, level="township", kind=kind, township_id=township_id)
        for name, township_id, kind in plan
    )
    link(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("institutions", "0025_facts_at_day")]

    operations = [migrations.RunPython(create_and_link, migrations.RunPython.noop)]
