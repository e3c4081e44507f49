"""Random draws (双随机): the pool, the seed and the result, recorded so anyone can re-run them;
conflicts of interest (回避)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from institutions.models import Institution

from ..choices import SPOT_CHECK_MIN_INSPECTORS


class RandomDraw(models.Model):
    """One draw of institutions and inspectors, reproducible from what it records.

    `institution_pool` is `[[institution_id, weight], ...]` sorted by id (weights are 1 unless the
    draw is risk-weighted), `inspector_pool` the inspectors' user ids, sorted, and `conflicts` the
    `[institution_id, inspector_id]` pairs excluded. `inspections.draw.run_draw(seed, ...)` on
    these gives back the assignments.
    """

    title = models.CharField(_("抽查任务"), max_length=200)
    drawn_on = models.DateField(
        _("抽取日期"), help_text=_("按当日的机构名录、健康指导员指派和回避关系抽取。")
    )
    seed = models.BigIntegerField(_("随机种子"), help_text=_("公开，任何人可用其复现抽取结果。"))
    algorithm = models.CharField(_("算法版本"), max_length=20, default="v1", editable=False)
    filters = models.JSONField(_("抽取范围"), default=dict, blank=True)
    risk_weighted = models.BooleanField(_("按风险加权"), default=False)
    sample_size = models.PositiveIntegerField(_("抽取机构数"))
    inspectors_per_institution = models.PositiveSmallIntegerField(
        _("每家机构检查员数"), default=SPOT_CHECK_MIN_INSPECTORS
    )
    institution_pool = models.JSONField(_("机构池"), default=list, editable=False)
    inspector_pool = models.JSONField(_("检查员池"), default=list, editable=False)
    conflicts = models.JSONField(_("回避关系"), default=list, editable=False)
    note = models.TextField(_("备注"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("操作人"),
    )
    created_at = models.DateTimeField(_("抽取时间"), auto_now_add=True)
    published_at = models.DateTimeField(_("公示时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("公示人"),
    )

    history = HistoricalRecords()
    # Operators must not learn of a spot check in advance: they never see a draw.
    institution_path = None

    class Meta:
        verbose_name = _("双随机抽查")
        verbose_name_plural = _("双随机抽查")
        ordering = ["-drawn_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(seed__gte=0),
                name="random_draw_seed_not_negative",
                violation_error_message=_("随机种子不能为负数。"),
            ),
            models.CheckConstraint(
                condition=Q(sample_size__gte=1),
                name="random_draw_samples_at_least_one",
                violation_error_message=_("至少抽取1家机构。"),
            ),
            models.CheckConstraint(
                condition=Q(inspectors_per_institution__gte=SPOT_CHECK_MIN_INSPECTORS),
                name="random_draw_two_inspectors_or_more",
                violation_error_message=_("每家机构至少2名检查员。"),
            ),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(published_by__isnull=False),
                name="random_draw_published_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.drawn_on}）"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class DrawAssignment(models.Model):
    """One drawn institution and the inspectors drawn for it."""

    draw = models.ForeignKey(
        RandomDraw, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("抽查")
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("机构")
    )
    position = models.PositiveSmallIntegerField(_("抽中顺序"))
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="draw_assignments", verbose_name=_("检查员")
    )

    history = HistoricalRecords(m2m_fields=[inspectors])
    institution_path = None  # as the draw: not shown to operators

    class Meta:
        verbose_name = _("抽中机构")
        verbose_name_plural = _("抽中机构")
        ordering = ["draw", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["draw", "institution"], name="draw_assignment_institution_once"
            ),
            models.UniqueConstraint(fields=["draw", "position"], name="draw_assignment_position"),
        ]

    def __str__(self) -> str:
        return f"{self.draw} · {self.institution}"


class ConflictOfInterest(models.Model):
    """An inspector who must not inspect an institution (回避), from one day to another, both
    included. The institution's assigned health instructor is excluded without a record."""

    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="inspection_conflicts",
        verbose_name=_("检查员"),
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("机构")
    )
    reason = models.CharField(_("回避原因"), max_length=300)
    valid_from = models.DateField(_("起始日期"), help_text=_("含当日。"))
    valid_to = models.DateField(
        _("截止日期"), null=True, blank=True, help_text=_("含当日；留空表示长期。")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    history = HistoricalRecords()
    institution_path = None  # bureau business: operators do not see who must recuse

    class Meta:
        verbose_name = _("回避关系")
        verbose_name_plural = _("回避关系")
        ordering = ["institution", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="conflict_valid_to_after_from",
                violation_error_message=_("截止日期不能早于起始日期。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.inspector} ↛ {self.institution}"
