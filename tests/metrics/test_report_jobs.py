"""The evaluation report runs as a long job (portal.jobs): one live job per month, held in the
database, freed when its worker is gone."""

import datetime as dt
from unittest import mock

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from metrics import report_tasks
from metrics.models import EvaluationReportJob

pytestmark = pytest.mark.django_db

M = dt.date(2025, 6, 1)


@pytest.fixture
def delay():
    with mock.patch("metrics.report_tasks.generate_evaluation_report.delay") as delay:
        delay.return_value.id = "task-id"
        yield delay


def test_a_month_has_one_live_job_and_asking_again_starts_nothing(
    bureau, delay, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = report_tasks.request_report(period=M, actor=bureau)
        again = report_tasks.request_report(period=M, actor=bureau)
    assert (first["state"], again["state"], again["month"]) == ("queued", "queued", "2025-06")
    job = EvaluationReportJob.objects.get()
    assert (job.period, job.requested_by, job.state) == (M, bureau, "queued")
    delay.assert_called_once_with("2025-06")
    with pytest.raises(IntegrityError), transaction.atomic():  # the database says so too
        EvaluationReportJob.objects.create(period=M)


def test_a_job_left_by_a_dead_worker_frees_the_month(bureau, delay):
    an_hour_ago = timezone.now() - dt.timedelta(hours=1)
    dead = EvaluationReportJob.objects.create(period=M, state="running", started_at=an_hour_ago)
    assert report_tasks.report_state(M)["state"] == "none"  # not shown as running for ever

    assert report_tasks.request_report(period=M, actor=bureau)["state"] == "queued"
    dead.refresh_from_db()
    assert dead.state == "failed"
    assert EvaluationReportJob.objects.filter(state="queued").count() == 1


def test_the_reading_says_what_the_job_is_doing(bureau):
    job = EvaluationReportJob.objects.create(
        period=M, state="running", started_at=timezone.now(), percent=30
    )
    state = report_tasks.report_state(M)
    assert (state["state"], state["progress"], state["finished"]) == ("running", 30, False)
    from portal import jobs

    jobs.advance(job, 50, step="rendering")
    state = report_tasks.report_state(M)
    assert (state["progress"], state["text"]) == (50, "2025-06 评估报告：生成中：排版 PDF")
