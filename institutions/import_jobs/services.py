"""Queue a confirmed import and run it: the same resource, the same all-or-nothing rules as the
admin's own import, with the rows done so far kept in the cache for the progress bar."""

from __future__ import annotations

import datetime as dt
import logging
from types import SimpleNamespace

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.dispatch import enqueue
from portal.personal_data import fernet

from .models import ImportJob

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 100
PROGRESS_SECONDS = 24 * 3600
STALE_SECONDS = 30 * 60
REQUEUE_AFTER_SECONDS = 10 * 60
VOUCHER_APPLICATIONS = "vouchers.voucherapplication"
TEXT_MARK = b"t:"  # payloads of text formats (csv) are kept as UTF-8 behind this mark


def _progress_key(job_id: int) -> str:
    return f"institutions:import-job:{job_id}:rows"


def queue_import(
    *,
    model_label: str,
    user,
    data: bytes | str,
    file_name: str,
    format_index: int = 0,
    resource_index: int = 0,
    options: dict | None = None,
) -> ImportJob:
    """Keep the confirmed file (encrypted) in a job row and queue the import after commit.

    `model_label` names a model admin's import ("institutions.institution"), or
    VOUCHER_APPLICATIONS for the voucher application list (options {"batch": pk})."""
    raw = TEXT_MARK + data.encode("utf-8") if isinstance(data, str) else b"b:" + data
    job = ImportJob.objects.create(
        model_label=model_label,
        options=options or {},
        resource_index=resource_index,
        format_index=format_index,
        file_name=file_name[:255],
        payload=fernet().encrypt(raw),
        created_by=user,
    )
    transaction.on_commit(lambda: _dispatch(job.pk))
    return job


def _dispatch(job_id: int) -> None:
    from institutions.tasks import run_import_job

    enqueue(
        run_import_job,
        job_id,
        notice=_("任务队列暂时不可用：导入已登记，队列恢复后将自动开始，无需重复提交。"),
    )


def requeue_waiting_jobs(*, older_than_seconds: int = REQUEUE_AFTER_SECONDS) -> int:
    """Queue again the jobs still waiting after a while (the broker was down when they were
    confirmed, or their message was lost); a job runs once however often it is queued."""
    since = timezone.now() - dt.timedelta(seconds=older_than_seconds)
    waiting = list(
        ImportJob.objects.filter(state=ImportJob.State.QUEUED, created_at__lt=since).values_list(
            "pk", flat=True
        )
    )
    for job_id in waiting:
        _dispatch(job_id)
    return len(waiting)


def job_state(job: ImportJob) -> dict:
    """{progress, text, finished} for the progress bar (static/js/metrics.js polls it)."""
    processed = job.processed_rows
    if job.state == ImportJob.State.RUNNING:
        processed = max(processed, cache.get(_progress_key(job.pk)) or 0)
    progress = job.progress
    if job.state == ImportJob.State.RUNNING and job.total_rows:
        progress = min(99, processed * 100 // job.total_rows)
    if job.state == ImportJob.State.QUEUED:
        text = _("已排队，等待后台处理……")
    elif job.state == ImportJob.State.RUNNING:
        text = _("正在导入：已处理 %(done)s / %(total)s 行") % {
            "done": processed,
            "total": job.total_rows,
        }
    elif job.state == ImportJob.State.DONE:
        text = _("导入完成。")
    else:
        text = _("导入未完成，没有写入任何数据。")
    return {
        "state": job.state,
        "progress": progress,
        "processed_rows": processed,
        "total_rows": job.total_rows,
        "text": text,
        "finished": job.finished,
    }


def _model_admin(label: str):
    for model, model_admin in admin.site._registry.items():
        if model._meta.label_lower == label:
            return model_admin
    raise LookupError(label)


def _with_progress(resource_class, job_id: int):
    """The resource, counting rows into the cache as it goes (outside the import's transaction,
    which the progress page could not see into)."""

    class ProgressResource(resource_class):
        def import_row(self, row, instance_loader, **kwargs):
            result = super().import_row(row, instance_loader, **kwargs)
            self._rows_done = getattr(self, "_rows_done", 0) + 1
            if self._rows_done % PROGRESS_EVERY == 0:
                cache.set(_progress_key(job_id), self._rows_done, PROGRESS_SECONDS)
            return result

    ProgressResource.__name__ = resource_class.__name__
    ProgressResource.__qualname__ = resource_class.__qualname__
    return ProgressResource


def _admin_import(job: ImportJob, data, user):
    """A model admin's import (institutions, staff, certificates...), as its confirm step does
    it, with the admin's log entries afterwards."""
    model_admin = _model_admin(job.model_label)
    input_format = model_admin.get_import_formats()[job.format_index](
        encoding=model_admin.from_encoding
    )
    resource_class = model_admin.get_import_resource_classes(None)[job.resource_index]
    import_kwargs = {
        "dry_run": False,
        "raise_errors": False,
        "use_transactions": True,
        "rollback_on_validation_errors": True,
        "collect_failed_rows": False,
        "retain_instance_in_row_result": True,
        "file_name": job.file_name,
    }

    def finish(result):
        model_admin.generate_log_entries(result, SimpleNamespace(user=user))

    dataset = input_format.create_dataset(data)
    return dataset, _with_progress(resource_class, job.pk)(), import_kwargs, finish


def _voucher_applications(job: ImportJob, data, user):
    """A voucher application list into the batch the clerk chose (vouchers.resources)."""
    from import_export.formats.base_formats import XLSX

    from vouchers.models import VoucherBatch
    from vouchers.resources import ApplicationImportResource

    batch = VoucherBatch.objects.get(pk=job.options["batch"])
    resource = _with_progress(ApplicationImportResource, job.pk)(batch=batch, actor=user)
    return XLSX().create_dataset(data), resource, {}, lambda result: None


def run_import(job_id: int) -> ImportJob:
    """Import a queued job's file. Runs once: a job another worker holds is left alone."""
    # A worker that died mid-import rolled its transaction back; its redelivered task may run the
    # job again once the first start is stale.
    stale = timezone.now() - dt.timedelta(seconds=STALE_SECONDS)
    claimed = (
        ImportJob.objects.filter(pk=job_id)
        .filter(
            Q(state=ImportJob.State.QUEUED) | Q(state=ImportJob.State.RUNNING, started_at__lt=stale)
        )
        .update(state=ImportJob.State.RUNNING, started_at=timezone.now())
    )
    job = ImportJob.objects.get(pk=job_id)
    if not claimed:
        return job
    try:
        raw = fernet().decrypt(bytes(job.payload))
        data = raw[2:].decode("utf-8") if raw.startswith(TEXT_MARK) else raw[2:]
        user = get_user_model().objects.get(pk=job.created_by_id)
        prepare = (
            _voucher_applications if job.model_label == VOUCHER_APPLICATIONS else _admin_import
        )
        dataset, resource, import_kwargs, finish = prepare(job, data, user)
        job.total_rows = len(dataset)
        job.save(update_fields=["total_rows"])
        result = resource.import_data(dataset, user=user, **import_kwargs)
    except Exception:
        logger.exception("import job %s failed", job_id)
        job.state = ImportJob.State.FAILED
        job.messages = [_("导入时发生系统错误，没有写入任何数据。请稍后重试或联系管理员。")]
    else:
        if result.has_errors() or result.has_validation_errors():
            job.state = ImportJob.State.FAILED
            job.messages = [str(line) for line in resource.error_messages(result)]
        else:
            job.state = ImportJob.State.DONE
            job.processed_rows = job.total_rows
            job.totals = {key: count for key, count in result.totals.items() if count}
            finish(result)
    job.payload = b""  # the file, with its ID numbers, is not kept once the job has ended
    job.finished_at = timezone.now()
    job.save()
    cache.delete(_progress_key(job.pk))
    logger.info("import job %s %s: %s rows", job.pk, job.state, job.total_rows)
    return job
