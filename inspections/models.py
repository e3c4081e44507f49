"""Inspections and safety supervision (检查与安全监管).

- Checklist templates (检查表) by inspection kind, with weighted items grouped by area.
- Inspections (检查): an institution, a kind, a day, the inspectors, each item's result, a score
  and an outcome. Results copy the item's wording and weight, so editing a template later never
  changes a past inspection.
- Findings (问题) and rectifications (整改): a failed item becomes a finding with a severity and a
  deadline; the operator answers, the inspector verifies and closes it or sends it back.
- Random draws (双随机): the pool, the seed and the result, recorded so anyone can re-run them.
- Incidents (强制报告) with a follow-up trail; suspected harm to a child can never be deleted (a
  PostgreSQL trigger backs the services, the admin and the API).
- Staff credit records (从业人员信用记录): a disqualifying finding against a person, by ID hash.

Every write is in `services.py`, every read in `selectors.py`. Each model says how it reaches an
institution (`institution_path`) for `portal.roles.scope`; `None` means operators never see
it (draws before publication, conflicts of interest, credit records).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from institutions.models import Institution, StaffMember
from portal.personal_data import KeyedHashField, ResidentIdField

from .validators import (
    EVIDENCE_MAX_BYTES,
    PHOTO_MAX_BYTES,
    validate_evidence_file,
    validate_photo_file,
)


class InspectionKind(models.TextChoices):
    PATROL = "patrol", _("月巡查")
    GUIDANCE = "guidance", _("季指导")
    ANNUAL = "annual", _("年检")
    HOLIDAY_JOINT = "holiday_joint", _("节前联合检查")
    SPOT_CHECK = "spot_check", _("双随机抽查")


# Kinds whose results are published (一公开): spot checks and annual inspections.
PUBLIC_KINDS = (InspectionKind.SPOT_CHECK, InspectionKind.ANNUAL)
# How often each routine kind is due (coverage, K12a-K12c).
ROUTINE_PERIODS = {
    InspectionKind.PATROL: "month",
    InspectionKind.GUIDANCE: "quarter",
    InspectionKind.ANNUAL: "year",
}
# A spot check is made by at least this many inspectors (双随机: two drawn inspectors).
SPOT_CHECK_MIN_INSPECTORS = 2


class Area(models.TextChoices):
    """Checklist areas, in the order the form shows them."""

    FIRE_SAFETY = "fire_safety", _("消防安全")
    FOOD_SAFETY = "food_safety", _("食品安全")
    HEALTH_CARE = "health_care", _("卫生保健与晨午检")
    FACILITIES = "facilities", _("设施设备与视频监控")
    STAFFING = "staffing", _("人员配备与师生比")
    RECORDS = "records", _("档案与制度")


class Severity(models.TextChoices):
    HIGH = "high", _("严重")
    MEDIUM = "medium", _("一般")
    LOW = "low", _("轻微")


# Days from the inspection day to the rectification deadline, by severity. The inspector may
# move a finding's deadline; this is the default. A count of days, never a date.
SEVERITY_DEADLINE_DAYS: dict[str, int] = {
    Severity.HIGH: 7,
    Severity.MEDIUM: 15,
    Severity.LOW: 30,
}


def default_deadline(found_on: dt.date, severity: str) -> dt.date:
    return found_on + dt.timedelta(days=SEVERITY_DEADLINE_DAYS[severity])


# Outcome rule: no failed item is a pass; failed items with a score of at least this are a pass
# with rectification; below it, a fail.
PASS_MIN_SCORE = Decimal("60")


# --- Checklist templates -------------------------------------------------------------------------


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


# --- Random draws (双随机) -------------------------------------------------------------------------


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


# --- Inspections ---------------------------------------------------------------------------------


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


# --- Findings and rectifications -----------------------------------------------------------------


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


# --- Incidents (强制报告) ---------------------------------------------------------------------------


class Incident(models.Model):
    class Kind(models.TextChoices):
        INJURY = "injury", _("意外伤害")
        ILLNESS_OUTBREAK = "illness_outbreak", _("传染病或群体性疾病")
        SUSPECTED_HARM = "suspected_harm", _("疑似虐待或忽视儿童")
        FIRE = "fire", _("火灾")
        FOOD_SAFETY = "food_safety", _("食品安全事件")
        OTHER = "other", _("其他")

    class State(models.TextChoices):
        OPEN = "open", _("处置中")
        CLOSED = "closed", _("已结案")

    # Escalated to the bureau at once and never deleted: the database refuses (migration 0002).
    HARM_KINDS = frozenset({Kind.SUSPECTED_HARM})

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="incidents", verbose_name=_("机构")
    )
    kind = models.CharField(_("事件类型"), max_length=20, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("发生时间"))
    description = models.TextField(_("事件经过"))
    children_affected = models.PositiveSmallIntegerField(_("涉及婴幼儿人数"), default=0)
    immediate_action = models.TextField(_("已采取的措施"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("报告人"),
    )
    reported_at = models.DateTimeField(_("报告时间"), auto_now_add=True)
    escalated_at = models.DateTimeField(_("上报卫健局时间"), null=True, blank=True)
    state = models.CharField(
        _("状态"), max_length=20, choices=State.choices, default=State.OPEN, db_index=True
    )
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)

    history = HistoricalRecords()
    institution_path = "institution"

    class Meta:
        verbose_name = _("事件报告")
        verbose_name_plural = _("事件报告")
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="suspected_harm") | Q(escalated_at__isnull=False),
                name="incident_harm_is_escalated",
                violation_error_message=_("疑似伤害儿童的事件必须立即上报卫健局。"),
            ),
            models.CheckConstraint(
                condition=(Q(state="closed") & Q(closed_at__isnull=False))
                | (~Q(state="closed") & Q(closed_at__isnull=True)),
                name="incident_closed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution} {self.get_kind_display()} {self.occurred_at:%Y-%m-%d}"

    @property
    def is_harm(self) -> bool:
        return self.kind in self.HARM_KINDS


class IncidentFollowUp(models.Model):
    """One step of an incident's follow-up trail (跟进记录)."""

    incident = models.ForeignKey(
        Incident, on_delete=models.PROTECT, related_name="follow_ups", verbose_name=_("事件")
    )
    note = models.TextField(_("跟进情况"))
    closes = models.BooleanField(_("结案"), default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("记录人"),
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    history = HistoricalRecords()
    institution_path = "incident__institution"

    class Meta:
        verbose_name = _("事件跟进")
        verbose_name_plural = _("事件跟进")
        ordering = ["incident", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.incident} · {self.created_at:%Y-%m-%d}"


# --- Staff credit records (从业人员信用记录) -----------------------------------------------------------


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
