from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.jobs import Job


class ImportJob(Job):
    """A confirmed import: who started it, of which file, how far it got and what it wrote.

    A long job (portal.jobs): institutions.import_jobs.services queues and runs it. The uploaded
    file is kept encrypted with the personal-data keys (a staff list holds ID numbers) while the
    job waits or runs, and erased when it ends.
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

    # Which import: a model admin's ("institutions.institution"), or a kind an app registered
    # (institutions.import_jobs.services.register_kind).
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

    progress_fields = ("processed_rows", "total_rows")
    queue_down_notice = _("任务队列暂时不可用：导入已登记，队列恢复后将自动开始，无需重复提交。")

    class Meta(Job.Meta):
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        constraints = [
            models.CheckConstraint(
                condition=Q(processed_rows__lte=F("total_rows")),
                name="import_job_processed_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_state_display()})"

    def progress_text(self, *, done: int, total: int, step: str) -> str:
        if self.state == self.State.QUEUED:
            return gettext("已排队，等待后台处理……")
        if self.state == self.State.RUNNING:
            return gettext("正在导入：已处理 %(done)s / %(total)s 行") % {
                "done": done,
                "total": total,
            }
        if self.state == self.State.DONE:
            return gettext("导入完成。")
        return gettext("导入未完成，没有写入任何数据。")
