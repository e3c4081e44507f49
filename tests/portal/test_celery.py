"""A real Celery worker against Redis (not eager mode) runs a task and returns its result."""

import pytest

from lequing_tuoyu.celery import app
from lequing_tuoyu.tasks import heartbeat


@pytest.mark.celery_worker
def test_real_worker_runs_task_against_the_database(celery_worker_process):
    assert not app.conf.task_always_eager
    result = heartbeat.apply_async(queue=celery_worker_process)
    value = result.get(timeout=60)
    # The worker read the test database (25 townships), so it shares the tests' PostgreSQL.
    assert value.startswith("25 townships at ")
    assert result.successful()


def test_every_beat_entry_names_a_registered_task():
    app.loader.import_default_modules()
    for name, entry in app.conf.beat_schedule.items():
        assert entry["task"] in app.tasks, f"beat entry {name} names an unknown task"
