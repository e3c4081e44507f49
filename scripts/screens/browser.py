"""The browser: one signed-in context per user and device, and the pictures taken with it (whole
pages, a PDF's first page, the README's own shots), saved small."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from PIL import Image
from playwright.sync_api import Error as PlaywrightError

from .config import (
    DEVICES,
    MAX_HEIGHT,
    OUT,
    PAGES_OUT,
    PASSWORD,
    ROOT,
    THUMB_WIDTH,
    THUMBS,
    TIMEOUT_MS,
)
from .pages import OWN_SHOTS, PDF, Page, R


class ShotError(Exception):
    """A page that is not what it should be (status, language, content type)."""


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ShotError(message)


class Session:
    """One signed-in (or anonymous) browser context per user and device."""

    def __init__(self, browser, base: str, user: str | None, device: str):
        self.base = base
        self.user = user
        self.device = device
        self.context = browser.new_context(**DEVICES[device], locale="zh-CN")
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page = self.context.new_page()
        if user:
            self.page.goto(f"{base}/denglu/")
            self.page.fill("#id_username", user)
            self.page.fill("#id_password", PASSWORD)
            self.page.click("main form button[type=submit]")
            self.page.wait_for_load_state("load")
            if "/denglu/" in self.page.url:
                raise SystemExit(f"login as {user} failed")

    def links(self, path: str) -> list[tuple[str, str]]:
        self.page.goto(self.base + path)
        return self.page.eval_on_selector_all(
            "a[href]",
            "els => els.map(e => [e.getAttribute('href'), e.innerText.trim()])",
        )

    def evaluation_report(self) -> str:
        """The stored evaluation report of the dashboard's month; generated (by the Celery
        worker, or in-process without Redis) when there is none yet."""
        self.page.goto(f"{self.base}/zhibiao/")
        month = self.page.get_attribute(
            "form[action$='/zhibiao/baogao/'] input[name=month]", "value"
        )
        path = f"/zhibiao/baogao/{month}.pdf"
        if self.context.request.get(self.base + path).status == 200:
            return path
        self.page.click("form[action$='/zhibiao/baogao/'] button[type=submit]")
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            if self.context.request.get(self.base + path).status == 200:
                return path
            time.sleep(3)
        raise LookupError(f"the evaluation report for {month} was not generated within 10 minutes")

    def close(self) -> None:
        self.context.close()


def _save_png(source: Path, target: Path) -> None:
    """256 colours: a third of the size, and the same to the eye for a page of text."""
    with Image.open(source) as image:
        image = image.crop((0, 0, image.width, min(image.height, MAX_HEIGHT)))
        image.convert("RGB").quantize(
            colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        ).save(target, optimize=True)


def _save_thumb(source: Path, target: Path, width: int, crop_height: int | None) -> None:
    with Image.open(source) as image:
        image = image.convert("RGB")
        if crop_height:
            image = image.crop((0, 0, image.width, min(image.height, crop_height)))
        height = round(image.height * width / image.width)
        image = image.resize((width, height), Image.Resampling.LANCZOS)
        image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
            target, optimize=True
        )


AUDIT_JS = """() => {
  const small = [];
  for (const el of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary')) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || getComputedStyle(el).visibility === 'hidden') continue;
    if (el.closest('.visually-hidden, .skip-link')) continue;
    if (r.height < 24 || r.width < 24) small.push(`${el.tagName.toLowerCase()} "${(el.innerText || el.value || el.name || '').trim().slice(0, 20)}" ${Math.round(r.width)}x${Math.round(r.height)}`);
  }
  const words = new Set((document.body.innerText.match(/[A-Za-z][A-Za-z ]{2,}[A-Za-z]/g) || []).map(w => w.trim()));
  return {small: small.slice(0, 15), words: [...words].slice(0, 30)};
}"""


class Shooter:
    def __init__(self, browser, base: str, facts: dict, audit: bool):
        self.browser = browser
        self.base = base
        self.facts = facts
        self.audit = audit
        self.sessions: dict[tuple[str | None, str], Session] = {}
        self.wide: list[str] = []
        self.failed: list[str] = []
        self.paths: dict[str, str] = {}
        self.tmp = Path(tempfile.mkdtemp(prefix="screenshots-"))

    def session(self, user: str | None, device: str) -> Session:
        key = (user, device)
        if key not in self.sessions:
            self.sessions[key] = Session(self.browser, self.base, user, device)
        return self.sessions[key]

    def take(self, spec: Page) -> None:
        try:
            if spec.kind == PDF:
                self._pdf(spec)
                return
            path = spec.path if isinstance(spec.path, str) and spec.path else spec.url
            if callable(spec.path):
                path = spec.path(self.session(spec.user, "desktop"))
            self.paths[spec.name] = path
            for device in DEVICES:
                self._shot(spec, path, device)
        except (LookupError, PlaywrightError, ShotError, subprocess.SubprocessError) as error:
            self.failed.append(f"{spec.name}: {error}")
            print(f"FAILED {spec.name}: {error}", flush=True)

    def _shot(self, spec: Page, path: str, device: str) -> None:
        page = self.session(spec.user, device).page
        if spec.kind == R:
            url = f"{self.base}/__screenshots__/{spec.name}"
            html = self.facts["html"][spec.name]
            page.route(
                url,
                lambda route: route.fulfill(
                    status=spec.status, content_type="text/html; charset=utf-8", body=html
                ),
            )
            response = page.goto(url)
            page.unroute(url)
        else:
            response = page.goto(self.base + path)
        if spec.act:
            spec.act(page, self.facts)
        else:
            _check(
                response is not None and response.status == spec.status,
                f"{path}: status {response and response.status}, expected {spec.status}",
            )
        try:
            page.wait_for_load_state("networkidle", timeout=10_000)
        except PlaywrightError:
            pass  # a page that polls: what is there is enough
        lang = page.evaluate("document.documentElement.lang") or ""
        _check(lang.lower().startswith("zh"), f"{path}: page language is {lang!r}")
        if device == "phone":
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            if overflow > 1:
                self.wide.append(f"{spec.name}: {overflow}px wider than the phone's screen")
        raw = self.tmp / f"{spec.name}-{device}.png"
        page.screenshot(path=str(raw), full_page=True, animations="disabled")
        target = PAGES_OUT / f"{spec.name}-{device}.png"
        _save_png(raw, target)
        viewport = DEVICES[device]["viewport"]
        _save_thumb(raw, THUMBS / target.name, THUMB_WIDTH[device], viewport["height"])
        print(f"saved {target.relative_to(ROOT)}", flush=True)
        if self.audit:
            found = page.evaluate(AUDIT_JS)
            for label, items in (("small targets", found["small"]), ("latin", found["words"])):
                if items:
                    print(f"  {device} {label}: {items}", flush=True)

    def _pdf(self, spec: Page) -> None:
        session = self.session(spec.user, "desktop")
        path = spec.path(session) if callable(spec.path) else spec.path
        self.paths[spec.name] = path
        response = session.context.request.get(self.base + path)
        _check(response.status == 200, f"{path}: status {response.status}")
        _check(response.body().startswith(b"%PDF"), f"{path}: not a PDF")
        if not shutil.which("pdftoppm"):
            raise LookupError("pdftoppm is missing (Debian's poppler-utils): PDFs not drawn")
        pdf = self.tmp / f"{spec.name}.pdf"
        pdf.write_bytes(response.body())
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "100",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(pdf),
                str(self.tmp / spec.name),
            ],
            check=True,
            timeout=120,
        )
        raw = self.tmp / f"{spec.name}.png"
        target = PAGES_OUT / f"{spec.name}.png"
        _save_png(raw, target)
        _save_thumb(raw, THUMBS / target.name, THUMB_WIDTH["desktop"] // 2 + 40, None)
        print(f"saved {target.relative_to(ROOT)}", flush=True)

    def own_shots(self) -> None:
        for name, path, viewport in OWN_SHOTS:
            page = self.browser.new_page(viewport=viewport, locale="zh-CN")
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(self.base + path)
            try:
                page.wait_for_load_state("networkidle", timeout=30_000)
            except PlaywrightError:
                pass
            page.screenshot(path=str(OUT / name))
            print(f"saved docs/screenshots/{name}", flush=True)
            page.close()

    def close(self) -> None:
        for session in self.sessions.values():
            session.close()
        shutil.rmtree(self.tmp, ignore_errors=True)
