"""Idle state-owned premises (闲置国有房源) offered to inclusive institutions (plan task 6, issue 20).

A register the bureau keeps: who owns each property, where it is, how large, and where it stands
(offered → matched with an institution → in use; or withdrawn), with the rent relief granted and
its dates. Premises on offer are listed publicly (/gongshi/fangyuan/), so that institutions looking
for space find them. The plan names the policy, not the properties, the amounts or the relief:
every value is the bureau's.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.validators import PhoneValidator


class IdlePremises(models.Model):
    class State(models.TextChoices):
        OFFERED = "offered", _("可申请")
        MATCHED = "matched", _("已对接")
        IN_USE = "in_use", _("已投入使用")
        WITHDRAWN = "withdrawn", _("已撤回")

    # States that name the institution the premises went to.
    WITH_INSTITUTION = (State.MATCHED, State.IN_USE)

    name = models.CharField(_("房源名称"), max_length=200)
    owner = models.CharField(
        _("产权单位"), max_length=200, help_text=_("提供房源的国有企业或单位名称。")
    )
    township = models.ForeignKey(
        "institutions.Township",
        on_delete=models.PROTECT,
        related_name="idle_premises",
        verbose_name=_("所属镇街"),
    )
    address = models.CharField(_("地址"), max_length=300)
    floor_area = models.DecimalField(
        _("建筑面积（平方米）"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    contact_phone = models.CharField(
        _("咨询电话"),
        max_length=30,
        blank=True,
        validators=[PhoneValidator()],
        help_text=_("产权单位的办公电话，将在信息公示页公开；请勿填写个人手机号。"),
    )
    offered_on = models.DateField(_("发布日期"))
    state = models.CharField(
        _("状态"), max_length=20, choices=State.choices, default=State.OFFERED, db_index=True
    )
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="idle_premises",
        verbose_name=_("对接机构"),
    )
    matched_on = models.DateField(_("对接日期"), null=True, blank=True)
    rent_relief = models.CharField(
        _("租金减免"), max_length=200, blank=True, help_text=_("如“前三年免租，后两年减半”。")
    )
    relief_from = models.DateField(_("减免起始日"), null=True, blank=True)
    relief_to = models.DateField(_("减免截止日"), null=True, blank=True, help_text=_("含当日。"))
    note = models.CharField(_("备注"), max_length=300, blank=True)

    history = HistoricalRecords()
    # Public information (the public page lists the offered ones): every signed-in reader of the
    # registry sees the register; the bureau writes it.
    scope_public = True

    class Meta:
        verbose_name = _("闲置国有房源")
        verbose_name_plural = _("闲置国有房源")
        ordering = ["township__code", "-offered_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(floor_area__gt=0),
                name="idle_premises_area_positive",
                violation_error_message=_("建筑面积必须大于0。"),
            ),
            models.CheckConstraint(
                condition=(
                    Q(state__in=["matched", "in_use"], institution__isnull=False)
                    | Q(state__in=["offered", "withdrawn"])
                ),
                name="idle_premises_matched_names_institution",
                violation_error_message=_("已对接或已投入使用的房源须填写对接机构。"),
            ),
            models.CheckConstraint(
                condition=~Q(state="offered") | Q(institution__isnull=True),
                name="idle_premises_offered_has_no_institution",
                violation_error_message=_("可申请的房源不能已有对接机构。"),
            ),
            models.CheckConstraint(
                condition=Q(relief_to__isnull=True)
                | Q(relief_from__isnull=False, relief_to__gte=F("relief_from")),
                name="idle_premises_relief_dates",
                violation_error_message=_("减免截止日不能早于减免起始日，且须先填写起始日。"),
            ),
            models.CheckConstraint(
                condition=Q(matched_on__isnull=True) | Q(matched_on__gte=F("offered_on")),
                name="idle_premises_matched_after_offered",
                violation_error_message=_("对接日期不能早于发布日期。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.state in self.WITH_INSTITUTION and self.institution_id is None:
            errors["institution"] = _("已对接或已投入使用的房源须填写对接机构。")
        if self.state == self.State.OFFERED and self.institution_id is not None:
            errors["state"] = _("已填写对接机构，请将状态改为“已对接”或“已投入使用”。")
        if self.state in self.WITH_INSTITUTION and self.matched_on is None:
            errors["matched_on"] = _("请填写对接日期。")
        if self.relief_to and not self.relief_from:
            errors["relief_from"] = _("请先填写减免起始日。")
        elif self.relief_from and self.relief_to and self.relief_to < self.relief_from:
            errors["relief_to"] = _("减免截止日不能早于减免起始日。")
        if self.matched_on and self.offered_on and self.matched_on < self.offered_on:
            errors["matched_on"] = _("对接日期不能早于发布日期。")
        if errors:
            raise ValidationError(errors)
