"""Load the plan's departments, tasks, sub-items, deliverables and funds (programme/plan.py).
Everything loaded stays editable: the plan is a draft. Nothing is loaded into the catalogue."""

from django.db import migrations

from programme import plan


def load(apps, schema_editor):
    plan.load_plan(lambda name: apps.get_model("programme", name))


class Migration(migrations.Migration):
    dependencies = [("programme", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
