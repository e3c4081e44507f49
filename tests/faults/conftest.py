"""Fault fixtures: Redis made unreachable for this process, and the voucher fixtures."""

from __future__ import annotations

import pytest
from kombu import pools

from lequing_tuoyu.celery import app
from tests.vouchers.conftest import batch, child, inclusive_a, voucher  # noqa: F401 - fixtures

# Nothing listens on port 1: connections are refused, as when Redis is stopped.
DEAD_REDIS = "redis://127.0.0.1:1/0"


def _reset_celery_connections() -> None:
    """Forget the Celery app's broker and result connections so the next use opens new ones."""
    pools.reset()  # kombu's process-wide connection and producer pools, keyed by URL
    app._pool = None
    app.amqp._producer_pool = None
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)


@pytest.fixture
def redis_down(settings):
    """The cache (Redis in production) and the Celery broker and result store point at a closed
    port until the returned function is called (or the test ends)."""
    original_caches = settings.CACHES
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.cache.TolerantRedisCache",
            "LOCATION": DEAD_REDIS,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    original = (settings.CELERY_BROKER_URL, app.conf.broker_url, app.conf.result_backend)
    settings.CELERY_BROKER_URL = DEAD_REDIS  # what /healthz checks
    app.conf.broker_url = DEAD_REDIS
    app.conf.result_backend = DEAD_REDIS
    _reset_celery_connections()
    down = {"now": True}

    def restore() -> None:
        if down["now"]:
            settings.CELERY_BROKER_URL, app.conf.broker_url, app.conf.result_backend = original
            settings.CACHES = original_caches
            _reset_celery_connections()
            down["now"] = False

    yield restore
    restore()
