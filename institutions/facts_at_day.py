"""The model of the registry's facts kept per day; institutions.facts_store fills and reads it."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FactsAtDay(models.Model):
    """One institution's facts at one day, as institutions.facts computes them (kept)."""

    history_exempt = True
    history_exempt_reason = "derived from the fact tables, which keep their own history"

    day = models.DateField()
    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.CASCADE, related_name="+"
    )
    version = models.CharField(max_length=16)
    is_counted = models.BooleanField()
    kind_at = models.CharField(max_length=20)
    township_id_at = models.BigIntegerField(null=True)
    is_inclusive_kindergarten_at = models.BooleanField()
    places_infant = models.IntegerField()
    places_toddler = models.IntegerField()
    places_older = models.IntegerField()
    places_mixed = models.IntegerField()
    places_total = models.IntegerField()
    fee_full_day = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    fee_half_day = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    stars = models.SmallIntegerField(null=True)
    stars_from = models.DateField(null=True)
    stars_until = models.DateField(null=True)
    instructor_user_id = models.IntegerField(null=True)
    is_inclusive = models.BooleanField()
    has_care_contract = models.BooleanField()
    has_panic_alarm = models.BooleanField()
    care_staff_count = models.BigIntegerField()
    certified_care_staff_count = models.BigIntegerField()
    trained_care_staff_count = models.BigIntegerField()
    shadowing_care_staff_count = models.BigIntegerField()

    class Meta:
        verbose_name = _("登记事实（按日保存）")
        verbose_name_plural = _("登记事实（按日保存）")
        constraints = [
            models.UniqueConstraint(fields=["day", "institution"], name="facts_at_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.institution_id} @ {self.day}"
