"""Screenshots for the README, taken with Debian's headless Chromium (`make screenshots`).

Starts the portal with scripts/run.py on a free port (same backend choice as `make run`), logs in
as the demo bureau user and saves PNGs to docs/screenshots/.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
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

# (file name, path, log in as, viewport)
SHOTS: list[tuple[str, str, str | None, dict]] = [
    ("admin-index.png", "/admin/", "bureau", {"width": 1280, "height": 800}),
    (
        "admin-institutions.png",
        "/admin/institutions/institution/",
        "bureau",
        {"width": 1280, "height": 800},
    ),
    ("healthz.png", "/healthz", None, {"width": 800, "height": 300}),
    ("api-docs.png", "/api/docs/", None, {"width": 1280, "height": 900}),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"portal did not answer at {url}")


def main() -> int:
    port = _free_port()
    env = {**os.environ, "PORT": str(port)}
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "run.py")], env=env, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(f"{base}/healthz")
        OUT.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            for name, path, user, viewport in SHOTS:
                page = browser.new_page(viewport=viewport, locale="zh-CN")
                if user:
                    page.goto(f"{base}/admin/login/?next={path}")
                    page.fill("#id_username", user)
                    page.fill("#id_password", "lequing2025")
                    page.click("input[type=submit]")
                    page.wait_for_load_state("networkidle")
                else:
                    page.goto(f"{base}{path}")
                    page.wait_for_load_state("networkidle")
                page.screenshot(path=str(OUT / name))
                print(f"saved docs/screenshots/{name}")
                page.close()
            browser.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
