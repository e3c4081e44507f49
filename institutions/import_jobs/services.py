"""Queue a confirmed import and run it: the same resource, the same all-or-nothing rules as the
admin's own import. A long job (portal.jobs): the job is claimed once, its rows are counted for
the progress bar as they go, and the sweep queues again a job confirmed while Redis was down.

Which import a job runs is its `model_label`: a model admin's import ("institutions.institution")
by default, or a kind an app above registered with `register_kind` in its AppConfig.ready (the
voucher application list: vouchers.resources).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from types import SimpleNamespace

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from portal import jobs
from portal.personal_data import fernet

from .models import ImportJob

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 100
REQUEUE_AFTER_SECONDS = 10 * 60
TEXT_MARK = b"t:"  # payloads of text formats (csv) are kept as UTF-8 behind this mark

# (job, the file's data, the importing user) -> (dataset, resource, import_data's keyword
# arguments, what to do with a successful result)
Prepare = Callable[[ImportJob, object, object], tuple[object, object, dict, Callable]]
_kinds: dict[str, Prepare] = {}


def register_kind(label: str, prepare: Prepare) -> None:
    """Jobs whose model_label is `label` are read and imported by `prepare` (an app's import that
    is not a model admin's, e.g. the voucher application list into a batch)."""
    _kinds[label] = prepare


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

    `model_label` names a model admin's import ("institutions.institution"), or a registered
    kind (its options, e.g. {"batch": pk}, go with it)."""
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
    jobs.enqueue(job)
    return job


def requeue_waiting_jobs(*, older_than_seconds: int = REQUEUE_AFTER_SECONDS) -> int:
    """Queue again the jobs still waiting after a while (the broker was down when they were
    confirmed, or their message was lost); a job runs once however often it is queued."""
    return jobs.requeue_waiting(ImportJob, older_than=dt.timedelta(seconds=older_than_seconds))


def job_state(job: ImportJob) -> dict:
    """The job's progress reading (portal.jobs.reading) with its rows, for the progress bar
    (static/js/metrics.js polls it)."""
    reading = jobs.reading(job)
    return {**reading, "processed_rows": reading["done"], "total_rows": reading["total"]}


def _model_admin(label: str):
    for model, model_admin in admin.site._registry.items():
        if model._meta.label_lower == label:
            return model_admin
    raise LookupError(label)


def with_progress(resource_class, job: ImportJob):
    """The resource, counting rows for the progress bar as it goes (into the cache: the import's
    transaction hides the job row's updates from the progress page)."""

    class ProgressResource(resource_class):
        def import_row(self, row, instance_loader, **kwargs):
            result = super().import_row(row, instance_loader, **kwargs)
            self._rows_done = getattr(self, "_rows_done", 0) + 1
            if self._rows_done % PROGRESS_EVERY == 0:
                jobs.advance(job, self._rows_done)
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
    return dataset, with_progress(resource_class, job)(), import_kwargs, finish


def run_import(job_id: int) -> ImportJob:
    """Import a queued job's file. Runs once: a job another worker holds is left alone (a worker
    that died mid-import rolled its transaction back; the job is taken over once stale)."""
    return jobs.run(ImportJob, job_id, _import)


def _import(job: ImportJob) -> None:
    try:
        result, resource, finish = _import_file(job)
    except Exception:
        logger.exception("import job %s failed", job.pk)
        job.messages = [_("导入时发生系统错误，没有写入任何数据。请稍后重试或联系管理员。")]
        raise jobs.JobFailed from None
    finally:
        job.payload = b""  # the file, with its ID numbers, is not kept once the job has ended
    if result.has_errors() or result.has_validation_errors():
        job.messages = [str(line) for line in resource.error_messages(result)]
        raise jobs.JobFailed
    job.totals = {key: count for key, count in result.totals.items() if count}
    finish(result)
    logger.info("import job %s: %s rows", job.pk, job.total_rows)


def _import_file(job: ImportJob):
    raw = fernet().decrypt(bytes(job.payload))
    data = raw[2:].decode("utf-8") if raw.startswith(TEXT_MARK) else raw[2:]
    user = get_user_model().objects.get(pk=job.created_by_id)
    prepare = _kinds.get(job.model_label, _admin_import)
    dataset, resource, import_kwargs, finish = prepare(job, data, user)
    jobs.begin(job, total=len(dataset))
    result = resource.import_data(dataset, user=user, **import_kwargs)
    return result, resource, finish
