"""Class types (班型) and their carer ratios: the registry's and the monthly reports' vocabulary.

Kept apart from the models so that institutions.reports.models can use them without importing
institutions.models, which imports it (to register the reports' models with the app).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ClassType(models.TextChoices):
    """Class types (班型) with their ages, maximum sizes and minimum carer ratios (glossary)."""

    INFANT = "infant", _("乳儿班（6-12个月）")
    TODDLER = "toddler", _("托小班（12-24个月）")
    OLDER = "older", _("托大班（24-36个月）")
    MIXED = "mixed", _("混龄班（18个月以上）")


# Children per carer at most, by class type (国卫人口发〔2019〕58号). The standard gives mixed-age
# classes (from 18 months) no ratio of their own; the youngest children in one decide, so the
# toddler ratio applies to them.
CHILDREN_PER_CARER = {
    ClassType.INFANT: 3,
    ClassType.TODDLER: 5,
    ClassType.OLDER: 7,
    ClassType.MIXED: 5,
}
