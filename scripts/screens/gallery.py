"""docs/pages.md, the gallery, written from the page list."""

from __future__ import annotations

import datetime as dt

from .config import DEVICES, TZ
from .pages import PAGES, PDF


def gallery(taken: dict[str, str], seconds: float) -> str:
    lines = [
        "# 页面一览 · Every page",
        "",
        "Every page of the portal, in Chinese, on a phone (360 px wide) and at a desk (1280 px),",
        "with the demo data (`make run` shows the same; password `lequing2025`). Written by",
        "`make screenshots` (scripts/screenshots.py), which took these on "
        f"{dt.datetime.now(TZ):%Y-%m-%d} in {seconds / 60:.0f} minutes; do not edit by hand.",
        "Click a thumbnail for the whole page (cut at 10,000 px). PDFs: once, the first page.",
        "",
        "Addresses with `<...>` take an object's id; the pictures show the first one a list links",
        "to. Signed in as: operators `operator1` (the report form: `operator2`), inspectors",
        "`inspector`, bureau `bureau`, health facilities `health1`.",
        "",
    ]
    for spec in PAGES:
        if spec.section:
            lines += [
                f"## {spec.section}",
                "",
                "| 页面 Page | 地址 Address | 使用者 Who | 手机 Phone | 桌面 Desktop |",
                "|---|---|---|---|---|",
            ]
        if spec.kind == PDF:
            image = f"screenshots/pages/{spec.name}.png"
            thumb = f"[![{spec.zh}](screenshots/pages/thumbs/{spec.name}.png)]({image})"
            phone, desktop = "PDF (A4)", thumb
        else:
            phone, desktop = (
                f"[![{spec.zh} {device}](screenshots/pages/thumbs/{spec.name}-{device}.png)]"
                f"(screenshots/pages/{spec.name}-{device}.png)"
                for device in DEVICES
            )
        missing = "" if spec.name in taken else " (not taken on the last run)"
        lines.append(
            f"| {spec.zh}<br>{spec.en}{missing} | `{spec.url}` | {spec.who} | {phone} | {desktop} |"
        )
        if spec is PAGES[-1] or PAGES[PAGES.index(spec) + 1].section:
            lines.append("")
    lines += [
        "Not shown: the health check (`/healthz`, JSON) and the API docs (`/api/docs/`), which are",
        "in the README; downloads (xlsx exports and templates); and the admin's other lists and",
        "forms, which look like the ones above.",
        "",
    ]
    return "\n".join(lines)
