"""Families in the voucher records: guardians (监护人), children (幼儿) and each child's dated
registered township (户籍记录, which K13 reads at D). Part of vouchers' models (models.py imports
them, so Django and migrations name them vouchers.Guardian, vouchers.Child, ...)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from institutions.models import Township
from portal.personal_data import (
    KeyedHashField,
    PersonNameField,
    PhoneNumberField,
    ResidentIdField,
)


class Guardian(models.Model):
    """A parent or guardian (监护人)."""

    name = PersonNameField(_("姓名"))
    phone = PhoneNumberField(_("联系电话"))
    id_number = ResidentIdField(_("身份证号码"))
    id_number_hash = KeyedHashField(source="id_number", unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="guardian",
        verbose_name=_("登录账号"),
    )

    history = HistoricalRecords()
    family_path = "user"

    class Meta:
        verbose_name = _("监护人")
        verbose_name_plural = _("监护人")

    def __str__(self) -> str:
        return str(self.name)


class Child(models.Model):
    """A child under 3 for whom vouchers can be issued."""

    guardian = models.ForeignKey(
        Guardian, on_delete=models.PROTECT, related_name="children", verbose_name=_("监护人")
    )
    name = PersonNameField(_("幼儿姓名"))
    id_number = ResidentIdField(_("幼儿身份证号码"))
    id_number_hash = KeyedHashField(source="id_number", unique=True)
    birth_date = models.DateField(_("出生日期"), help_text=_("由身份证号码得出。"), editable=False)
    hukou_township = models.ForeignKey(
        Township,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("户籍所在镇街"),
        help_text=_("非乐清户籍留空。"),
    )
    has_residence_permit = models.BooleanField(_("持乐清居住证"), default=False)
    special_needs = models.BooleanField(_("特殊需要儿童"), default=False)

    history = HistoricalRecords()
    family_path = "guardian__user"
    # Operators see a child once enrolled with them (see selectors.children_for_operator).

    class Meta:
        verbose_name = _("幼儿")
        verbose_name_plural = _("幼儿")

    def __str__(self) -> str:
        return str(self.name)

    @property
    def id_last6(self) -> str:
        return self.id_number.reveal()[-6:] if self.id_number else ""


class ChildRegistration(models.Model):
    """A child's registered township (户籍所在镇街) from `effective_from` until the next record's
    (K13 reads it at D); an empty township is registered outside Yueqing."""

    child = models.ForeignKey(
        Child, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("幼儿")
    )
    effective_from = models.DateField(
        _("生效日期"), help_text=_("当日起生效，直到下一条记录的生效日期。")
    )
    hukou_township = models.ForeignKey(
        Township,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("户籍所在镇街"),
    )

    history = HistoricalRecords()
    family_path = "child__guardian__user"

    class Meta:
        verbose_name = _("户籍记录")
        verbose_name_plural = _("户籍记录")
        ordering = ["child", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "effective_from"],
                name="child_registration_one_per_day",
                violation_error_message=_("同一天只能有一条记录。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.child} ({self.effective_from})"
