"""One training provider per distinct provider text of the existing courses (spaces around it
ignored), each course linked to its provider. Backwards: the links and the providers go; the
courses keep their provider text, which this migration never changes."""

from django.db import migrations


def providers_from_text(apps, schema_editor):
    TrainingCourse = apps.get_model("institutions", "TrainingCourse")
    TrainingProvider = apps.get_model("institutions", "TrainingProvider")
    providers = {}
    for course in TrainingCourse.objects.order_by("pk"):
        name = course.provider.strip()
        if not name:
            continue
        if name not in providers:
            providers[name], _ = TrainingProvider.objects.get_or_create(name=name)
        course.provider_org = providers[name]
        course.save(update_fields=["provider_org"])


def unlink_providers(apps, schema_editor):
    TrainingCourse = apps.get_model("institutions", "TrainingCourse")
    TrainingProvider = apps.get_model("institutions", "TrainingProvider")
    TrainingCourse.objects.update(provider_org=None)
    TrainingProvider.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("institutions", "0023_training_providers"),
    ]

    operations = [
        migrations.RunPython(providers_from_text, unlink_providers),
    ]
