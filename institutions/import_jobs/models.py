from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    """A confirmed import: who started it, of which file, how far it got and what it wrote.

    The uploaded file is kept encrypted with the personal-data keys (a staff list holds ID
    numbers) while the job waits or runs, and erased when it ends.
    """

    history_exempt = True
    history_exempt_reason = (
        "The job row is itself the record of who imported which file and when; the rows it "
        "writes keep their own history with the importing user."
    )

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("导入中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("未完成")

    FINISHED = (State.DONE, State.FAILED)

    model_label = models.CharField(_("导入对象"), max_length=100)
    resource_index = models.PositiveSmallIntegerField(default=0)
    format_index = models.PositiveSmallIntegerField(default=0)
    file_name = models.CharField(_("文件名"), max_length=255, blank=True)
    # What the import needs besides the file, e.g. {"batch": 3} for a voucher application list.
    options = models.JSONField(default=dict, blank=True)
    payload = models.BinaryField(default=bytes, editable=False)
    state = models.CharField(
        _("状态"), max_length=10, choices=State.choices, default=State.QUEUED, db_index=True
    )
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已处理行数"), default=0)
    totals = models.JSONField(_("结果统计"), default=dict, blank=True)
    messages = models.JSONField(_("提示"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("导入人"),
    )
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(processed_rows__lte=F("total_rows")),
                name="import_job_processed_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_state_display()})"

    @property
    def finished(self) -> bool:
        return self.state in self.FINISHED

    @property
    def progress(self) -> int:
        if self.state == self.State.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(99, self.processed_rows * 100 // self.total_rows)
