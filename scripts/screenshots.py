"""Screenshots of every page, in Chinese, on a phone and a desk (`make screenshots`).

Starts the portal with scripts/run.py on a free port (same backend choice as `make run`; the demo
data is loaded once), signs in as the demo users in Debian's headless Chromium and saves:

- docs/screenshots/pages/<name>-phone.png (360 px wide, touch) and <name>-desktop.png (1280 px),
  whole pages, for every page in PAGES; a PDF once, as <name>.png (its first page);
- docs/screenshots/pages/thumbs/: the first screen of each, small, for the gallery;
- docs/pages.md, the gallery, written from PAGES;
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
import datetime as dt
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
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

# Who uses a page, as the gallery says it.
PUBLIC = "公众 everyone"
FAMILY = "家长 families"
OPERATOR = "机构经办人 operators"
INSPECTOR = "检查员 inspectors"
BUREAU = "卫健局 bureau"
CITY = "卫健局、教育局、检查员、审计 bureau and read-only staff"
STAFF = "所有登录用户 signed-in users"


# --- How to reach a page ---------------------------------------------------------------------------

Finder = Callable[["Session"], str]


def follow(start: str, *steps: str | tuple[str, str], nth: int = 0) -> Finder:
    """From `start`, follow the first link whose address matches each step's pattern (a step
    can be (pattern, text pattern) to match the link's text too); `nth` picks a later match at
    the last step. Returns the address reached."""

    def find(session: Session) -> str:
        path = start
        for index, step in enumerate(steps):
            pattern, text = step if isinstance(step, tuple) else (step, "")
            links = session.links(path)
            found = [
                href
                for href, label in links
                if re.search(pattern, href) and re.search(text, label or "")
            ]
            pick = nth if index == len(steps) - 1 else 0
            if len(found) <= pick:
                raise LookupError(f"no link matching {pattern!r} {text!r} on {path}")
            path = found[pick]
        return path

    return find


def first_of(*finders: Finder) -> Finder:
    """The first of these ways that finds a page."""

    def find(session: Session) -> str:
        for finder in finders[:-1]:
            try:
                return finder(session)
            except LookupError:
                continue
        return finders[-1](session)

    return find


def then(finder: Finder, suffix: str) -> Finder:
    return lambda session: finder(session).split("?")[0] + suffix


def this_month(_session: Session) -> str:
    """Operator1's report for the current month: not open yet (the blocked page)."""
    path = follow("/yuebao/", r"^/yuebao/\d+/\d{4}-\d{2}/$")(_session)
    return re.sub(r"\d{4}-\d{2}/$", f"{dt.datetime.now(TZ):%Y-%m}/", path)


# --- What to do on a page before the picture ------------------------------------------------------


def family_lookup(code_key: str) -> Callable:
    def act(page, facts: dict) -> None:
        code = facts.get("family_code", "")
        if code_key == "wrong":
            # One character changed, and typed as printed on the notice (dashes, lower case).
            code = code[:-2] + ("A" if code[-2] != "A" else "B") + code[-1]
        page.fill("#id_code", "-".join(code[i : i + 4] for i in range(0, len(code), 4)).lower())
        page.fill("#id_id_last6", facts.get("family_id_last6", ""))
        page.click("button.family-form__submit")
        page.wait_for_load_state("load")

    return act


def reject_confirm(page, _facts: dict) -> None:
    """Tick the first waiting application and ask to reject it: the confirmation page (nothing
    is decided until it is confirmed)."""
    page.locator("input[name=application]").first.check()
    page.click("button[value=reject]")
    page.wait_for_load_state("load")


# --- The pages -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    name: str  # file names: pages/<name>-phone.png, pages/<name>-desktop.png
    zh: str
    en: str
    who: str
    user: str | None  # demo login; None: not signed in
    url: str  # as the gallery shows it
    path: str | Finder = ""  # the address, or how to find it; default: url
    act: Callable | None = None  # (page, facts) after loading
    status: int = 200
    kind: str = "page"  # "page", "pdf" (first page as an image), "rendered" (Django renders it)
    section: str = ""


P, PDF, R = "page", "pdf", "rendered"
OP = "operator1"
MONTH = r"^/yuebao/\d+/\d{4}-\d{2}/$"
INSTITUTION = follow("/jigou/", r"^/jigou/\d+/$")
STAFF_MEMBER = follow("/jigou/", r"^/jigou/\d+/staff/$", r"^/jigou/\d+/staff/\d+/$")
CERTIFICATE = follow(
    "/jigou/",
    r"^/jigou/\d+/staff/$",
    r"^/jigou/\d+/staff/\d+/$",
    r"/certificates/\d+/edit/$",
)
REDEMPTION = follow("/tuoyuquan/", r"^/tuoyuquan/jigou/\d+/dikou/jilu/$", r"/dikou/\d+/$")
SETTLEMENT_CONFIRMED = follow("/tuoyuquan/jiesuan/", r"^/tuoyuquan/jiesuan/\d+/shenhe/$")

# One page a line, as a table: the formatter leaves it alone.
# fmt: off
PAGES: list[Page] = [
    # Public: no login.
    Page("public-list", "信息公示", "Public disclosure", PUBLIC, None, "/gongshi/", section="公开页面 Public pages"),
    Page("public-inspections", "检查结果公示", "Public inspection results", PUBLIC, None, "/gongshi/jiancha/"),
    Page("family-balance-form", "托育券余额查询", "Voucher balance: the form", FAMILY, None, "/voucher-balance/"),
    Page("family-balance", "托育券余额与使用记录", "Voucher balance and history", FAMILY, None, "/voucher-balance/", act=family_lookup("right")),
    Page("family-balance-error", "券码输错", "Voucher balance: a mistyped code", FAMILY, None, "/voucher-balance/", act=family_lookup("wrong")),
    Page("voucher-notice", "托育券告知书（PDF）", "Voucher notice (PDF)", "家长 families（机构经办人打印 printed by operators）", OP, "/tuoyuquan/quan/<券码>/gaozhishu.pdf", follow("/tuoyuquan/", r"/gaozhishu\.pdf$"), kind=PDF),
    Page("login", "登录", "Sign in", STAFF, None, "/denglu/"),
    Page("not-found", "页面不存在（404）", "Page not found (404)", PUBLIC, None, "/<不存在的地址>", kind=R, status=404),
    Page("forbidden", "无权操作（403）", "Not allowed (403)", STAFF, OP, "/zhibiao/（机构经办人 as an operator）", "/zhibiao/", status=403),
    Page("lockout", "登录已暂时锁定", "Sign-in locked", STAFF, None, "/denglu/（连续输错密码 after repeated wrong passwords）", kind=R, status=429),
    Page("server-error", "系统繁忙（500）", "Server error (500)", PUBLIC, None, "—", kind=R, status=500),
    # Operators.
    Page("my-institution", "我的机构", "My institution", OPERATOR, OP, "/jigou/", section="机构经办人 Operators"),
    Page("staff-list", "从业人员", "Staff", OPERATOR, OP, "/jigou/<机构>/staff/", follow("/jigou/", r"^/jigou/\d+/staff/$")),
    Page("staff-detail", "从业人员详情与证书", "Staff member and certificates", OPERATOR, OP, "/jigou/<机构>/staff/<人员>/", STAFF_MEMBER),
    Page("staff-add", "添加从业人员", "Add a staff member", OPERATOR, OP, "/jigou/<机构>/staff/add/", follow("/jigou/", r"^/jigou/\d+/staff/$", r"^/jigou/\d+/staff/add/$")),
    Page("staff-edit", "编辑从业人员", "Edit a staff member", OPERATOR, OP, "/jigou/<机构>/staff/<人员>/edit/", then(STAFF_MEMBER, "edit/")),
    Page("staff-leave", "标记离职", "Record a leaving", OPERATOR, OP, "/jigou/<机构>/staff/<人员>/leave/", then(STAFF_MEMBER, "leave/")),
    Page("certificate-add", "添加证书", "Add a certificate", OPERATOR, OP, "/jigou/<机构>/staff/<人员>/certificates/add/", then(STAFF_MEMBER, "certificates/add/")),
    Page("certificate-edit", "编辑证书", "Edit a certificate", OPERATOR, OP, "/jigou/<机构>/staff/<人员>/certificates/<证书>/edit/", CERTIFICATE),
    Page("certificate-delete", "删除证书", "Delete a certificate", OPERATOR, OP, "/jigou/<机构>/staff/<人员>/certificates/<证书>/delete/", lambda s: CERTIFICATE(s).replace("/edit/", "/delete/")),
    Page("month-list", "月报填报", "Monthly reports: the months", OPERATOR, OP, "/yuebao/"),
    Page("report-form", "月报表单", "Monthly report form", OPERATOR, "operator2", "/yuebao/<机构>/<年-月>/", first_of(follow("/yuebao/", (MONTH, "填报|修改")), follow("/yuebao/", MONTH))),
    Page("report-readonly", "已审核的月报（只读）", "A reviewed monthly report (read-only)", OPERATOR, OP, "/yuebao/<机构>/<年-月>/", first_of(follow("/yuebao/", (MONTH, "查看")), follow("/yuebao/", MONTH))),
    Page("report-blocked", "月报尚未开放", "Monthly report not open yet", OPERATOR, OP, "/yuebao/<机构>/<本月>/", this_month),
    Page("sessions", "养育照护小组活动", "Parenting-care group sessions", OPERATOR, OP, "/yangyu/"),
    Page("voucher-children", "在托幼儿（托育券）", "Voucher children", OPERATOR, OP, "/tuoyuquan/jigou/<机构>/", "/tuoyuquan/"),
    Page("enrolment-add", "登记入托", "Record an enrolment", OPERATOR, OP, "/tuoyuquan/jigou/<机构>/ruto/", follow("/tuoyuquan/", r"/ruto/$")),
    Page("enrolment-end", "登记离托", "Record a leaving child", OPERATOR, OP, "/tuoyuquan/jigou/<机构>/ruto/<入托>/lituo/", follow("/tuoyuquan/", r"/ruto/\d+/lituo/$")),
    Page("redeem", "托育券抵扣", "Redeem a voucher", OPERATOR, OP, "/tuoyuquan/jigou/<机构>/dikou/", follow("/tuoyuquan/", r"^/tuoyuquan/jigou/\d+/dikou/$")),
    Page("redemptions", "抵扣记录", "Redemptions", OPERATOR, OP, "/tuoyuquan/jigou/<机构>/dikou/jilu/", follow("/tuoyuquan/", r"/dikou/jilu/$")),
    Page("redemption-receipt", "抵扣凭据", "Redemption receipt", OPERATOR, OP, "/tuoyuquan/jigou/<机构>/dikou/<抵扣>/", REDEMPTION),
    Page("reverse-confirm", "冲正", "Reverse a redemption", OPERATOR, OP, "/tuoyuquan/jigou/<机构>/dikou/<抵扣>/chongzheng/", then(REDEMPTION, "chongzheng/")),
    Page("institution-settlements", "结算（机构）", "Settlements of an institution", OPERATOR, OP, "/tuoyuquan/jigou/<机构>/jiesuan/", follow("/tuoyuquan/", r"^/tuoyuquan/jigou/\d+/jiesuan/$")),
    Page("settlement-detail", "结算单", "Settlement statement", f"{OPERATOR}, {BUREAU}", OP, "/tuoyuquan/jiesuan/<结算单>/", follow("/tuoyuquan/", r"^/tuoyuquan/jigou/\d+/jiesuan/$", r"^/tuoyuquan/jiesuan/\d+/$")),
    Page("institution-application", "代为申请托育券", "Apply for a voucher for a family", OPERATOR, OP, "/tuoyuquan/jigou/<机构>/shenqing/", follow("/tuoyuquan/", r"/shenqing/$")),
    Page("findings", "问题整改", "Findings to rectify", f"{OPERATOR}, {INSPECTOR}, {BUREAU}", OP, "/jiancha/wenti/"),
    Page("finding-rectify", "整改回复", "Answer a finding", OPERATOR, OP, "/jiancha/wenti/<问题>/", follow("/jiancha/wenti/?state=open", r"^/jiancha/wenti/\d+/$")),
    Page("incident-new", "报告事件", "Report an incident", f"{OPERATOR}, {INSPECTOR}", OP, "/jiancha/shijian/baogao/"),
    # Inspectors.
    Page("inspections", "检查记录", "Inspections", f"{INSPECTOR}, {BUREAU}, {OPERATOR}", "inspector", "/jiancha/", section="检查员 Inspectors"),
    Page("inspection-new", "发起检查", "Start an inspection", f"{INSPECTOR}, {BUREAU}", "inspector", "/jiancha/xinjian/"),
    Page("inspection-form", "现场检查表", "On-site inspection form", INSPECTOR, "inspector", "/jiancha/<检查>/tianbao/", then(follow("/jiancha/?state=draft&mine=1", r"^/jiancha/\d+/$"), "tianbao/")),
    Page("inspection-detail", "检查详情", "Inspection", f"{INSPECTOR}, {BUREAU}, {OPERATOR}", "inspector", "/jiancha/<检查>/", follow("/jiancha/?state=completed", r"^/jiancha/\d+/$")),
    Page("finding-review", "整改验收", "Check a rectification", f"{INSPECTOR}, {BUREAU}", "inspector", "/jiancha/wenti/<问题>/", follow("/jiancha/wenti/?state=submitted", r"^/jiancha/wenti/\d+/$")),
    Page("coverage", "检查覆盖", "Inspection coverage", f"{INSPECTOR}, {BUREAU}", "inspector", "/jiancha/fugai/"),
    # Bureau.
    Page("registry", "机构名录", "Registry of institutions", CITY, "bureau", "/jigou/", section="卫健局 Bureau"),
    Page("institution-detail", "机构详情", "Institution", CITY, "bureau", "/jigou/<机构>/", INSTITUTION),
    Page("review-queue", "月报审核", "Monthly report review queue", CITY, "bureau", "/yuebao/shenhe/"),
    Page("review-detail", "审核月报", "Review a monthly report", BUREAU, "bureau", "/yuebao/shenhe/<月报>/", follow("/yuebao/shenhe/", r"^/yuebao/shenhe/\d+/$")),
    Page("completeness", "完整性与及时性", "Completeness and timeliness", CITY, "bureau", "/yuebao/wanzheng/"),
    Page("exceptions", "补报许可", "Late-filing exceptions", BUREAU, "bureau", "/yuebao/buhao/"),
    Page("sessions-city", "养育照护小组活动（全市）", "Parenting-care sessions, city-wide", CITY, "bureau", "/yangyu/"),
    Page("voucher-batches", "托育券发放批次", "Voucher batches and uptake", BUREAU, "bureau", "/tuoyuquan/pici/"),
    Page("applications", "托育券申请审核", "Voucher applications", BUREAU, "bureau", "/tuoyuquan/shenqing/"),
    Page("application-detail", "托育券申请", "A voucher application", BUREAU, "bureau", "/tuoyuquan/shenqing/<申请>/", follow("/tuoyuquan/shenqing/", r"^/tuoyuquan/shenqing/\d+/$")),
    Page("reject-confirm", "不通过申请：确认", "Reject applications: confirmation", BUREAU, "bureau", "/tuoyuquan/shenqing/shenhe/（POST）", "/tuoyuquan/shenqing/?state=pending", act=reject_confirm),
    Page("application-add", "录入托育券申请", "Enter a voucher application", BUREAU, "bureau", "/tuoyuquan/shenqing/xinzeng/"),
    Page("application-import", "导入托育券申请名单", "Import voucher applications", BUREAU, "bureau", "/tuoyuquan/shenqing/daoru/"),
    Page("redemption-report", "托育券抵扣统计", "Redemption figures", BUREAU, "bureau", "/tuoyuquan/dikou/"),
    Page("anomalies", "托育券异常提示", "Voucher anomalies", BUREAU, "bureau", "/tuoyuquan/yichang/"),
    Page("settlements", "托育券结算", "Settlements", BUREAU, "bureau", "/tuoyuquan/jiesuan/"),
    Page("settlement-approve", "审核结算单", "Approve a settlement", BUREAU, "bureau", "/tuoyuquan/jiesuan/<结算单>/shenhe/", SETTLEMENT_CONFIRMED),
    Page("settlement-paid", "登记支付", "Record a payment", BUREAU, "bureau", "/tuoyuquan/jiesuan/<结算单>/zhifu/", lambda s: SETTLEMENT_CONFIRMED(s).replace("/shenhe/", "/zhifu/")),
    Page("settlement-pdf", "结算单（PDF）", "Settlement statement (PDF)", f"{BUREAU}, {OPERATOR}", "bureau", "/tuoyuquan/jiesuan/<结算单>/jiesuandan.pdf", follow("/tuoyuquan/jiesuan/", r"/jiesuandan\.pdf$"), kind=PDF),
    Page("draws", "双随机抽查", "Random draws", BUREAU, "bureau", "/jiancha/chouqian/"),
    Page("draw-new", "新建抽查", "New random draw", BUREAU, "bureau", "/jiancha/chouqian/xinjian/"),
    Page("draw-detail", "抽查结果", "A random draw", f"{BUREAU}, {INSPECTOR}", "bureau", "/jiancha/chouqian/<抽查>/", follow("/jiancha/chouqian/", r"^/jiancha/chouqian/\d+/$")),
    Page("incidents", "事件报告", "Incidents", f"{BUREAU}, {INSPECTOR}, {OPERATOR}", "bureau", "/jiancha/shijian/"),
    Page("incident-detail", "事件详情", "An incident", f"{BUREAU}, {INSPECTOR}", "bureau", "/jiancha/shijian/<事件>/", follow("/jiancha/shijian/", r"^/jiancha/shijian/\d+/$")),
    Page("dashboard", "试点指标", "Indicators dashboard", "卫健局、教育局、审计 bureau, education, audit", "bureau", "/zhibiao/"),
    Page("drilldown", "指标明细", "Indicator drill-down", "卫健局、教育局、审计 bureau, education, audit", "bureau", "/zhibiao/<地区>/<指标>/", follow("/zhibiao/", r"^/zhibiao/city/K\w+/")),
    Page("forecast", "预测与差距", "Forecast and gaps", "卫健局、教育局、审计 bureau, education, audit", "bureau", "/zhibiao/yuce/"),
    Page("evaluation-report", "试点评估报告（PDF）", "Evaluation report (PDF)", "卫健局、教育局、审计 bureau, education, audit", "bureau", "/zhibiao/baogao/<年-月>.pdf", lambda s: s.evaluation_report(), kind=PDF),
    # The admin.
    Page("admin-login", "管理后台登录", "Admin sign-in", STAFF, None, "/admin/login/", section="管理后台 Admin"),
    Page("admin-index", "管理首页（今日待办）", "Admin home: the day's work", "卫健局 bureau (admin users)", "bureau", "/admin/"),
    Page("admin-institutions", "托育机构列表", "Institutions (admin list)", BUREAU, "bureau", "/admin/institutions/institution/"),
    Page("admin-institution-change", "修改托育机构", "Institution (admin form)", BUREAU, "bureau", "/admin/institutions/institution/<机构>/change/", follow("/admin/institutions/institution/", r"^/admin/institutions/institution/\d+/change/")),
    Page("admin-institution-history", "变更历史", "History of a record", "卫健局、审计 bureau, audit", "bureau", "/admin/institutions/institution/<机构>/history/", lambda s: follow("/admin/institutions/institution/", r"^/admin/institutions/institution/\d+/change/")(s).split("change/")[0] + "history/"),
    Page("admin-institution-import", "导入托育机构", "Import institutions", BUREAU, "bureau", "/admin/institutions/institution/import/"),
    Page("admin-applications", "托育券申请（后台）", "Voucher applications (admin list)", BUREAU, "bureau", "/admin/vouchers/voucherapplication/"),
    Page("admin-audit", "审计查询", "Audit search", "卫健局管理员、审计 bureau admins, audit", "bureau", "/admin/audit/"),
    Page("admin-findings", "检查发现问题（后台）", "Findings (admin list)", "卫健局、检查员 bureau, inspectors", "bureau", "/admin/inspections/finding/"),
]
# fmt: on

# The README's pictures: (file, page name, device), and two taken on their own.
README_SHOTS = [
    ("public-page.png", "public-list", "phone"),
    ("operator-staff.png", "staff-list", "desktop"),
    ("admin-institutions.png", "admin-institutions", "desktop"),
    ("admin-index.png", "admin-index", "desktop"),
    ("report-form.png", "report-form", "phone"),
    ("review-queue.png", "review-queue", "desktop"),
    ("completeness.png", "completeness", "desktop"),
    ("redemption-form.png", "redeem", "phone"),
    ("family-balance.png", "family-balance", "phone"),
    ("voucher-batches.png", "voucher-batches", "desktop"),
    ("voucher-notice.png", "voucher-notice", "pdf"),
    ("inspection-form.png", "inspection-form", "phone"),
    ("public-inspections.png", "public-inspections", "phone"),
    ("dashboard.png", "dashboard", "desktop"),
    ("forecast.png", "forecast", "desktop"),
    ("evaluation-report.png", "evaluation-report", "pdf"),
]
OWN_SHOTS = [
    ("healthz.png", "/healthz", {"width": 800, "height": 300}),
    ("api-docs.png", "/api/docs/", {"width": 1280, "height": 900}),
]


# --- Facts only Django can give ---------------------------------------------------------------------

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


# --- The browser ------------------------------------------------------------------------------------


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


# --- The gallery ------------------------------------------------------------------------------------


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
        "`inspector`, bureau `bureau`.",
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


# --- Running the portal ------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(url: str, timeout: float = 600) -> None:
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", help="retake only pages whose name contains this")
    parser.add_argument(
        "--audit", action="store_true", help="list small tap targets and Latin words"
    )
    args = parser.parse_args()
    pages = [p for p in PAGES if not args.only or args.only in p.name]

    started = time.monotonic()
    port = _free_port()
    env = portal_env(port)
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "run.py")], env=env, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(f"{base}/healthz")
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
