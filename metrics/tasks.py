import datetime as dt
import logging

from celery import shared_task
from django.utils import timezone

from portal import jobs
from portal.dates import add_months

from . import services
from .models import ComputeRun
from .report_tasks import generate_evaluation_report  # noqa: F401 - registers the task with the worker

logger = logging.getLogger(__name__)


@shared_task
def compute_recent() -> int:
    """Nightly: the current and the previous month, so late reports count. Idempotent.

    Delivered twice at once (two workers, a redelivery, a second beat), each month is computed
    once: a month another run computed after this one started is skipped (0 counted).
    tests/faults/test_scale_out.py runs it on two workers."""
    started = services.database_now()
    this_month = timezone.localdate().replace(day=1)
    count = 0
    for period in (add_months(this_month, -1), this_month):
        count += services.compute_period(period, unless_computed_since=started)
    return count


@shared_task(ignore_result=True)
def compute_run(run_id: int) -> str:
    """A recompute asked for from the dashboard, with progress."""
    run = services.run_compute(ComputeRun.objects.get(pk=run_id))
    return run.state


@shared_task
def requeue_waiting_runs(older_than_minutes: int = 10) -> int:
    """Queue again the recomputes still waiting after `older_than_minutes`: their task never
    reached the broker (Redis was down when they were asked for). A run queued twice is computed
    once (portal.jobs claims it)."""
    return jobs.requeue_waiting(ComputeRun, older_than=dt.timedelta(minutes=older_than_minutes))
