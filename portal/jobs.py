"""One way to run and follow a long job: the imports, the recomputes and the evaluation PDF.

A long job is a row of a model built on the abstract `Job` (institutions ImportJob, metrics
ComputeRun and EvaluationReportJob): each kind keeps its own table for what its work needs (the
file, the months, the month), and shares the state, the times, the error and these functions.
Whatever its kind, it lives the same way:

1. Asked for. The service creates the row ("queued") and calls `enqueue(job)`: the kind's Celery
   task is sent once the transaction commits (a worker never looks for a row it cannot see yet),
   through `portal.dispatch.enqueue`, so a broker outage never breaks the request; the person is
   told, and the row waits for the sweep (4). A kind the person waits for on the page (the
   evaluation report: `fail_when_queue_down`) is marked failed instead, and they ask again.
2. Run. The task calls `run(Model, pk, work)`. The job is claimed with a conditional UPDATE
   (queued, or running but started more than `stale_after` ago, becomes running) and only the
   caller whose UPDATE changed the row runs `work(job)`: a task delivered twice (acks_late after a
   killed worker, or the sweep) never runs a live job twice, and a job whose worker died is taken
   over once stale. The work says how much there is (`begin`) and how far it got (`advance`),
   and ends the job done (it returns), failed with a message for the person (it raises
   `JobFailed`, the work has set what to keep), or failed by surprise (any other exception: its
   text goes to `error`, and it is raised again for Celery to log).
3. Followed. `reading(job)` is the one progress reading: {state, state_label, progress 0-100,
   done, total, step, text, finished, error}. Every page polls it as JSON (static/js/metrics.js
   drives the bars from progress, text and finished) and renders it the first time. While a job
   runs its count lives in the cache, because an import runs in one transaction that the page
   cannot see into; work that commits as it goes (a recompute's months) writes it to the row too,
   and the row holds the counts once the job ends. A cache that forgets (Redis down) only stops
   an import's bar until it ends (portal.cache).
4. Swept. `requeue_waiting(Model)` sends the task again for the jobs still queued after a while
   (Redis was down when they were asked for) and for the running ones gone stale (their worker
   died and the message was not delivered again). Beat runs the sweeps (lequing_tuoyu.celery).

The task of each kind is registered by its app in AppConfig.ready (`register(Model, task)`): the
app's services create jobs but cannot import their own tasks module, which imports them.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import ClassVar, TypeVar

from django.core.cache import cache
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import dispatch

logger = logging.getLogger(__name__)

LIVE_SECONDS = 24 * 3600  # how long the cache keeps a running job's count

J = TypeVar("J", bound="Job")


class JobFailed(Exception):
    """Raised by a job's work to end it as failed for a reason the person can act on (a bad
    row): the work has already set what to keep on the job. Not raised again to Celery."""


class Job(models.Model):
    """The columns and rules every long job shares; a kind adds what it needs to do its work and
    names its two progress counters (`progress_fields`: done, total)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    FINISHED = (State.DONE, State.FAILED)
    # Attribute names of the counters, in the kind's own unit (months, rows, percent).
    progress_fields: ClassVar[tuple[str, str]]
    # A running job not finished this long after it started is taken to be dead: the next
    # delivery of its task (or the sweep) may run it again.
    stale_after: ClassVar[dt.timedelta] = dt.timedelta(minutes=30)
    # Told to the person when the broker cannot take the task (portal.dispatch).
    queue_down_notice: ClassVar[str] = ""
    fail_when_queue_down: ClassVar[bool] = False

    # A kind may declare `state` again with its own words for the same four values.
    state = models.CharField(
        _("状态"), max_length=10, choices=State.choices, default=State.QUEUED, db_index=True
    )
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @property
    def finished(self) -> bool:
        return self.state in self.FINISHED

    @property
    def progress(self) -> int:
        """0-100 from the row's counters (`reading` adds the live count of a running job)."""
        done, total = (getattr(self, name) for name in self.progress_fields)
        return _percent(self.state, done, total)

    def task_args(self) -> tuple:
        """What the kind's task is called with."""
        return (self.pk,)

    def progress_text(self, *, done: int, total: int, step: str) -> str:
        """The sentence under the bar, in the kind's own words."""
        return str(self.get_state_display())


def _percent(state: str, done: int, total: int) -> int:
    if state == Job.State.DONE:
        return 100
    return min(99, done * 100 // total) if total else 0


# --- Kinds -------------------------------------------------------------------------------------

_tasks: dict[str, object] = {}


def register(model: type[Job], task) -> None:
    """The Celery task that runs `model`'s jobs (called from the owning app's AppConfig.ready)."""
    _tasks[model._meta.label_lower] = task


def task_for(model: type[Job]):
    try:
        return _tasks[model._meta.label_lower]
    except KeyError:
        raise LookupError(f"no task registered for {model._meta.label}") from None


# --- 1. Asked for --------------------------------------------------------------------------------


def enqueue(job: Job) -> None:
    """Send the job's task once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: send(job))


def send(job: Job) -> str | None:
    """Send the job's task now; the task id, or None when the broker could not take it."""
    task_id = dispatch.enqueue(task_for(type(job)), *job.task_args(), notice=job.queue_down_notice)
    if task_id is None and job.fail_when_queue_down:
        _end(job, Job.State.FAILED)  # the notice says why
    return task_id


# --- 2. Run ------------------------------------------------------------------------------------


def claim(model: type[J], pk: int) -> bool:
    """Take the job for this worker: True when it was queued, or running but stale."""
    now = timezone.now()
    return bool(
        model.objects.filter(pk=pk)
        .filter(_takeable(model, now))
        .update(state=Job.State.RUNNING, started_at=now, finished_at=None, error="")
    )


def _takeable(model: type[Job], now: dt.datetime) -> Q:
    return Q(state=Job.State.QUEUED) | Q(
        state=Job.State.RUNNING, started_at__lt=now - model.stale_after
    )


def run(model: type[J], pk: int, work: Callable[[J], object]) -> J:
    """Run `work(job)` if this worker claims the job; the job as it stands afterwards."""
    claimed = claim(model, pk)
    job = model.objects.get(pk=pk)
    if not claimed:
        logger.info("%s %s not run: %s", model._meta.label, pk, job.state)
        return job
    try:
        work(job)
    except JobFailed:
        _end(job, Job.State.FAILED)
    except Exception as error:
        _end(job, Job.State.FAILED, error=str(error)[:2000])
        raise
    else:
        done_name, total_name = model.progress_fields
        setattr(job, done_name, getattr(job, total_name))
        _end(job, Job.State.DONE)
    logger.info("%s %s %s", model._meta.label, pk, job.state)
    return job


def begin(job: Job, *, total: int) -> None:
    """How much there is to do, once the work knows (the rows of the file, the months)."""
    total_name = job.progress_fields[1]
    setattr(job, total_name, total)
    type(job).objects.filter(pk=job.pk).update(**{total_name: total})


def advance(job: Job, done: int, *, step: str = "", committed: bool = False) -> None:
    """How far a running job got (in its counter's unit) and what it is doing, for the bar.

    `committed`: the work counted is committed (a recompute's months), so the row records it
    too. Otherwise (an import's rows, inside the import's transaction) only the cache does."""
    if committed:
        done_name = job.progress_fields[0]
        setattr(job, done_name, done)
        type(job).objects.filter(pk=job.pk).update(**{done_name: done})
    cache.set(_live_key(job), {"done": done, "step": step}, LIVE_SECONDS)


def _end(job: Job, state: str, *, error: str = "") -> None:
    job.state = state
    job.error = error
    job.finished_at = timezone.now()
    job.save()
    cache.delete(_live_key(job))


def _live_key(job: Job) -> str:
    return f"jobs:{job._meta.label_lower}:{job.pk}:live"


# --- 3. Followed ---------------------------------------------------------------------------------


def reading(job: Job) -> dict:
    """The job's progress as every page shows it and polls it (see the module's docstring)."""
    done_name, total_name = job.progress_fields
    done, total = getattr(job, done_name), getattr(job, total_name)
    step = ""
    if job.state == Job.State.RUNNING:
        live = cache.get(_live_key(job)) or {}
        done, step = max(done, live.get("done", 0)), live.get("step", "")
    return {
        "state": job.state,
        "state_label": str(job.get_state_display()),
        "progress": _percent(job.state, done, total),
        "done": done,
        "total": total,
        "step": step,
        "text": job.progress_text(done=done, total=total, step=step),
        "finished": job.finished,
        "error": job.error if job.state == Job.State.FAILED else "",
    }


# --- 4. Swept ----------------------------------------------------------------------------------


def requeue_waiting(model: type[Job], *, older_than: dt.timedelta) -> int:
    """Send the task again for jobs queued more than `older_than` ago and running ones gone
    stale; how many the broker took. A job sent twice runs once (the claim)."""
    now = timezone.now()
    waiting = list(
        model.objects.filter(
            Q(state=Job.State.QUEUED, created_at__lte=now - older_than)
            | Q(state=Job.State.RUNNING, started_at__lt=now - model.stale_after)
        ).order_by("created_at")
    )
    sent = sum(send(job) is not None for job in waiting)
    if waiting:
        logger.info("%s waiting: %s sent again of %s", model._meta.label, sent, len(waiting))
    return sent
