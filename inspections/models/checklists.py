"""Checklist templates (检查表) by inspection kind, with weighted items grouped by area."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..choices import Area, InspectionKind, Severity


class ChecklistTemplate(models.Model):
    """A checklist for one inspection kind; bureau staff edit it in the admin. One is active per
    kind: new inspections use it, past ones keep their own copy of the items."""

    kind = models.CharField(_("检查类型"), max_length=20, choices=InspectionKind.choices)
    name = models.CharField(_("名称"), max_length=200)
    basis = models.TextField(
        _("依据"), blank=True, help_text=_("所依据的规范性文件，例如《托育机构管理规范（试行）》。")
    )
    is_active = models.BooleanField(
        _("启用"), default=True, help_text=_("每种检查类型只能启用一份检查表。")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords()
    # Reference data: every signed-in user may read the checklists; no institution is involved.
    institution_path = None
    scope_public = True

    class Meta:
        verbose_name = _("检查表")
        verbose_name_plural = _("检查表")
        ordering = ["kind", "-is_active", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(is_active=True),
                name="checklist_template_one_active_per_kind",
                violation_error_message=_("该检查类型已有启用的检查表，请先停用原检查表。"),
            )
        ]

    def __str__(self) -> str:
        return self.name


class ChecklistItem(models.Model):
    template = models.ForeignKey(
        ChecklistTemplate, on_delete=models.CASCADE, related_name="items", verbose_name=_("检查表")
    )
    area = models.CharField(_("检查领域"), max_length=20, choices=Area.choices)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    text = models.CharField(
        _("检查内容"),
        max_length=300,
        help_text=_("不合格时作为问题公示，请用通俗语言，不写人名。"),
    )
    guidance = models.TextField(_("检查方法"), blank=True)
    weight = models.PositiveSmallIntegerField(
        _("分值权重"), default=1, help_text=_("1到100；得分按合格项的权重占比计算。")
    )
    severity = models.CharField(
        _("不合格时的默认严重程度"),
        max_length=10,
        choices=Severity.choices,
        default=Severity.MEDIUM,
    )

    history = HistoricalRecords()
    institution_path = None
    scope_public = True

    class Meta:
        verbose_name = _("检查项")
        verbose_name_plural = _("检查项")
        ordering = ["template", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gte=1, weight__lte=100),
                name="checklist_item_weight_1_to_100",
                violation_error_message=_("分值权重为1到100。"),
            )
        ]

    def __str__(self) -> str:
        return self.text
