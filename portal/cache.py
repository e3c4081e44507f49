"""The Redis cache, made harmless when Redis is unreachable.

Nothing the portal keeps in the cache is the only copy: throttle counters, the evaluation
report's progress, the worker's heartbeat. So while Redis is down the cache behaves like an empty
cache that forgets every write (get misses, add and set "succeed", incr finds no key) instead of
raising into the view: pages, logins and voucher redemptions go on, throttles and progress bars
forget for a while. Each failure is logged as a warning at most once a minute, with the operation
and the error's class only (keys may be derived from what a user typed).
"""

from __future__ import annotations

import logging
import time
from functools import wraps

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)
WARN_EVERY_SECONDS = 60
_last_warning = [0.0]


def _note(operation: str, error: Exception) -> None:
    now = time.monotonic()
    if now - _last_warning[0] >= WARN_EVERY_SECONDS:
        _last_warning[0] = now
        logger.warning(
            "cache unavailable (%s: %s); going on without it", operation, type(error).__name__
        )
    else:
        logger.debug("cache unavailable (%s: %s)", operation, type(error).__name__)


def _tolerant(fallback):
    """Run the cache operation; on a connection failure, log and return fallback(*args)."""

    def decorate(method):
        @wraps(method)
        def wrapped(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except UNAVAILABLE as error:
                _note(method.__name__, error)
                return fallback(*args, **kwargs)

        return wrapped

    return decorate


def _default(key, default=None, version=None):
    return default


def _missing_key(key, *args, **kwargs):
    # What incr and decr raise for a key that is not there: callers already handle it.
    raise ValueError(f"Key '{key}' not found.")


class TolerantRedisCache(RedisCache):
    """django.core.cache.backends.redis.RedisCache that treats an outage as an empty cache."""

    @_tolerant(lambda *args, **kwargs: True)
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return super().add(key, value, timeout, version)

    @_tolerant(_default)
    def get(self, key, default=None, version=None):
        return super().get(key, default, version)

    @_tolerant(lambda *args, **kwargs: None)
    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return super().set(key, value, timeout, version)

    @_tolerant(lambda *args, **kwargs: False)
    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return super().touch(key, timeout, version)

    @_tolerant(lambda *args, **kwargs: False)
    def delete(self, key, version=None):
        return super().delete(key, version)

    @_tolerant(lambda *args, **kwargs: {})
    def get_many(self, keys, version=None):
        return super().get_many(keys, version)

    @_tolerant(lambda *args, **kwargs: False)
    def has_key(self, key, version=None):
        return super().has_key(key, version)

    @_tolerant(_missing_key)
    def incr(self, key, delta=1, version=None):
        return super().incr(key, delta, version)

    @_tolerant(lambda *args, **kwargs: [])
    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return super().set_many(data, timeout, version)

    @_tolerant(lambda *args, **kwargs: None)
    def delete_many(self, keys, version=None):
        return super().delete_many(keys, version)

    @_tolerant(lambda *args, **kwargs: False)
    def clear(self):
        return super().clear()
