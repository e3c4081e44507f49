from django.db import migrations


def load(apps, schema_editor):
    from metrics.defaults import load_default_targets

    load_default_targets(apps.get_model("metrics", "Target"))


class Migration(migrations.Migration):
    dependencies = [("metrics", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
