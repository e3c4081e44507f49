"""The task force's departments, the plan's tasks and sub-items, and the progress the departments
report on them (plan.md §3, §4)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from inspections.validators import EVIDENCE_MAX_BYTES, validate_evidence_file

from ..phases import Phase


class Department(models.Model):
    """One of the fourteen responsible units (责任单位) of the plan, with its task-force role."""

    class TaskForceRole(models.TextChoices):
        LEADER = "leader", _("组长单位")
        DEPUTY = "deputy", _("副组长单位")
        MEMBER = "member", _("成员单位")

    name = models.CharField(_("名称"), max_length=60, unique=True)
    # JSON lists rather than PostgreSQL arrays, so `make run` migrates on its embedded SQLite too.
    aliases = models.JSONField(
        verbose_name=_("其他写法"),
        default=list,
        blank=True,
        help_text=_("方案中的其他写法，如“市卫生健康局”。"),
    )
    task_force_role = models.CharField(_("专班职务"), max_length=10, choices=TaskForceRole.choices)
    hosts_office = models.BooleanField(_("专班办公室所在单位"), default=False)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="programme_departments",
        verbose_name=_("部门用户"),
    )

    history = HistoricalRecords(m2m_fields=[users])
    programme_record = True

    class Meta:
        verbose_name = _("责任单位")
        verbose_name_plural = _("责任单位")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class Status(models.TextChoices):
    NOT_STARTED = "not_started", _("未开始")
    IN_PROGRESS = "in_progress", _("推进中")
    AT_RISK = "at_risk", _("有风险")
    DONE = "done", _("已完成")


class WorkItem(models.Model):
    """What a task and a sub-item share: the plan's text, and what the office sets (plan silent:
    status, due date, owner, phase, linked indicators)."""

    title = models.CharField(_("标题"), max_length=200)
    text = models.TextField(_("方案原文"), blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED
    )
    due_date = models.DateField(
        _("完成时限"), null=True, blank=True, help_text=_("含当日。方案未规定，由专班办公室设定。")
    )
    owner = models.CharField(
        _("责任人"), max_length=60, blank=True, help_text=_("方案未规定，由专班办公室设定。")
    )
    phase = models.CharField(
        _("阶段"),
        max_length=16,
        choices=Phase.choices,
        blank=True,
        help_text=_("方案未把任务分配到阶段；可由专班办公室设定。"),
    )
    indicators = models.JSONField(
        verbose_name=_("关联指标"),
        default=list,
        blank=True,
        help_text=_("衡量该项的试点指标编号，如 K7。"),
    )

    programme_record = True

    class Meta:
        abstract = True


class Task(WorkItem):
    """A task of 三、试点任务 (1-8); 责任单位 are given per task: one lead (★), co-responsible (●)."""

    number = models.PositiveSmallIntegerField(_("序号"), unique=True)
    lead = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="led_tasks",
        verbose_name=_("牵头单位"),
    )
    co_responsible = models.ManyToManyField(
        Department, blank=True, related_name="co_tasks", verbose_name=_("配合单位")
    )

    history = HistoricalRecords(m2m_fields=[co_responsible])

    class Meta:
        verbose_name = _("试点任务")
        verbose_name_plural = _("试点任务")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(number__gte=1), name="programme_task_number_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class SubItem(WorkItem):
    """A numbered sub-item n.m of task n. The plan names no department per sub-item; the office
    may assign some (`departments`), otherwise the task's departments answer for it."""

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="sub_items", verbose_name=_("试点任务")
    )
    number = models.PositiveSmallIntegerField(_("序号"))
    departments = models.ManyToManyField(
        Department, blank=True, related_name="sub_items", verbose_name=_("指定单位")
    )

    history = HistoricalRecords(m2m_fields=[departments])

    class Meta:
        verbose_name = _("任务子项")
        verbose_name_plural = _("任务子项")
        ordering = ["task__number", "number"]
        constraints = [
            models.UniqueConstraint(fields=["task", "number"], name="programme_subitem_unique"),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="programme_subitem_number_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task.number}.{self.number} {self.title}"


class ProgressUpdate(models.Model):
    """What a responsible department reports on a task (or one of its sub-items)."""

    task = models.ForeignKey(
        Task, on_delete=models.PROTECT, related_name="updates", verbose_name=_("试点任务")
    )
    sub_item = models.ForeignKey(
        SubItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="updates",
        verbose_name=_("任务子项"),
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="updates", verbose_name=_("填报单位")
    )
    text = models.TextField(_("进展情况"))
    status = models.CharField(_("填报后状态"), max_length=12, choices=Status.choices, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("填报人"),
    )
    created_at = models.DateTimeField(_("填报时间"), auto_now_add=True, db_index=True)

    history = HistoricalRecords()
    programme_record = True

    class Meta:
        verbose_name = _("进展填报")
        verbose_name_plural = _("进展填报")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.task} · {self.department} · {self.created_at:%Y-%m-%d}"


def _evidence_path(instance: ProgressEvidence, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"programme/evidence/{instance.update.task_id}/{instance.update_id}.{suffix}"


class ProgressEvidence(models.Model):
    update = models.ForeignKey(
        ProgressUpdate,
        on_delete=models.CASCADE,
        related_name="evidence",
        verbose_name=_("进展填报"),
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
    programme_record = True

    class Meta:
        verbose_name = _("进展佐证材料")
        verbose_name_plural = _("进展佐证材料")
        ordering = ["update", "pk"]

    def __str__(self) -> str:
        return f"{self.update} #{self.pk}"
