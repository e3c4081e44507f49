"""Settings of the Celery worker that the bureau journey starts: the test settings, with the cache
in Redis under the journey's own prefix, so the live server and the worker see the same progress
of the evaluation report (tests.settings keeps the cache in the process's memory)."""

import os

from tests.settings import *  # noqa: F403

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,  # noqa: F405
        "KEY_PREFIX": os.environ["E2E_CACHE_PREFIX"],
    }
}
