"""Celery tasks of the inspections app: thin, idempotent, scheduled in lequing_tuoyu/celery.py."""

import logging

from celery import shared_task

from .services import findings_mark_overdue, findings_remind_deadlines

logger = logging.getLogger(__name__)


@shared_task
def mark_overdue_rectifications() -> int:
    """Nightly: mark each finding past its rectification deadline once and notify the
    institution's operators and the bureau. A rerun marks and mails nothing new."""
    count = findings_mark_overdue()
    logger.info("overdue rectifications marked: %s", count)
    return count


@shared_task
def remind_rectification_deadlines() -> int:
    """Daily: remind operators of findings whose deadline is at most three days away. A rerun
    sends nothing new."""
    count = findings_remind_deadlines()
    logger.info("rectification deadline reminders sent: %s", count)
    return count
