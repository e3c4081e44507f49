"""Staff credit records (从业人员信用记录): a disqualifying finding against a person, by ID hash,
and the warnings sent when that person is registered again."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from institutions.models import StaffMember
from portal.personal_data import KeyedHashField, ResidentIdField

from .findings import Finding


class StaffCreditRecord(models.Model):
    """A disqualifying finding against a person, found by the keyed hash of the ID number, so a
    later registration of the same person at any institution warns the operator and the bureau."""

    name = models.CharField(_("姓名"), max_length=50)
    id_number = ResidentIdField(_("身份证号码"))
    id_number_hash = KeyedHashField(source="id_number")
    staff = models.ForeignKey(
        StaffMember,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("从业人员记录"),
    )
    finding = models.ForeignKey(
        Finding,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("相关检查问题"),
    )
    reason = models.TextField(_("认定事实"))
    recorded_on = models.DateField(_("认定日期"), help_text=_("当日起生效。"))
    valid_until = models.DateField(
        _("有效期至"), null=True, blank=True, help_text=_("含当日；留空表示长期有效。")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("登记人"),
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    history = HistoricalRecords()
    institution_path = None  # a person's record, not an institution's: bureau staff only

    class Meta:
        verbose_name = _("从业人员信用记录")
        verbose_name_plural = _("从业人员信用记录")
        ordering = ["-recorded_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("recorded_on")),
                name="staff_credit_valid_until_after_recorded",
                violation_error_message=_("有效期至不能早于认定日期。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.id_number} {self.recorded_on}"


class StaffCreditAlert(models.Model):
    """A warning sent because a person with a credit record was registered at an institution.

    Claimed (inserted) before the mail goes out: one warning per record and staff registration.
    """

    record = models.ForeignKey(
        StaffCreditRecord,
        on_delete=models.CASCADE,
        related_name="alerts",
        verbose_name=_("信用记录"),
    )
    staff = models.ForeignKey(
        StaffMember, on_delete=models.CASCADE, related_name="+", verbose_name=_("从业人员")
    )
    created_at = models.DateTimeField(_("提醒时间"), auto_now_add=True)
    recipients = models.PositiveIntegerField(_("收件人数"), default=0)

    history = HistoricalRecords()
    institution_path = "staff__institution"

    class Meta:
        verbose_name = _("信用记录提醒")
        verbose_name_plural = _("信用记录提醒")
        constraints = [
            models.UniqueConstraint(fields=["record", "staff"], name="staff_credit_alert_once")
        ]

    def __str__(self) -> str:
        return f"{self.record} → {self.staff}"
