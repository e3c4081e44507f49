import logging

from celery import shared_task
from django.conf import settings

from institutions.import_jobs.services import requeue_waiting_jobs, run_import
from institutions.import_jobs.storage import purge_import_files as purge
from institutions.reports.reminders import send_report_reminders

logger = logging.getLogger(__name__)


@shared_task
def report_reminders() -> int:
    """Daily: remind operators of last month's report on the due day -3 and the day after."""
    return send_report_reminders()


@shared_task(acks_late=True, ignore_result=True)
def run_import_job(job_id: int) -> str:
    """A confirmed spreadsheet import (institutions.import_jobs); returns the job's end state."""
    return run_import(job_id).state


@shared_task
def requeue_waiting_imports() -> int:
    """Every 15 minutes: imports confirmed while the broker was down are queued again."""
    return requeue_waiting_jobs()


@shared_task
def purge_import_files() -> int:
    """Nightly: previewed spreadsheets never confirmed (staff lists hold ID numbers) are removed
    after IMPORT_TMP_MAX_AGE_HOURS."""
    return purge(older_than_seconds=settings.IMPORT_TMP_MAX_AGE_HOURS * 3600)
