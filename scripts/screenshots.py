"""Screenshots of every page, in Chinese, on a phone and a desk (`make screenshots`).

Starts the portal with scripts/run.py on a free port (same backend choice as `make run`; the demo
data is loaded once), signs in as the demo users in Debian's headless Chromium and saves:

- docs/screenshots/pages/<name>-phone.png (360 px wide, touch) and <name>-desktop.png (1280 px),
  whole pages, for every page in PAGES (scripts/screens/pages.py); a PDF once, as <name>.png
  (its first page);
- docs/screenshots/pages/thumbs/: the first screen of each, small, for the gallery;
- docs/pages.md, the gallery, written from PAGES (scripts/screens/gallery.py);
- the README's docs/screenshots/*.png (README_SHOTS: copies of some of the above, the health
  check and the API docs).

Object pages (a report, a finding, a settlement...) are found by following the first matching
link of a list page, so no id is written here. The 404, 500 and lockout pages are rendered by
Django itself (the portal runs with DEBUG on, which would show Django's debug pages instead).

`scripts/screenshots.py --only review-` retakes the pages whose name contains "review-" and leaves
docs/pages.md and the README's files alone. At the end it lists the phone pages wider than the
screen; `--audit` also lists small tap targets and Latin-letter words on each page.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time

from playwright.sync_api import sync_playwright

# scripts/screens/, beside this file (the script's folder is on the import path).
from screens.browser import Shooter
from screens.config import (
    CHROMIUM,
    CHROMIUM_ARGS,
    CHROMIUM_ENV,
    GALLERY,
    OUT,
    PAGES_OUT,
    ROOT,
    THUMBS,
)
from screens.gallery import gallery
from screens.pages import PAGES, README_SHOTS
from screens.portal import django_facts, free_port, portal_env, wait_for


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", help="retake only pages whose name contains this")
    parser.add_argument(
        "--audit", action="store_true", help="list small tap targets and Latin words"
    )
    args = parser.parse_args()
    pages = [p for p in PAGES if not args.only or args.only in p.name]

    started = time.monotonic()
    port = free_port()
    env = portal_env(port)
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "run.py")], env=env, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/healthz")
        facts = django_facts(env)
        for folder in (OUT, PAGES_OUT, THUMBS):
            folder.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, env={**os.environ, **CHROMIUM_ENV}
            )
            shooter = Shooter(browser, base, facts, args.audit)
            for spec in pages:
                shooter.take(spec)
            if not args.only:
                shooter.own_shots()
            shooter.close()
            browser.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)

    seconds = time.monotonic() - started
    if not args.only:
        for name, page_name, device in README_SHOTS:
            source = PAGES_OUT / (
                f"{page_name}.png" if device == "pdf" else f"{page_name}-{device}.png"
            )
            if page_name in shooter.paths and source.exists():
                shutil.copyfile(source, OUT / name)
        GALLERY.write_text(gallery(shooter.paths, seconds), encoding="utf-8")
        print(f"wrote {GALLERY.relative_to(ROOT)}")
    print(f"{len(shooter.paths)} of {len(pages)} pages in {seconds:.0f} s")
    for line in shooter.wide:
        print(f"WIDER THAN THE PHONE: {line}")
    for line in shooter.failed:
        print(f"FAILED: {line}")
    return 1 if shooter.failed else 0


if __name__ == "__main__":
    sys.exit(main())
