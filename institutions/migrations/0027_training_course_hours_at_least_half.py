"""A course's hours: the database's check was hours > 0 while the model asks for at least 0.5;
the check now says what the model says (0.5 and more), whatever writes the row.

A course written around the model with 0.1 to 0.4 hours (the only values between 0 and 0.5 with
one decimal; e.g. migration 0018's course, whose hours are the largest old number) is raised to
0.5 first, so that the check can be added: raising a course's hours never puts an attendance
above them (the 0017 trigger refuses lowering only). Backwards the old check comes back; raised
hours stay raised."""

from decimal import Decimal

from django.db import migrations, models
from django.db.models import Q


def raise_small_courses(apps, schema_editor):
    TrainingCourse = apps.get_model("institutions", "TrainingCourse")
    TrainingCourse.objects.filter(hours__lt=Decimal("0.5")).update(hours=Decimal("0.5"))


class Migration(migrations.Migration):
    dependencies = [
        ("institutions", "0026_township_facilities_from_text"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="trainingcourse",
            name="training_course_hours_positive",
        ),
        migrations.RunPython(raise_small_courses, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="trainingcourse",
            constraint=models.CheckConstraint(
                condition=Q(hours__gte=Decimal("0.5")),
                name="training_course_hours_at_least_half",
                violation_error_message="学时不能少于0.5。",
            ),
        ),
    ]
