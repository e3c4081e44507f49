"""Star rating (星级评定): the bureau's criteria sets, an operator's application with its
self-assessment and evidence, the inspectors' review and the bureau's decision.

A criteria set is data the bureau enters (the plan gives none): its items with their maximum
scores, and the total each star level needs. An application copies nothing from its set; a set
that applications use is not edited (the admin refuses to delete it: PROTECT). The decision
writes the registry's dated institutions.StarRating (institutions.services), which the public
page and the indicators read.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from institutions.models import Institution, StarRating

from .validators import EVIDENCE_MAX_BYTES, validate_evidence_file

STARS = [MinValueValidator(1), MaxValueValidator(5)]
SCORE = {"max_digits": 6, "decimal_places": 1}


class CriteriaSet(models.Model):
    """评定标准: a set of items and the score each star level needs, from a day on."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    valid_from = models.DateField(_("启用日期"), help_text=_("当日起可用于新的申请。"))
    note = models.CharField(_("备注"), max_length=200, blank=True)

    history = HistoricalRecords()
    scope_public = True  # every signed-in user may read the bureau's criteria

    class Meta:
        verbose_name = _("评定标准")
        verbose_name_plural = _("评定标准")
        ordering = ["-valid_from", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def max_total(self) -> Decimal:
        return sum((c.max_score for c in self.criteria.all()), Decimal(0))

    def stars_for(self, total: Decimal | None) -> int | None:
        """The highest star level whose threshold `total` reaches; None below the lowest."""
        if total is None:
            return None
        reached = [t.stars for t in self.thresholds.all() if total >= t.min_score]
        return max(reached) if reached else None


class Criterion(models.Model):
    criteria_set = models.ForeignKey(
        CriteriaSet, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("评定标准")
    )
    order = models.PositiveSmallIntegerField(_("序号"))
    text = models.CharField(_("评定内容"), max_length=300)
    max_score = models.DecimalField(
        _("分值"), **SCORE, validators=[MinValueValidator(Decimal("0.1"))]
    )

    history = HistoricalRecords()
    scope_public = True

    class Meta:
        verbose_name = _("评定项目")
        verbose_name_plural = _("评定项目")
        ordering = ["criteria_set", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["criteria_set", "order"],
                name="criterion_order_unique",
                violation_error_message=_("同一标准中序号不能重复。"),
            ),
            models.CheckConstraint(
                condition=Q(max_score__gt=0),
                name="criterion_max_score_positive",
                violation_error_message=_("分值必须大于0。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.text}"


class StarThreshold(models.Model):
    criteria_set = models.ForeignKey(
        CriteriaSet, on_delete=models.CASCADE, related_name="thresholds", verbose_name=_("评定标准")
    )
    stars = models.PositiveSmallIntegerField(_("星级"), validators=STARS)
    min_score = models.DecimalField(_("最低得分"), **SCORE, validators=[MinValueValidator(0)])

    history = HistoricalRecords()
    scope_public = True

    class Meta:
        verbose_name = _("星级分数线")
        verbose_name_plural = _("星级分数线")
        ordering = ["criteria_set", "stars"]
        constraints = [
            models.UniqueConstraint(
                fields=["criteria_set", "stars"],
                name="threshold_one_per_level",
                violation_error_message=_("每个星级只能有一条分数线。"),
            ),
            models.CheckConstraint(
                condition=Q(stars__gte=1, stars__lte=5),
                name="threshold_stars_1_to_5",
                violation_error_message=_("星级为1到5星。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stars}★ ≥ {self.min_score}"


class RatingApplication(models.Model):
    """An operator's application for a star level: draft → submitted → reviewed → approved or
    refused; a submitted application may be returned to the operator, who submits it again."""

    class State(models.TextChoices):
        DRAFT = "draft", _("填写中")
        SUBMITTED = "submitted", _("已提交")
        RETURNED = "returned", _("已退回")
        REVIEWED = "reviewed", _("已评审")
        APPROVED = "approved", _("已批准")
        REFUSED = "refused", _("未批准")

    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="rating_applications",
        verbose_name=_("机构"),
    )
    criteria_set = models.ForeignKey(
        CriteriaSet,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("评定标准"),
    )
    stars_applied = models.PositiveSmallIntegerField(_("申请星级"), validators=STARS)
    state = models.CharField(
        _("状态"), max_length=20, choices=State.choices, default=State.DRAFT, db_index=True
    )
    note = models.TextField(_("申请说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("申请人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    returned_note = models.TextField(_("退回意见"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("评审人"),
    )
    reviewed_at = models.DateTimeField(_("评审时间"), null=True, blank=True)
    review_note = models.TextField(_("评审意见"), blank=True)
    review_total = models.DecimalField(_("评审得分"), **SCORE, null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("决定人"),
    )
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    decision_note = models.TextField(_("决定意见"), blank=True)
    stars_granted = models.PositiveSmallIntegerField(
        _("评定星级"), validators=STARS, null=True, blank=True
    )
    star_rating = models.ForeignKey(
        StarRating,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记的星级记录"),
    )

    history = HistoricalRecords()
    institution_path = "institution"

    class Meta:
        verbose_name = _("星级评定申请")
        verbose_name_plural = _("星级评定申请")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stars_applied__gte=1, stars_applied__lte=5),
                name="application_stars_1_to_5",
                violation_error_message=_("星级为1到5星。"),
            ),
            models.CheckConstraint(
                condition=~Q(state="approved")
                | Q(stars_granted__isnull=False, decided_on__isnull=False),
                name="application_approved_has_level",
                violation_error_message=_("批准的申请须有评定星级和决定日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution} {self.stars_applied}★ ({self.get_state_display()})"

    @property
    def editable(self) -> bool:
        return self.state in (self.State.DRAFT, self.State.RETURNED)


class ApplicationScore(models.Model):
    """One criterion of an application: the operator's self-assessment and the review's score."""

    application = models.ForeignKey(
        RatingApplication,
        on_delete=models.CASCADE,
        related_name="scores",
        verbose_name=_("申请"),
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="+", verbose_name=_("评定项目")
    )
    self_score = models.DecimalField(_("自评分"), **SCORE, null=True, blank=True)
    self_note = models.CharField(_("自评说明"), max_length=500, blank=True)
    review_score = models.DecimalField(_("评审分"), **SCORE, null=True, blank=True)
    review_note = models.CharField(_("评审说明"), max_length=500, blank=True)

    history = HistoricalRecords()
    institution_path = "application__institution"

    class Meta:
        verbose_name = _("评分")
        verbose_name_plural = _("评分")
        ordering = ["application", "criterion__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "criterion"], name="score_one_per_criterion"
            ),
            models.CheckConstraint(
                condition=Q(self_score__isnull=True) | Q(self_score__gte=0),
                name="score_self_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(review_score__isnull=True) | Q(review_score__gte=0),
                name="score_review_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} · {self.criterion}"


def _evidence_path(instance: Evidence, filename: str) -> str:
    # The original name may carry personal data; only its extension is kept.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"ratings/evidence/{instance.application_id}/{instance.criterion_id or 0}.{suffix}"


class Evidence(models.Model):
    application = models.ForeignKey(
        RatingApplication,
        on_delete=models.CASCADE,
        related_name="evidence",
        verbose_name=_("申请"),
    )
    criterion = models.ForeignKey(
        Criterion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("评定项目"),
    )
    file = models.FileField(
        _("佐证材料"),
        upload_to=_evidence_path,
        validators=[validate_evidence_file],
        help_text=format_lazy(
            _("JPEG、PNG、WebP 或 PDF，不超过{mb}MB。"), mb=EVIDENCE_MAX_BYTES // 2**20
        ),
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
    institution_path = "application__institution"

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["application", "pk"]

    def __str__(self) -> str:
        return f"{self.application_id} #{self.pk}"
