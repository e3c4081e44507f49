import logging

from celery import shared_task
from django.utils import timezone

from institutions.reports.window import add_months

from . import services
from .models import ComputeRun
from .report_tasks import generate_evaluation_report  # noqa: F401 - registers the task with the worker

logger = logging.getLogger(__name__)


@shared_task
def compute_recent() -> int:
    """Nightly: the current and the previous month, so late reports count. Idempotent."""
    this_month = timezone.localdate().replace(day=1)
    count = 0
    for period in (add_months(this_month, -1), this_month):
        count += services.compute_period(period)
    return count


@shared_task
def compute_run(run_id: int) -> str:
    """A recompute asked for from the dashboard, with progress."""
    run = services.run_compute(ComputeRun.objects.get(pk=run_id))
    return run.state
