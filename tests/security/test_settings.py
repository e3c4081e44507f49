"""Production settings: `check --deploy` is clean, and the login settings are strict."""

import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import get_default_password_validators

ROOT = Path(__file__).resolve().parents[2]


def _production_env() -> dict:
    import os

    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", ""),
        "DJANGO_SETTINGS_MODULE": "lequing_tuoyu.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "tuoyu.example.gov.cn",
        "PERSONAL_DATA_KEYS": "dGVzdC1rZXktb25lLXRlc3Qta2V5LW9uZS0zMmJ5dGU=",
        "PERSONAL_DATA_HASH_KEY": secrets.token_urlsafe(32),
        "DATABASE_URL": os.environ.get(
            "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/lequing_tuoyu"
        ),
    }


def test_check_deploy_has_no_warnings_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output


def test_production_settings_are_strict():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
            "s.SECURE_HSTS_SECONDS >= 31536000, s.SESSION_EXPIRE_AT_BROWSER_CLOSE, "
            "s.CELERY_TASK_ACKS_LATE, s.CELERY_TASK_REJECT_ON_WORKER_LOST, s.DEBUG)",
        ],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["True"] * 7 + ["False"], result.stdout + result.stderr


def test_passwords_need_ten_characters_and_are_checked_against_common_ones():
    names = {type(v).__name__: v for v in get_default_password_validators()}
    assert names["MinimumLengthValidator"].min_length >= 10
    assert {"CommonPasswordValidator", "NumericPasswordValidator"} <= set(names)
    assert "UserAttributeSimilarityValidator" in names


def test_sessions_expire():
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_HTTPONLY


@pytest.mark.django_db
def test_pages_and_api_send_a_strict_content_security_policy(client):
    response = client.get("/gongshi/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy
