"""portal.jobs, the one way a long job runs: claimed once, followed through one reading, swept
when its task never reached the broker. Recomputes (metrics.ComputeRun) and evaluation reports
stand in for every kind."""

import datetime as dt
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core.cache import cache
from django.utils import timezone
from kombu.exceptions import OperationalError

from metrics.models import ComputeRun, EvaluationReportJob
from metrics.tasks import compute_run
from portal import jobs

pytestmark = pytest.mark.django_db

M = dt.date(2025, 6, 1)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def _run(**fields) -> ComputeRun:
    return ComputeRun.objects.create(first_period=M, last_period=M, **fields)


def test_a_job_is_claimed_once_until_it_goes_stale():
    run = _run()
    assert jobs.claim(ComputeRun, run.pk) is True
    assert jobs.claim(ComputeRun, run.pk) is False  # a second delivery while it runs
    ComputeRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - dt.timedelta(hours=1))
    assert jobs.claim(ComputeRun, run.pk) is True  # its worker died: taken over
    ComputeRun.objects.filter(pk=run.pk).update(state="done")
    assert jobs.claim(ComputeRun, run.pk) is False


def test_run_does_the_work_only_when_it_claims_the_job():
    run = _run(state="running", started_at=timezone.now())
    work = mock.Mock()
    assert jobs.run(ComputeRun, run.pk, work).state == "running"
    work.assert_not_called()
    done = jobs.run(ComputeRun, _run(months_total=3).pk, work)
    assert work.call_count == 1
    assert (done.state, done.months_done, done.progress, done.error) == ("done", 3, 100, "")
    assert done.started_at <= done.finished_at


def test_a_failure_for_the_person_ends_the_job_quietly_and_a_surprise_is_raised():
    def refuse(job):
        raise jobs.JobFailed

    failed = jobs.run(ComputeRun, _run().pk, refuse)
    assert (failed.state, failed.error) == ("failed", "")

    def crash(job):
        raise RuntimeError("磁盘已满")

    run = _run()
    with pytest.raises(RuntimeError):
        jobs.run(ComputeRun, run.pk, crash)
    run.refresh_from_db()
    assert (run.state, run.error) == ("failed", "磁盘已满")
    assert jobs.reading(run)["error"] == "磁盘已满"


def test_the_reading_follows_the_live_count_and_the_row_once_ended():
    run = _run(months_total=4)
    assert jobs.reading(run) | {"text": ""} == {
        "state": "queued",
        "state_label": "排队中",
        "progress": 0,
        "done": 0,
        "total": 4,
        "step": "",
        "text": "",
        "finished": False,
        "error": "",
    }
    seen = []

    def work(job):
        jobs.advance(job, 1, step="reading")  # not committed: the cache only
        seen.append(jobs.reading(ComputeRun.objects.get(pk=job.pk)))
        jobs.advance(job, 2, committed=True)
        seen.append(jobs.reading(ComputeRun.objects.get(pk=job.pk)))

    jobs.run(ComputeRun, run.pk, work)
    assert [(r["state"], r["done"], r["progress"], r["step"]) for r in seen] == [
        ("running", 1, 25, "reading"),
        ("running", 2, 50, ""),
    ]
    assert "已完成 2 / 4 个月" in seen[1]["text"]
    run.refresh_from_db()
    reading = jobs.reading(run)
    assert (reading["state"], reading["progress"], reading["finished"]) == ("done", 100, True)
    assert cache.get(f"jobs:metrics.computerun:{run.pk}:live") is None  # forgotten once ended


def test_a_job_is_sent_after_commit_with_its_kinds_arguments(django_capture_on_commit_callbacks):
    with mock.patch.object(compute_run, "delay") as delay:
        with django_capture_on_commit_callbacks() as callbacks:
            run = _run()
            jobs.enqueue(run)
        delay.assert_not_called()  # not before the row is committed
        for callback in callbacks:
            callback()
    delay.assert_called_once_with(run.pk)
    report = EvaluationReportJob(pk=7, period=M)
    assert report.task_args() == ("2025-06",)


def test_a_broker_outage_leaves_a_job_waiting_or_fails_the_kinds_that_say_so(monkeypatch):
    refuse = mock.Mock(side_effect=OperationalError("down"))
    run = _run()
    monkeypatch.setattr(compute_run, "delay", refuse)
    assert jobs.send(run) is None
    run.refresh_from_db()
    assert run.state == "queued"  # the sweep sends it again

    from metrics.report_tasks import generate_evaluation_report

    report = EvaluationReportJob.objects.create(period=M)
    monkeypatch.setattr(generate_evaluation_report, "delay", refuse)
    assert jobs.send(report) is None
    report.refresh_from_db()
    assert (report.state, report.error) == ("failed", "")  # the person asks again


def test_the_sweep_sends_waiting_and_stale_jobs_again(monkeypatch):
    an_hour_ago = timezone.now() - dt.timedelta(hours=1)
    waiting = _run()
    stale = _run(state="running", started_at=an_hour_ago)
    _run(state="running", started_at=timezone.now())  # alive
    _run(state="done")
    fresh = _run()
    ComputeRun.objects.filter(pk__in=[waiting.pk, stale.pk]).update(created_at=an_hour_ago)
    sent = []
    monkeypatch.setattr(
        compute_run, "delay", lambda *args: sent.append(args) or SimpleNamespace(id="x")
    )
    assert jobs.requeue_waiting(ComputeRun, older_than=dt.timedelta(minutes=10)) == 2
    assert sorted(sent) == sorted([(waiting.pk,), (stale.pk,)])
    assert (fresh.pk,) not in sent


def test_a_kind_without_a_task_is_refused():
    fake = mock.Mock()
    fake._meta.label_lower = "nowhere.job"
    fake._meta.label = "nowhere.Job"
    with pytest.raises(LookupError):
        jobs.task_for(fake)
