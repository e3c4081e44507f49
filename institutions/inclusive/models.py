"""Support cases of inclusive care (融合托育, plan 7.3).

Registered under the `institutions` app (institutions/models.py imports this module), so this
module does not import institutions.models: its foreign keys name the registry's models. The case
carries its own child identity (vouchers is a floor above): the name and the optional ID number
are encrypted (portal.personal_data), so history rows hold ciphertext too.

Cases are `sensitive_record`s (portal.roles.scope): only the bureau, the institution's operators
and the supporting facility's users see them; every read writes a `SupportCaseAccess` row.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.personal_data import KeyedHashField, PersonNameField, ResidentIdField


class SupportCase(models.Model):
    """One child's individual support (个性化帮扶) at an institution, with the health facility
    that supports it. Open at D when opened on or before D and not closed on or before D (the
    closing day counts as closed, as the registry's closing dates do)."""

    class Need(models.TextChoices):
        DEVELOPMENTAL_DELAY = "developmental_delay", _("发育迟缓")
        AUTISM = "autism", _("孤独症谱系")
        SPEECH = "speech", _("言语语言")
        MOTOR = "motor", _("肢体运动")
        SENSORY = "sensory", _("听力/视力")
        OTHER = "other", _("其他")

    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="support_cases",
        verbose_name=_("托育机构"),
    )
    facility = models.ForeignKey(
        "institutions.HealthFacility",
        on_delete=models.PROTECT,
        related_name="support_cases",
        verbose_name=_("支持的医疗卫生机构"),
    )
    child_name = PersonNameField(_("幼儿姓名"))
    child_birth_date = models.DateField(_("出生日期"))
    child_id_number = ResidentIdField(_("幼儿身份证号码"), blank=True)
    child_id_number_hash = KeyedHashField(source="child_id_number")
    need = models.CharField(_("需求类别"), max_length=30, choices=Need.choices)
    plan = models.TextField(_("帮扶计划"))
    opened_on = models.DateField(_("开案日期"), help_text=_("当日起计为在案。"))
    closed_on = models.DateField(
        _("结案日期"), null=True, blank=True, help_text=_("当日起不再计为在案。")
    )
    closing_note = models.TextField(_("结案说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now, editable=False)

    history = HistoricalRecords()
    institution_path = "institution"
    facility_path = "facility"
    sensitive_record = True  # portal.roles: not read city-wide, only by the bureau

    class Meta:
        verbose_name = _("融合托育帮扶个案")
        verbose_name_plural = _("融合托育帮扶个案")
        ordering = ["-opened_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                name="support_case_closed_after_opened",
                violation_error_message=_("结案日期不能早于开案日期。"),
            ),
            models.CheckConstraint(
                condition=Q(child_birth_date__lte=F("opened_on")),
                name="support_case_born_before_opened",
                violation_error_message=_("出生日期不能晚于开案日期。"),
            ),
        ]

    def __str__(self) -> str:
        # The name prints masked (PersonName), never in clear.
        return f"{self.child_name} · {self.get_need_display()}"

    def is_open_on(self, day: dt.date) -> bool:
        return self.opened_on <= day and (self.closed_on is None or self.closed_on > day)


def open_on(day: dt.date, prefix: str = "") -> Q:
    """Cases open at `day`: opened on or before it, not closed on or before it."""
    return Q(**{f"{prefix}opened_on__lte": day}) & (
        Q(**{f"{prefix}closed_on__isnull": True}) | Q(**{f"{prefix}closed_on__gt": day})
    )


class SupportReview(models.Model):
    """A dated review of a case: progress, next step, when to review again."""

    case = models.ForeignKey(
        SupportCase, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("个案")
    )
    reviewed_on = models.DateField(_("评估日期"))
    progress = models.TextField(_("进展情况"))
    next_step = models.TextField(_("下一步措施"), blank=True)
    next_review_by = models.DateField(
        _("下次评估期限"), null=True, blank=True, help_text=_("含当日。")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("评估人"),
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now, editable=False)

    history = HistoricalRecords()
    institution_path = "case__institution"
    facility_path = "case__facility"
    sensitive_record = True

    class Meta:
        verbose_name = _("帮扶评估")
        verbose_name_plural = _("帮扶评估")
        ordering = ["-reviewed_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(next_review_by__isnull=True) | Q(next_review_by__gte=F("reviewed_on")),
                name="support_review_next_after_review",
                violation_error_message=_("下次评估期限不能早于本次评估日期。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.reviewed_on:%Y-%m-%d}"

    def clean(self) -> None:
        # Across two tables, so not a check constraint: services.review_add also locks the case.
        case = self.case if self.case_id else None
        if case is not None and self.reviewed_on and self.reviewed_on < case.opened_on:
            raise ValidationError({"reviewed_on": _("评估日期不能早于开案日期。")})
        if (
            case is not None
            and self.reviewed_on
            and case.closed_on
            and (self.reviewed_on > case.closed_on)
        ):
            raise ValidationError({"reviewed_on": _("评估日期不能晚于结案日期。")})


class SupportCaseAccess(models.Model):
    """One read of a case (the read audit): who, when, through which channel, in a list or on
    the case itself. Append-only; written in one bulk insert per request (services.audit_reads)."""

    class Channel(models.TextChoices):
        PAGE = "page", _("页面")
        API = "api", _("接口")
        ADMIN = "admin", _("管理后台")
        EXPORT = "export", _("导出")

    class Action(models.TextChoices):
        LIST = "list", _("列表")
        DETAIL = "detail", _("详情")

    case = models.ForeignKey(
        SupportCase, on_delete=models.PROTECT, related_name="accesses", verbose_name=_("个案")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("查看人"),
    )
    at = models.DateTimeField(_("查看时间"), default=timezone.now, db_index=True)
    channel = models.CharField(_("途径"), max_length=10, choices=Channel.choices)
    action = models.CharField(_("方式"), max_length=10, choices=Action.choices)

    history_exempt = True
    history_exempt_reason = "an append-only audit of reads: rows are never changed"
    # No institution or facility path: only the bureau reads who read a case.
    sensitive_record = True

    class Meta:
        verbose_name = _("个案查看记录")
        verbose_name_plural = _("个案查看记录")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["case", "-at"], name="support_access_case_at")]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.user_id} · {self.at:%Y-%m-%d %H:%M}"
