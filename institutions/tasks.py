import logging

from celery import shared_task

from institutions.reports.reminders import send_report_reminders

logger = logging.getLogger(__name__)


@shared_task
def report_reminders() -> int:
    """Daily: remind operators of last month's report on the due day -3 and the day after."""
    return send_report_reminders()


@shared_task(acks_late=True)
def run_import_job(job_id: int) -> str:
    """A confirmed spreadsheet import (institutions.import_jobs); returns the job's end state."""
    from institutions.import_jobs.services import run_import

    return run_import(job_id).state
