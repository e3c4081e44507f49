"""Findings (问题) and rectifications (整改): a failed item becomes a finding with a severity and a
deadline; the operator answers with evidence, the inspector closes it or sends it back."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..choices import Area, Severity
from ..validators import EVIDENCE_MAX_BYTES, validate_evidence_file
from .inspections import Inspection, InspectionResult


class Finding(models.Model):
    """A problem found by an inspection (发现问题), fixed by its deadline (整改期限, inclusive)."""

    class State(models.TextChoices):
        OPEN = "open", _("待整改")
        SUBMITTED = "submitted", _("待验收")
        RETURNED = "returned", _("退回重改")
        CLOSED = "closed", _("已整改销号")

    OPEN_STATES = (State.OPEN, State.SUBMITTED, State.RETURNED)

    inspection = models.ForeignKey(
        Inspection, on_delete=models.PROTECT, related_name="findings", verbose_name=_("检查")
    )
    result = models.OneToOneField(
        InspectionResult,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="finding",
        verbose_name=_("检查项结果"),
    )
    area = models.CharField(_("检查领域"), max_length=20, choices=Area.choices)
    title = models.CharField(
        _("问题"), max_length=300, help_text=_("公示内容：通俗说明问题，不写人名、证件号或电话。")
    )
    detail = models.TextField(_("检查员说明"), blank=True, help_text=_("内部记录，不公示。"))
    severity = models.CharField(_("严重程度"), max_length=10, choices=Severity.choices)
    found_on = models.DateField(_("发现日期"))
    deadline = models.DateField(_("整改期限"), help_text=_("含当日。"))
    state = models.CharField(
        _("整改状态"), max_length=20, choices=State.choices, default=State.OPEN, db_index=True
    )
    overdue_notified_at = models.DateTimeField(
        _("逾期通知时间"), null=True, blank=True, help_text=_("夜间任务标记逾期并通知的时间。")
    )
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("验收人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords()
    institution_path = "inspection__institution"

    class Meta:
        verbose_name = _("检查发现问题")
        verbose_name_plural = _("检查发现问题")
        ordering = ["deadline", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__gte=F("found_on")),
                name="finding_deadline_not_before_found",
                violation_error_message=_("整改期限不能早于发现日期。"),
            ),
            models.CheckConstraint(
                condition=(Q(state="closed") & Q(closed_on__isnull=False))
                | (~Q(state="closed") & Q(closed_on__isnull=True)),
                name="finding_closed_has_date",
                violation_error_message=_("已销号的问题必须有销号日期，未销号的不能有。"),
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("found_on")),
                name="finding_closed_after_found",
                violation_error_message=_("销号日期不能早于发现日期。"),
            ),
        ]
        indexes = [
            # K12d: findings whose deadline falls in a month, and whether closed by it.
            models.Index(fields=["deadline", "state"], name="finding_deadline_state"),
        ]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today: dt.date) -> bool:
        return self.state != self.State.CLOSED and self.deadline < today


class Rectification(models.Model):
    """The operator's answer to a finding (整改回复) and the inspector's review of it."""

    class Review(models.TextChoices):
        PENDING = "pending", _("待验收")
        ACCEPTED = "accepted", _("验收通过")
        SENT_BACK = "sent_back", _("退回")

    finding = models.ForeignKey(
        Finding, on_delete=models.PROTECT, related_name="rectifications", verbose_name=_("问题")
    )
    action_taken = models.TextField(_("整改措施"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("提交人"),
    )
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    review = models.CharField(
        _("验收结果"), max_length=20, choices=Review.choices, default=Review.PENDING
    )
    review_note = models.TextField(_("验收意见"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("验收人"),
    )
    reviewed_at = models.DateTimeField(_("验收时间"), null=True, blank=True)

    history = HistoricalRecords()
    institution_path = "finding__inspection__institution"

    class Meta:
        verbose_name = _("整改回复")
        verbose_name_plural = _("整改回复")
        ordering = ["finding", "submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["finding"],
                condition=Q(review="pending"),
                name="rectification_one_pending_per_finding",
                violation_error_message=_("该问题已有待验收的整改回复。"),
            ),
            models.CheckConstraint(
                condition=Q(review="pending") | Q(reviewed_at__isnull=False),
                name="rectification_reviewed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.finding} · {self.get_review_display()}"


def _evidence_path(instance: RectificationEvidence, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"inspections/evidence/{instance.rectification.finding_id}/{instance.rectification_id}.{suffix}"


class RectificationEvidence(models.Model):
    rectification = models.ForeignKey(
        Rectification, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("整改回复")
    )
    file = models.FileField(
        _("佐证材料"),
        upload_to=_evidence_path,
        validators=[validate_evidence_file],
        help_text=format_lazy(
            _("照片（JPEG、PNG、WebP）或 PDF，不超过{mb}MB。"), mb=EVIDENCE_MAX_BYTES // 2**20
        ),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    history = HistoricalRecords()
    institution_path = "rectification__finding__inspection__institution"

    class Meta:
        verbose_name = _("整改佐证材料")
        verbose_name_plural = _("整改佐证材料")
        ordering = ["rectification", "pk"]

    def __str__(self) -> str:
        return f"{self.rectification} #{self.pk}"
