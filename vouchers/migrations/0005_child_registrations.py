"""Each child's registered township today, as its first record, from the day the child was first
recorded."""

from django.db import migrations
from django.db.models import Min
from django.utils import timezone


def forwards(apps, schema_editor):
    Child = apps.get_model("vouchers", "Child")
    ChildRegistration = apps.get_model("vouchers", "ChildRegistration")
    history = apps.get_model("vouchers", "HistoricalChild")
    created = {
        row["id"]: timezone.localtime(row["first"]).date()
        for row in history.objects.values("id").annotate(first=Min("history_date"))
    }
    today = timezone.localdate()
    ChildRegistration.objects.bulk_create(
        (
            ChildRegistration(
                child_id=pk, effective_from=created.get(pk, today), hukou_township_id=township
            )
            for pk, township in Child.objects.values_list("pk", "hukou_township_id")
        ),
        batch_size=5000,
    )


def backwards(apps, schema_editor):
    apps.get_model("vouchers", "ChildRegistration").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("vouchers", "0004_child_registration_model")]

    operations = [migrations.RunPython(forwards, backwards)]
