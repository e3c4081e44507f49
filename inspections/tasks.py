"""Celery tasks of the inspections app: thin, idempotent, scheduled in lequing_tuoyu/celery.py."""

import logging

from celery import shared_task

from .services import findings_mark_overdue

logger = logging.getLogger(__name__)


@shared_task
def mark_overdue_rectifications() -> int:
    """Nightly: mark each finding past its rectification deadline once and notify the
    institution's operators and the bureau. A rerun marks and mails nothing new."""
    count = findings_mark_overdue()
    logger.info("overdue rectifications marked: %s", count)
    return count
