"""The city's public fee standard (公办托育收费标准, plan task 6.1) and the rule that reads it.

The development and reform bureau sets monthly fee ceilings by institution ownership and class
type; each standard applies from its `effective_from` until the next one for the same ownership and
class type. The plan gives no amounts, so migrations load none; the bureau enters them (the demo
loads a set labelled as demo data).

A monthly report carries one full-day and one half-day fee for the whole institution, not one per
class. It is compared with the standard of every class type it enrolled that month and is "above
the standard" only when it is above the highest of them: an institution enrolling infants and
older children may charge the infants' ceiling, so a warning is never raised on a fee that one of
its classes allows. For a one-class institution the comparison is exact.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .class_types import ClassType
from .dated import EFFECTIVE_HELP
from .kinds import Ownership

# The report's two fees and the standard's matching ceilings.
MODES = {"fee_full_day": "monthly_full_day", "fee_half_day": "monthly_half_day"}


class PublicFeeStandard(models.Model):
    """One ceiling: for institutions of `ownership`, class type `class_type`, from a day on."""

    ownership = models.CharField(
        _("举办性质"),
        max_length=20,
        choices=Ownership.choices,
    )
    class_type = models.CharField(_("班型"), max_length=20, choices=ClassType.choices)
    effective_from = models.DateField(_("生效日期"), help_text=EFFECTIVE_HELP)
    monthly_full_day = models.DecimalField(
        _("全日托月收费上限（元）"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    monthly_half_day = models.DecimalField(
        _("半日托月收费上限（元）"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("留空表示该标准未规定半日托收费。"),
    )
    document = models.CharField(
        _("文件依据"), max_length=200, blank=True, help_text=_("如价格主管部门的文件名称和文号。")
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    history = HistoricalRecords()
    scope_public = True  # a published standard: every signed-in user may read it

    class Meta:
        verbose_name = _("公办托育收费标准")
        verbose_name_plural = _("公办托育收费标准")
        ordering = ["ownership", "class_type", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["ownership", "class_type", "effective_from"],
                name="public_fee_standard_one_per_day",
                violation_error_message=_("同一举办性质、班型在同一天只能有一条收费标准。"),
            ),
            models.CheckConstraint(
                condition=Q(monthly_full_day__gte=0)
                & (Q(monthly_half_day__isnull=True) | Q(monthly_half_day__gte=0)),
                name="public_fee_standard_not_negative",
                violation_error_message=_("收费上限不能为负数。"),
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_ownership_display()} {self.get_class_type_display()} "
            f"{self.monthly_full_day} ({self.effective_from})"
        )


Standards = dict[tuple[str, str], PublicFeeStandard]


def standards_on(day: dt.date) -> Standards:
    """The standard in force on `day` for each (ownership, class type) that has one: one query."""
    rows = (
        PublicFeeStandard.objects.filter(effective_from__lte=day)
        .order_by("ownership", "class_type", "-effective_from")
        .distinct("ownership", "class_type")
    )
    return {(row.ownership, row.class_type): row for row in rows}


@dataclass(frozen=True)
class Ceiling:
    """The highest ceiling among the classes a report enrolled, and the standard it comes from."""

    amount: Decimal
    standard: PublicFeeStandard


def ceiling_for(
    standards: Standards, *, ownership: str, class_types: list[str], field: str
) -> Ceiling | None:
    """The ceiling that applies to a report's fee `field` ("fee_full_day" or "fee_half_day"):
    the highest among `class_types`' standards, or None when any of those classes has no standard
    for this mode (the fee of a class without a standard cannot be judged)."""
    found: list[Ceiling] = []
    for class_type in class_types:
        standard = standards.get((ownership, str(class_type)))
        amount = getattr(standard, MODES[field]) if standard is not None else None
        if amount is None:
            return None
        found.append(Ceiling(amount, standard))
    if not found:
        return None
    return max(found, key=lambda ceiling: ceiling.amount)
