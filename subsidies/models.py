"""Subsidy schemes as data, their rates, and each month's computed lines.

The plan (§3 task 6, §5) names the subsidies and awards but gives no amounts: migrations load no
scheme; the bureau enters them (the demo loads one labelled 演示数据).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from institutions.class_types import ClassType
from portal.dates import month_end
from programme.models import Fund, FundUse

MONEY = {"max_digits": 12, "decimal_places": 2}
ZERO = Decimal("0.00")


class SubsidyScheme(models.Model):
    class Kind(models.TextChoices):
        PER_CHILD_MONTH = "per_child_month", _("按在托人数按月补助")
        NEW_PLACES = "new_places", _("新增普惠托位一次性奖补")
        STAR_LEVEL = "star_level", _("星级评定一次性奖补")
        RENT_RELIEF = "rent_relief", _("租金减免补助")

    name = models.CharField(_("名称"), max_length=120, unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    valid_from = models.DateField(_("执行起始日"))
    valid_to = models.DateField(_("执行截止日"), null=True, blank=True, help_text=_("含当日。"))
    inclusive_only = models.BooleanField(
        _("仅限普惠机构"), default=True, help_text=_("只补助月末已认定为普惠的机构。")
    )
    fund = models.ForeignKey(
        Fund,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subsidy_schemes",
        verbose_name=_("预算资金"),
        help_text=_("试点专班资金台账中列支本项补助的资金。"),
    )
    fund_use = models.CharField(
        _("资金用途"),
        max_length=20,
        choices=FundUse.choices,
        blank=True,
        default=FundUse.INSTITUTION_AWARDS,
    )
    basis = models.TextField(_("政策依据"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("补助项目")
        verbose_name_plural = _("补助项目")
        ordering = ["-valid_from", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="subsidy_scheme_dates",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("执行截止日不能早于执行起始日。")})

    def applies_to(self, month) -> bool:
        """The scheme is in force on some day of `month` (its first day)."""
        return self.valid_from <= month_end(month) and (
            self.valid_to is None or self.valid_to >= month
        )


class SchemeRate(models.Model):
    """One rate of a scheme. Per child and month: by class type and (optionally) star level; a
    star-level award: the star level and its amount; new places: the amount per new place; rent
    relief: the amount per month. A blank class type or star level applies to any."""

    scheme = models.ForeignKey(
        SubsidyScheme, on_delete=models.CASCADE, related_name="rates", verbose_name=_("补助项目")
    )
    class_type = models.CharField(_("班型"), max_length=10, choices=ClassType.choices, blank=True)
    stars = models.PositiveSmallIntegerField(
        _("星级"), null=True, blank=True, help_text=_("空白表示不分星级。")
    )
    amount = models.DecimalField(_("金额（元）"), **MONEY)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("补助标准")
        verbose_name_plural = _("补助标准")
        ordering = ["scheme", "class_type", "stars"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "class_type", "stars"],
                name="subsidy_rate_unique",
                nulls_distinct=False,
                violation_error_message=_("同一补助项目的同一班型和星级只能有一个标准。"),
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="subsidy_rate_not_negative"),
            models.CheckConstraint(
                condition=Q(stars__isnull=True) | Q(stars__gte=1, stars__lte=5),
                name="subsidy_rate_stars_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scheme} {self.get_class_type_display()} {self.stars or ''} {self.amount}"


class SubsidyMonth(models.Model):
    """One scheme's computation for one month: draft (recomputable) → approved (locked) → paid."""

    class State(models.TextChoices):
        DRAFT = "draft", _("待审核")
        APPROVED = "approved", _("已审核")
        PAID = "paid", _("已支付")

    scheme = models.ForeignKey(
        SubsidyScheme, on_delete=models.PROTECT, related_name="months", verbose_name=_("补助项目")
    )
    month = models.DateField(_("月份"), help_text=_("该月第一天。"))
    state = models.CharField(
        _("状态"), max_length=10, choices=State.choices, default=State.DRAFT, db_index=True
    )
    total = models.DecimalField(_("合计（元）"), **MONEY, default=ZERO)
    line_count = models.PositiveIntegerField(_("机构数"), default=0)
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    payment_reference = models.CharField(_("支付凭证号"), max_length=100, blank=True)
    paid_at = models.DateTimeField(_("支付时间"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("补助月度核算")
        verbose_name_plural = _("补助月度核算")
        ordering = ["-month", "scheme"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "month"], name="subsidy_month_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.scheme} {self.month:%Y-%m}"


class SubsidyLine(models.Model):
    """What one institution receives under one scheme for one month, and how it was reached."""

    subsidy_month = models.ForeignKey(
        SubsidyMonth, on_delete=models.PROTECT, related_name="lines", verbose_name=_("月度核算")
    )
    scheme = models.ForeignKey(
        SubsidyScheme, on_delete=models.PROTECT, related_name="lines", verbose_name=_("补助项目")
    )
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="subsidy_lines",
        verbose_name=_("机构"),
    )
    month = models.DateField(_("月份"))
    amount = models.DecimalField(_("金额（元）"), **MONEY)
    explanation = models.TextField(_("计算说明"))
    details = models.JSONField(_("计算明细"), default=dict, blank=True)

    history = HistoricalRecords()
    institution_path = "institution"

    class Meta:
        verbose_name = _("补助明细")
        verbose_name_plural = _("补助明细")
        ordering = ["-month", "institution__name", "pk"]
        constraints = [
            # Nothing is paid twice for one institution, scheme and month.
            models.UniqueConstraint(
                fields=["institution", "scheme", "month"], name="subsidy_line_once_per_month"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="subsidy_line_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.institution} {self.month:%Y-%m} {self.amount}"
