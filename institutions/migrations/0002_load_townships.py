from django.db import migrations


def load(apps, schema_editor):
    from institutions.reference import load_townships

    load_townships(apps.get_model("institutions", "Township"))


class Migration(migrations.Migration):
    dependencies = [("institutions", "0001_initial")]

    # Reverse keeps the rows: institutions refer to them.
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
