"""The portal the pictures are taken from: started as `make run` starts it, and the facts only
Django can give (the demo family's voucher, the pages Django renders itself)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

from .config import ROOT

# Run with `manage.py shell`: the demo family voucher (the README's), and the pages Django renders
# only with DEBUG off.
FACTS_CODE = r"""
import json
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.test import RequestFactory
from django.utils import translation
from django.views import defaults
from lequing_tuoyu.views import lockout
from vouchers.models import Redemption

translation.activate("zh-hans")

def request(path):
    req = RequestFactory().get(path, HTTP_ACCEPT_LANGUAGE="zh-CN")
    req.user = AnonymousUser()
    req.LANGUAGE_CODE = "zh-hans"
    return req

facts = {}
reversed_ = Redemption.objects.exclude(reversal_reason="").select_related("voucher__child")
reversal = (
    reversed_.filter(reversal_reason__startswith="金额录入有误").order_by("pk").first()
    or reversed_.order_by("pk").first()
)
if reversal:
    facts["family_code"] = reversal.voucher.code
    facts["family_id_last6"] = reversal.voucher.child.id_last6
facts["html"] = {
    "not-found": defaults.page_not_found(request("/jigou/0/"), Http404()).content.decode(),
    "server-error": defaults.server_error(request("/")).content.decode(),
    "lockout": lockout(request("/denglu/")).content.decode(),
}
print("FACTS" + json.dumps(facts, ensure_ascii=False))
"""


def django_facts(env: dict) -> dict:
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", FACTS_CODE],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    for line in result.stdout.splitlines():
        if line.startswith("FACTS"):
            return json.loads(line[len("FACTS") :])
    raise SystemExit(f"manage.py shell gave no facts:\n{result.stdout}\n{result.stderr}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=5)
            return
        except OSError:
            time.sleep(1)
    raise SystemExit(f"portal did not answer at {url}")


def portal_env(port: int) -> dict[str, str]:
    """The environment `make run` would use, with its choice of database and broker fixed here, so
    that `manage.py shell` below reads the same database as the server."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import run

    env = {**os.environ, "PORT": str(port)}
    env.setdefault("DJANGO_DEBUG", "1")
    env.setdefault("DJANGO_SETTINGS_MODULE", "lequing_tuoyu.settings")
    additions, _said = run.choose_backends(
        env, pg_ok=run.postgres_answers(), redis_ok=run.redis_answers()
    )
    return {**env, **additions}
