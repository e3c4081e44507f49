"""Where the pictures go, and the browser and screens they are taken with."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "screenshots"
PAGES_OUT = OUT / "pages"
THUMBS = PAGES_OUT / "thumbs"
GALLERY = ROOT / "docs" / "pages.md"
PASSWORD = "lequing2025"  # noqa: S105 - the demo accounts' password (README)
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
# The browser's own words (a file input's "选择文件") in Chinese too (needs chromium-l10n).
CHROMIUM_ENV = {"LANG": "C.UTF-8", "LANGUAGE": "zh_CN:zh"}
DEVICES = {
    "phone": {
        "viewport": {"width": 360, "height": 780},
        "device_scale_factor": 1,
        "is_mobile": True,
        "has_touch": True,
        "user_agent": (
            "Mozilla/5.0 (Linux; Android 13; Phone) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/120.0 Mobile Safari/537.36"
        ),
    },
    "desktop": {"viewport": {"width": 1280, "height": 800}},
}
THUMB_WIDTH = {"phone": 120, "desktop": 320}
MAX_HEIGHT = 10_000  # px: a longer page (a list of hundreds) is cut there
TIMEOUT_MS = 60_000  # a shared machine with two cores: some pages take their time
TZ = ZoneInfo("Asia/Shanghai")
