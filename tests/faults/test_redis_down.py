"""Redis down: pages and voucher redemptions keep working; work asked for meanwhile is kept and
runs once Redis is back, or the person is told it did not start.

Redis is the cache, the Celery broker and the result store. The `redis_down` fixture points all
three at a closed port for this process; the real Redis (db of REDIS_URL) stands for "back".
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from metrics import report_tasks
from metrics.models import ComputeRun, Snapshot
from metrics.tasks import requeue_waiting_runs
from portal.cache import TolerantRedisCache
from tests.bulk import make_registry
from tests.vouchers.helpers import TODAY
from vouchers import codes
from vouchers.models import Redemption

from .conftest import DEAD_REDIS
from .workers import start_worker, stop_worker, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

QUEUE_DOWN = "任务队列暂时不可用"


def warnings_on(response) -> list[str]:
    return [str(m) for m in response.context["messages"] if m.level_tag == "warning"]


def test_the_cache_treats_an_outage_as_a_miss_and_logs_no_key(caplog):
    down = TolerantRedisCache(DEAD_REDIS, {"OPTIONS": {"socket_connect_timeout": 1}})
    key = "voucher-balance:failures:330382202401150012"
    with caplog.at_level(logging.DEBUG, logger="portal.cache"):
        assert down.get(key, "default") == "default"
        assert down.add(key, 1) is True  # an empty cache that forgets every write
        down.set(key, 1)
        assert down.get(key) is None
        assert down.get_many([key]) == {}
        assert down.has_key(key) is False
        assert down.delete(key) is False
        with pytest.raises(ValueError):
            down.incr(key)  # as for a key that is not there
    assert caplog.records
    assert all("330382" not in record.getMessage() for record in caplog.records)


def test_the_cache_works_as_redis_when_redis_is_up(settings):
    up = TolerantRedisCache(settings.CELERY_BROKER_URL, {"KEY_PREFIX": uuid.uuid4().hex})
    up.set("k", 41, 30)
    assert up.incr("k") == 42
    assert up.add("k", 0) is False
    up.delete("k")
    assert up.get("k") is None


def test_pages_redemption_and_balance_answer_while_redis_is_down(
    redis_down, client, client_as, operator_a, bureau, voucher, inclusive_a, child, api_client
):
    with time_machine.travel(TODAY, tick=False):
        operator = client_as(operator_a)
        url = reverse("vouchers:redeem", args=[inclusive_a.pk])
        form = operator.get(url)
        assert form.status_code == 200
        key = re.search(r'name="idempotency_key" value="([^"]+)"', form.content.decode())[1]
        response = operator.post(
            url,
            {
                "voucher_code": codes.display(voucher.code),
                "fee_month": "2025-03",
                "amount": "300.00",
                "idempotency_key": key,
            },
        )
        assert response.status_code == 302
        voucher.refresh_from_db()
        assert voucher.balance == Decimal("2700.00")
        assert Redemption.objects.filter(voucher=voucher).count() == 1

        # The family's balance check counts failures in the cache: it still answers.
        asked = api_client.post(
            "/api/v1/public/voucher-balance/",
            {"code": codes.display(voucher.code), "id_last6": child.id_last6},
            format="json",
        )
        assert asked.status_code == 200
        assert Decimal(asked.json()["balance"]) == Decimal("2700.00")

    bureau_client = client_as(bureau)
    for path in ("/", "/gongshi/", "/jigou/", "/zhibiao/"):
        assert bureau_client.get(path, follow=True).status_code == 200, path
    assert client.get("/gongshi/").status_code == 200  # anonymous

    health = bureau_client.get("/healthz")
    assert health.status_code == 200  # pages work without Redis
    assert health.json()["broker"] == "down"


@pytest.mark.celery_worker
def test_a_recompute_asked_for_while_redis_is_down_runs_once_it_is_back(
    redis_down, client_as, bureau, tmp_path
):
    make_registry(3)
    client = client_as(bureau)
    response = client.post(
        "/zhibiao/chongsuan/", {"first": "2025-05", "last": "2025-06"}, follow=True
    )
    assert response.status_code == 200
    assert any(QUEUE_DOWN in text and "自动开始" in text for text in warnings_on(response))
    run = ComputeRun.objects.get()
    assert run.state == ComputeRun.State.QUEUED
    assert not Snapshot.objects.exists()

    redis_down()  # Redis is back
    worker = start_worker("celery", tmp_path / "worker.log")
    try:
        # What beat's sweep does every 15 minutes.
        assert requeue_waiting_runs(older_than_minutes=0) == 1
        wait_for(
            lambda: ComputeRun.objects.filter(pk=run.pk, state=ComputeRun.State.DONE).exists(),
            timeout=60,
            what="the recompute to run",
        )
    finally:
        stop_worker(worker)
    periods = set(Snapshot.objects.values_list("period", flat=True))
    assert periods == {dt.date(2025, 5, 1), dt.date(2025, 6, 1)}
    assert requeue_waiting_runs(older_than_minutes=0) == 0  # nothing left waiting


def test_an_evaluation_report_asked_for_while_redis_is_down_is_reported_as_not_started(
    redis_down, client_as, bureau, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    make_registry(3)
    from metrics.services import compute_period

    compute_period(dt.date(2025, 6, 1))
    response = client_as(bureau).post("/zhibiao/baogao/", {"month": "2025-06"}, follow=True)
    assert response.status_code == 200
    assert any(QUEUE_DOWN in text and "未能开始" in text for text in warnings_on(response))
    assert not report_tasks.report_exists(dt.date(2025, 6, 1))

    # With only the broker down (the cache answers), the month is shown as failed and is free
    # to be asked for again.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    state = report_tasks.request_report(period=dt.date(2025, 6, 1))
    assert state["state"] == report_tasks.FAILED
    assert report_tasks.report_state(dt.date(2025, 6, 1))["state"] == report_tasks.FAILED
    # The claim was given back: no live job holds the month (a database row, not a cache key).
    assert not report_tasks._live_job(dt.date(2025, 6, 1))


def test_a_large_import_confirmed_while_redis_is_down_runs_once_it_is_back(
    redis_down, client_as, bureau, settings, tmp_path
):
    from institutions.import_jobs.services import requeue_waiting_jobs
    from institutions.models import ImportJob, Institution
    from tests.institutions.test_import import (
        INSTITUTION_COLUMNS,
        XLSX,
        confirm,
        preview,
        xlsx_upload,
    )
    from tests.institutions.test_import_jobs import _institution_rows

    settings.IMPORT_BACKGROUND_ROWS = 2
    client = client_as(bureau)
    upload = xlsx_upload(INSTITUTION_COLUMNS, _institution_rows(3))
    response = confirm(client, Institution, preview(client, Institution, upload, XLSX))
    page = client.get(response["Location"])
    assert any(QUEUE_DOWN in text and "自动开始" in text for text in warnings_on(page))
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.QUEUED and not Institution.objects.exists()

    redis_down()  # Redis is back
    worker = start_worker("celery", tmp_path / "worker.log")
    try:
        # What beat's sweep does every 15 minutes.
        assert requeue_waiting_jobs(older_than_seconds=0) == 1
        wait_for(
            lambda: ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.DONE).exists(),
            timeout=60,
            what="the import to run",
        )
    finally:
        stop_worker(worker)
    assert Institution.objects.count() == 3
    assert requeue_waiting_jobs(older_than_seconds=0) == 0
