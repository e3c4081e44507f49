"""Whether an institution offers inclusive care for children with special needs (融合托育) becomes
a dated fact, as its kind, township and inclusive-kindergarten flag are: the dashboard's and
/ronghe/zhenjie/'s counts per township read it at their day, not today's value.

Until now only the institution's current flag existed, so no earlier value is known: every dated
details record takes the institution's current flag. Changes from now on are dated by the
services (services.INSTITUTION_DETAILS). Reversing drops the column and with it the dates."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_current_flag(apps, schema_editor):
    details = apps.get_model("institutions", "InstitutionDetails")
    institution = apps.get_model("institutions", "Institution")
    flag = institution.objects.filter(pk=OuterRef("institution_id")).values("special_needs_care")
    details.objects.update(special_needs_care=Subquery(flag[:1]))


class Migration(migrations.Migration):
    dependencies = [("institutions", "0027_training_course_hours_at_least_half")]

    operations = [
        migrations.AddField(
            model_name="historicalinstitutiondetails",
            name="special_needs_care",
            field=models.BooleanField(default=False, verbose_name="提供融合托育"),
        ),
        migrations.AddField(
            model_name="institutiondetails",
            name="special_needs_care",
            field=models.BooleanField(default=False, verbose_name="提供融合托育"),
        ),
        migrations.RunPython(copy_current_flag, migrations.RunPython.noop),
    ]
