"""Limits on the public pages that answer by a secret the visitor types (a voucher's code, an
application's or a concern's reference): a rate per client address, and a count of failed tries
per secret.

- `AddressRateThrottle`: DRF's SimpleRateThrottle keyed by the client's address, whether signed
  in or not; subclasses set `scope` and `rate` (in code, so the limit holds wherever the settings
  come from).
- `FailureCounter(namespace)`: at most `MAX_FAILURES` failed tries per secret per hour, counted
  in the cache under a hash of the secret (the cache never holds one); once reached, even the
  right answer is refused until the hour passes.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

MAX_FAILURES = 5
FAILURE_WINDOW_SECONDS = 3600


class AddressRateThrottle(SimpleRateThrottle):
    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def get_ident(self, request) -> str:
        """The client's address. DRF's default trusts any X-Forwarded-For when NUM_PROXIES is
        unset, so a client could pick a fresh "address" for every try. Here the header counts
        only behind the proxy the settings declare (DJANGO_BEHIND_PROXY), and only its last
        entry, the one that proxy appended."""
        if api_settings.NUM_PROXIES is not None:
            return super().get_ident(request)
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if settings.SECURE_PROXY_SSL_HEADER and forwarded.strip():
            return forwarded.split(",")[-1].strip()
        return request.META.get("REMOTE_ADDR", "")


class TooManyFailures(Exception):
    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


class FailureCounter:
    def __init__(self, namespace: str):
        self.namespace = namespace

    def _keys(self, secret: str) -> tuple[str, str]:
        # Hashed: a long junk "secret" makes a key of fixed length too.
        digest = hashlib.sha256(secret.encode()).hexdigest()
        return f"{self.namespace}:failures:{digest}", f"{self.namespace}:window:{digest}"

    def count(self, secret: str) -> int:
        return int(cache.get(self._keys(secret)[0]) or 0)

    def record(self, secret: str) -> int:
        """Count one failed try; the hour's window starts at the first failure."""
        count_key, window_key = self._keys(secret)
        cache.add(window_key, time.time(), FAILURE_WINDOW_SECONDS)
        cache.add(count_key, 0, FAILURE_WINDOW_SECONDS)
        try:
            return cache.incr(count_key)
        except ValueError:  # expired between add and incr
            cache.add(count_key, 1, FAILURE_WINDOW_SECONDS)
            return 1

    def retry_after(self, secret: str) -> int:
        started = cache.get(self._keys(secret)[1])
        if started is None:
            return FAILURE_WINDOW_SECONDS
        return max(1, int(FAILURE_WINDOW_SECONDS - (time.time() - float(started))))

    def refuse_if_locked(self, secret: str) -> None:
        if self.count(secret) >= MAX_FAILURES:
            raise TooManyFailures(self.retry_after(secret))
