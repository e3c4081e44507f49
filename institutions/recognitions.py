"""Demonstration units (示范单位, plan task 6.4): dated recognitions of an institution.

They replace the undated flag `Institution.is_demonstration` (migration 0013 turned each flag into
a recognition and removed it). A recognition holds from `valid_from` to `valid_to`, both included;
an institution may hold recognitions of several levels at once, never two of one level whose
periods overlap. The plan names no levels, titles or numbers: the bureau records what was awarded.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .dated import ValidityPeriod, period_constraints


class DemonstrationUnit(ValidityPeriod):
    class Level(models.TextChoices):
        CITY = "city", _("乐清市级")
        WENZHOU = "wenzhou", _("温州市级")
        PROVINCE = "province", _("浙江省级")
        NATIONAL = "national", _("国家级")

    level = models.CharField(_("级别"), max_length=20, choices=Level.choices)
    title = models.CharField(
        _("称号"), max_length=100, help_text=_("如“普惠托育示范机构”，按认定文件填写。")
    )
    awarded_by = models.CharField(_("认定单位"), max_length=100, blank=True)
    document_number = models.CharField(_("认定文号"), max_length=100, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta(ValidityPeriod.Meta):
        verbose_name = _("示范单位认定")
        verbose_name_plural = _("示范单位认定")
        default_related_name = "demonstration_units"
        constraints = period_constraints(
            "demonstration_unit",
            also=("level",),
            overlap_message=_("该机构同一级别的示范单位认定有效期重叠。"),
        )

    def __str__(self) -> str:
        return f"{self.institution} {self.get_level_display()}{self.title} {self.valid_from}"

    def holds_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


def demonstrations_on(institution_ids, day: dt.date) -> dict[int, list[DemonstrationUnit]]:
    """The recognitions each of `institution_ids` holds on `day`, highest level first: one query."""
    order = {level: n for n, level in enumerate(reversed(DemonstrationUnit.Level.values))}
    found: dict[int, list[DemonstrationUnit]] = {}
    rows = DemonstrationUnit.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        institution_id__in=list(institution_ids),
        valid_from__lte=day,
    ).order_by("valid_from", "pk")
    for row in rows:
        found.setdefault(row.institution_id, []).append(row)
    for rows_of in found.values():
        rows_of.sort(key=lambda row: order[row.level])
    return found
