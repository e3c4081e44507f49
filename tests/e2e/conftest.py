"""End-to-end journeys (issue 11): Debian's headless Chromium, driven by Playwright for Python,
against pytest-django's live server on the test PostgreSQL database.

- `demo`: the demo data (`lequing_tuoyu.demo.seed`), what `make run` shows, loaded per journey
  (live-server tests use a transactional database, emptied after each test).
- `journey(name, phone=...)`: a browser page at desktop (1280x800) or phone (360x740, touch)
  size, with guards that fail the journey on a JavaScript error, a CSP violation, a broken
  asset or any request to a host other than this server; `.shot(step)` saves
  docs/screenshots/e2e/<journey>-<step>.png after checking the page fits the screen's width.
- `report_worker`: a real Celery worker for the evaluation report, sharing a Redis cache with the
  live server so that the dashboard's progress bar follows the task.

No browser is downloaded: Chromium comes from Debian (`make browser-deps`).
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots" / "e2e"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The browser's own words (a file input's "选择文件") in Chinese, like the pages: Chromium reads
# the language from the environment and needs Debian's chromium-l10n for it.
CHROMIUM_ENV = {"LANG": "C.UTF-8", "LANGUAGE": "zh_CN:zh"}
LOCAL_HOSTS = {"localhost", "127.0.0.1"}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    # A chat app's in-app browser on Android says little more than this.
    "user_agent": (
        "Mozilla/5.0 (Linux; Android 13; Phone) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0 Mobile Safari/537.36"
    ),
}
TIMEOUT_MS = 15_000


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    """The demo data (tests/conftest.py has put back the data migrations' rows an earlier
    transactional test emptied). Uploaded and generated files go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    from django.core.cache import cache

    from lequing_tuoyu.demo import seed

    # The test cache lives in this process: forget other tests' throttles and failure counts.
    cache.clear()
    return seed(scale="demo")


@pytest.fixture
def browser(transactional_db, monkeypatch):
    """Per test: Playwright's event loop must be gone before the database is emptied.

    Django keeps a connection per context, and the code under `sync_playwright()` runs in another
    one: the connections of each are closed before leaving it, or the one left open keeps the
    test database from being dropped at the end of the run."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser-deps` (Debian's chromium package).")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls the journeys make
    # between browser steps are ordinary synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    connections.close_all()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, env={**os.environ, **CHROMIUM_ENV}
        )
        yield browser
        browser.close()
        connections.close_all()


class Journey:
    """One person's browser: a page, its guards and its screenshots."""

    def __init__(self, name: str, context, base_url: str, *, phone: bool):
        self.name = name
        self.context = context
        self.base_url = base_url
        self.phone = phone
        self.problems: list[str] = []
        self.foreign: list[str] = []
        self.shots: list[Path] = []
        context.route("**/*", self._guard)
        self.page = context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("response", self._response)

    # --- guards -----------------------------------------------------------------------------------

    def _guard(self, route) -> None:
        url = route.request.url
        if url.startswith(("data:", "blob:")) or urlsplit(url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            self.foreign.append(url)
            route.abort()

    def _console(self, message) -> None:
        text = message.text
        # A page answered 400 on purpose (a form with errors) is logged as a failed load; assets
        # that fail are caught by _response, so these lines carry nothing more.
        if message.type == "error" and not text.startswith("Failed to load resource"):
            self.problems.append(f"console error: {text}")
        elif "Content Security Policy" in text or "Content-Security-Policy" in text:
            self.problems.append(f"CSP: {text}")

    def _response(self, response) -> None:
        request = response.request
        if request.resource_type != "document" and response.status >= 400:
            self.problems.append(f"{response.status} for {request.resource_type} {response.url}")

    def check(self) -> None:
        assert not self.foreign, f"requests to other hosts: {self.foreign}"
        assert not self.problems, "\n".join(self.problems)

    # --- steps ------------------------------------------------------------------------------------

    def url(self, path: str) -> str:
        return self.base_url + path

    def goto(self, path: str):
        response = self.page.goto(self.url(path))
        assert response is not None and response.status < 400, (
            f"{path}: {response and response.status}"
        )
        return response

    def shot(self, step: str, *, full_page: bool = False) -> Path:
        """Save docs/screenshots/e2e/<journey>-<step>.png; the page must fit the screen's width
        (no sideways scrolling on a phone) and be in Chinese."""
        page = self.page
        page.wait_for_load_state("load")
        lang = page.evaluate("document.documentElement.lang")
        assert lang.lower().startswith("zh"), f"{step}: page language is {lang!r}"
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"{step}: the page is {overflow}px wider than the screen"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{self.name}-{step}.png"
        page.screenshot(path=str(path), full_page=full_page, animations="disabled")
        self.shots.append(path)
        self.check()
        return path

    def login(self, username: str, password: str, *, next_path: str = "") -> None:
        from django.urls import reverse

        path = reverse("institutions:login") + (f"?next={next_path}" if next_path else "")
        self.goto(path)
        self.page.get_by_label("用户名").fill(username)
        self.page.get_by_label("密码").fill(password)
        self.page.get_by_role("button", name="登录").click()
        self.page.wait_for_load_state("load")
        assert "/denglu/" not in self.page.url, f"login as {username} failed"

    def message(self) -> str:
        """The text of the messages shown at the top of the page."""
        return self.page.locator(".messages").inner_text()


@pytest.fixture
def journey(browser, live_server, tmp_path):
    """`journey(name, phone=False)`: a fresh browser context (no cookies) at that size, in
    Chinese; its guards are checked again when the test ends. The last page each journey showed
    is kept in the test's tmp_path (last-<journey>.png), for a journey that failed."""
    opened: list[Journey] = []

    def open_journey(name: str, *, phone: bool = False, **options) -> Journey:
        context = browser.new_context(
            **{**(PHONE if phone else DESKTOP), **options},
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            accept_downloads=True,
        )
        opened.append(Journey(name, context, live_server.url, phone=phone))
        return opened[-1]

    yield open_journey
    for item in opened:
        try:
            item.page.screenshot(path=str(tmp_path / f"last-{item.name}.png"), full_page=True)
        except Exception as error:  # noqa: BLE001 - only a debugging aid
            print(f"no screenshot of the last page: {error}")
        item.context.close()
    for item in opened:
        item.check()


@pytest.fixture
def report_worker(demo, settings, monkeypatch, tmp_path):
    """A real Celery worker, on a queue of its own, for the evaluation report. The live server and
    the worker share a Redis cache under a prefix of this test's own, so the dashboard reads the
    progress the task writes; the report's file goes to the same temporary MEDIA_ROOT. The
    worker's output is in the test's tmp_path (worker.log)."""
    from django.db import connection

    from metrics import report_tasks

    prefix = f"e2e-{uuid.uuid4().hex[:8]}"
    queue = f"e2e-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.CELERY_BROKER_URL,
            "KEY_PREFIX": prefix,
        }
    }
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.e2e.worker_settings",
        "E2E_CACHE_PREFIX": prefix,
        "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "DATABASE_URL": (
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "REDIS_URL": settings.CELERY_BROKER_URL,
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "lequing_tuoyu",
            "worker",
            "--pool",
            "solo",
            "--queues",
            queue,
            "--loglevel",
            "WARNING",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    task = report_tasks.generate_evaluation_report
    monkeypatch.setattr(task, "delay", lambda *args: task.apply_async(args, queue=queue))
    try:
        yield queue
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        if process.returncode not in (0, -15):
            print((tmp_path / "worker.log").read_text())
        # Only this journey's keys: Redis database 14 is shared with other test runs' queues.
        import redis

        client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
        for key in client.scan_iter(match=f"{prefix}:*"):
            client.delete(key)
