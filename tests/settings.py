"""Test settings: the real settings module, with test keys and fast password hashing.

Tests always run on PostgreSQL (DATABASE_URL, default the local server).
"""

import os
import tempfile

os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault(
    "PERSONAL_DATA_KEYS",
    # Two keys, as after a rotation: the first encrypts, both decrypt.
    "dGVzdC1rZXktb25lLXRlc3Qta2V5LW9uZS0zMmJ5dGU=,dGVzdC1rZXktdHdvLXRlc3Qta2V5LXR3by0zMmJ5dGU=",
)
os.environ.setdefault("PERSONAL_DATA_HASH_KEY", "test-hash-key")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/lequing_tuoyu")
# A Redis database of its own so tests never touch a running portal's queue; under pytest-xdist
# (make test runs two workers) each worker has its own database and its own import folder, as
# pytest-django gives each its own test database.
# Databases 13 (tests/test_make_run.py) and 0 (a running portal) stay out of the list.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
_REDIS_DB = (14, 15, 12, 11, 10, 9, 8, 7)[int(_WORKER.removeprefix("gw") or 0)]
os.environ.setdefault("REDIS_URL", f"redis://127.0.0.1:6379/{_REDIS_DB}")
if _WORKER:
    _imports = os.environ.get("IMPORT_TMP_DIR") or os.path.join(tempfile.gettempdir(), "lq-imports")
    os.environ["IMPORT_TMP_DIR"] = f"{_imports}-{_WORKER}"
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")

from lequing_tuoyu.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "notifications.sms.locmem.SmsBackend"
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    # Throttling has its own tests; the rest of the suite must not trip it.
    "DEFAULT_THROTTLE_RATES": {
        "anon": "10000/minute",
        "user": "10000/minute",
        "auth": "10000/minute",
    },
}
# Serve static files from the apps' folders, as `make run` does, without a collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
