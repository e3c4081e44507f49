"""Queueing a Celery task without letting a broker outage break the request that asked for it.

`enqueue(task, *args, notice=...)` sends the task (through `task.delay`) and returns its id. When
Redis is unreachable it returns None instead of raising: the failure is logged with the task's
name and the error's class (never the arguments), and `notice`, a message for the person who
asked, is shown to them as a warning on their next page (TaskQueueNoticeMiddleware). Publishing
gives up within about a second (CELERY_TASK_PUBLISH_RETRY_POLICY).

What happens to the work is the caller's decision, made where the work is recorded:
- a recompute (metrics.services.request_compute) keeps its ComputeRun "queued" in the database,
  and the sweep metrics.tasks.requeue_waiting_runs queues it again once the broker is back;
- an evaluation report (metrics.report_tasks.request_report) is reported as failed, and the
  bureau asks again;
- beat's nightly jobs are not queued at all while Redis is down; each recomputes or rechecks
  everything it is responsible for, so the next run catches up.
Tasks sent through here ignore their result (the database or the cache holds their progress),
so queueing never waits for the result store, which is the same Redis.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar

from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

_notices: ContextVar[tuple[str, ...]] = ContextVar("task_queue_notices", default=())


def enqueue(task, *args, notice: str = "") -> str | None:
    """Queue `task(*args)`; its id, or None when the broker could not take it (see above)."""
    try:
        result = task.delay(*args)
    except (OperationalError, OSError) as error:
        logger.warning(
            "task %s not queued, broker unavailable: %s", task.name, type(error).__name__
        )
        if notice:
            _notices.set((*_notices.get(), str(notice)))
        return None
    return result.id


def take_notices() -> tuple[str, ...]:
    """The notices of failed enqueues since the last call, in order, without repeats."""
    notices = tuple(dict.fromkeys(_notices.get()))
    _notices.set(())
    return notices
