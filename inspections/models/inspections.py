"""Inspections (检查): an institution, a kind, a day, the inspectors, each item's result (copied
from the checklist, so editing a template later never changes a past inspection) and photos."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from institutions.models import Institution

from ..choices import Area, InspectionKind, Severity
from ..validators import PHOTO_MAX_BYTES, validate_photo_file
from .checklists import ChecklistItem, ChecklistTemplate
from .draws import DrawAssignment


class Inspection(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("填写中")
        COMPLETED = "completed", _("已完成")

    class Outcome(models.TextChoices):
        PASS = "pass", _("合格")
        PASS_WITH_RECTIFICATION = "rectify", _("限期整改")
        FAIL = "fail", _("不合格")

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="inspections", verbose_name=_("机构")
    )
    kind = models.CharField(_("检查类型"), max_length=20, choices=InspectionKind.choices)
    template = models.ForeignKey(
        ChecklistTemplate, on_delete=models.PROTECT, related_name="+", verbose_name=_("检查表")
    )
    inspected_on = models.DateField(_("检查日期"), help_text=_("现场检查当日。"))
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="inspections", verbose_name=_("检查人员")
    )
    joint_agencies = models.CharField(
        _("联合检查部门"), max_length=200, blank=True, help_text=_("如消防救援、市场监管部门。")
    )
    draw_assignment = models.OneToOneField(
        DrawAssignment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inspection",
        verbose_name=_("抽中记录"),
    )
    state = models.CharField(
        _("状态"), max_length=20, choices=State.choices, default=State.DRAFT, db_index=True
    )
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=2, null=True, blank=True)
    outcome = models.CharField(
        _("检查结论"), max_length=20, choices=Outcome.choices, blank=True, default=""
    )
    summary = models.TextField(_("检查意见"), blank=True, help_text=_("内部记录，不公示。"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("完成人"),
    )

    history = HistoricalRecords(m2m_fields=[inspectors])
    institution_path = "institution"

    class Meta:
        verbose_name = _("检查")
        verbose_name_plural = _("检查")
        ordering = ["-inspected_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100),
                name="inspection_score_0_to_100",
                violation_error_message=_("得分为0到100。"),
            ),
            models.CheckConstraint(
                condition=Q(state="draft")
                | (Q(score__isnull=False) & ~Q(outcome="") & Q(completed_at__isnull=False)),
                name="inspection_completed_has_score_and_outcome",
                violation_error_message=_("已完成的检查必须有得分、结论和完成时间。"),
            ),
            models.CheckConstraint(
                condition=Q(draw_assignment__isnull=True) | Q(kind="spot_check"),
                name="inspection_drawn_is_spot_check",
                violation_error_message=_("由抽查产生的检查必须是双随机抽查。"),
            ),
        ]
        indexes = [
            # K12a-K12c: "completed inspection of kind X in a period".
            models.Index(
                fields=["kind", "state", "inspected_on"], name="inspection_kind_state_day"
            ),
            models.Index(fields=["institution", "inspected_on"], name="inspection_institution_day"),
        ]

    def __str__(self) -> str:
        return f"{self.institution} {self.get_kind_display()} {self.inspected_on}"

    @property
    def is_completed(self) -> bool:
        return self.state == self.State.COMPLETED


class InspectionResult(models.Model):
    """One checklist item's result in one inspection. The wording, area, weight and severity are
    copied from the item when the inspection starts."""

    class Result(models.TextChoices):
        PASS = "pass", _("合格")
        FAIL = "fail", _("不合格")
        NOT_APPLICABLE = "na", _("不适用")

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="results", verbose_name=_("检查")
    )
    item = models.ForeignKey(
        ChecklistItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("检查项"),
    )
    area = models.CharField(_("检查领域"), max_length=20, choices=Area.choices)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    text = models.CharField(_("检查内容"), max_length=300)
    weight = models.PositiveSmallIntegerField(_("分值权重"), default=1)
    severity = models.CharField(
        _("不合格时的严重程度"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM
    )
    result = models.CharField(
        _("结果"), max_length=10, choices=Result.choices, blank=True, default=""
    )
    note = models.TextField(_("说明"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords()
    institution_path = "inspection__institution"

    class Meta:
        verbose_name = _("检查项结果")
        verbose_name_plural = _("检查项结果")
        ordering = ["inspection", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "item"],
                condition=Q(item__isnull=False),
                name="inspection_result_item_once",
            ),
            models.CheckConstraint(
                condition=Q(result__in=["", "pass", "fail", "na"]),
                name="inspection_result_known_value",
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=1, weight__lte=100),
                name="inspection_result_weight_1_to_100",
            ),
        ]

    def __str__(self) -> str:
        return self.text


def _photo_path(instance: InspectionPhoto, filename: str) -> str:
    # The original name may carry personal data; only its extension is kept.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"inspections/photos/{instance.result.inspection_id}/{instance.result_id}.{suffix}"


class InspectionPhoto(models.Model):
    result = models.ForeignKey(
        InspectionResult, on_delete=models.CASCADE, related_name="photos", verbose_name=_("检查项")
    )
    file = models.FileField(
        _("照片"),
        upload_to=_photo_path,
        validators=[validate_photo_file],
        help_text=format_lazy(_("JPEG、PNG 或 WebP，不超过{mb}MB。"), mb=PHOTO_MAX_BYTES // 2**20),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    history = HistoricalRecords()
    institution_path = "result__inspection__institution"

    class Meta:
        verbose_name = _("现场照片")
        verbose_name_plural = _("现场照片")
        ordering = ["result", "pk"]

    def __str__(self) -> str:
        return f"{self.result} #{self.pk}"
