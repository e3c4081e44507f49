"""Every page of the portal as the gallery lists it: who uses it, who signs in to take it, and how
it is reached (an address, or links followed from a list page, so no id is written here)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from .config import TZ


class Session(Protocol):
    """What a page's finder needs of the browser session (browser.Session): its links. A
    protocol, so this list of pages does not import the browser that imports it."""

    def links(self, path: str) -> list[tuple[str, str]]: ...


# Who uses a page, as the gallery says it.
PUBLIC = "公众 everyone"
FAMILY = "家长 families"
OPERATOR = "机构经办人 operators"
INSPECTOR = "检查员 inspectors"
BUREAU = "卫健局 bureau"
CITY = "卫健局、教育局、检查员、审计 bureau and read-only staff"
STAFF = "所有登录用户 signed-in users"
DEPT = "专班成员单位 task-force departments"
HEALTH = "卫生院/社区卫生服务中心 health facilities"


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
    Page("start", "首页", "Start page", PUBLIC, None, "/", section="公开页面 Public pages"),
    Page("public-list", "信息公示", "Public disclosure", PUBLIC, None, "/gongshi/"),
    Page("premises-public", "闲置国有房源", "Idle state-owned premises", PUBLIC, None, "/gongshi/fangyuan/"),
    Page("statement-verify", "缴费证明验证", "Fee statement verification", PUBLIC, None, "/zhengming/yanzheng/"),
    Page("family-statement", "开具入托缴费证明", "Fee statement for a family", PUBLIC, None, "/voucher-balance/zhengming/"),
    Page("public-inspections", "检查结果公示", "Public inspection results", PUBLIC, None, "/gongshi/jiancha/"),
    Page("family-balance-form", "托育券余额查询", "Voucher balance: the form", FAMILY, None, "/voucher-balance/"),
    Page("family-balance", "托育券余额与使用记录", "Voucher balance and history", FAMILY, None, "/voucher-balance/", act=family_lookup("right")),
    Page("family-balance-error", "券码输错", "Voucher balance: a mistyped code", FAMILY, None, "/voucher-balance/", act=family_lookup("wrong")),
    Page("apply-start", "如何领取托育券", "How to get a voucher", FAMILY, None, "/voucher-apply/"),
    Page("apply-form", "申请托育券", "Apply for a voucher online", FAMILY, None, "/voucher-apply/<批次>/", follow("/voucher-apply/", r"^/voucher-apply/\d+/$")),
    Page("apply-follow", "查询申请进度", "Follow an application", FAMILY, None, "/voucher-apply/follow/"),
    Page("concern-form", "反映问题", "A concern about an institution", PUBLIC, None, "/gongshi/fanying/<机构>/", follow("/gongshi/", r"^/gongshi/fanying/\d+/$")),
    Page("concern-follow", "查询反映的处理情况", "Follow a concern", PUBLIC, None, "/gongshi/fanying/chaxun/"),
    Page("voucher-notice", "托育券告知书（PDF）", "Voucher notice (PDF)", "家长 families（机构经办人打印 printed by operators）", OP, "/tuoyuquan/quan/<券码>/gaozhishu.pdf", follow("/tuoyuquan/", r"/gaozhishu\.pdf$"), kind=PDF),
    Page("login", "登录", "Sign in", STAFF, None, "/denglu/"),
    Page("not-found", "页面不存在（404）", "Page not found (404)", PUBLIC, None, "/<不存在的地址>", kind=R, status=404),
    Page("forbidden", "无权操作（403）", "Not allowed (403)", STAFF, OP, "/zhibiao/（机构经办人 as an operator）", "/zhibiao/", status=403),
    Page("lockout", "登录已暂时锁定", "Sign-in locked", STAFF, None, "/denglu/（连续输错密码 after repeated wrong passwords）", kind=R, status=429),
    Page("server-error", "系统繁忙（500）", "Server error (500)", PUBLIC, None, "—", kind=R, status=500),
    # Each role's home (/wode/), where everyone lands after signing in.
    Page("home-operator", "我的首页（机构经办人）", "My home: an operator's work", OPERATOR, "operator2", "/wode/", section="我的首页 Homes"),
    Page("home-inspector", "我的首页（检查员）", "My home: an inspector's work", INSPECTOR, "inspector", "/wode/"),
    Page("home-bureau", "我的首页（卫健局今日待办）", "My home: the bureau's day", BUREAU, "bureau", "/wode/"),
    Page("home-department", "我的首页（专班成员单位）", "My home: a department's tasks", DEPT, "dept_education", "/wode/"),
    Page("home-health", "我的首页（卫生院/社区卫生服务中心）", "My home: a health facility's work", HEALTH, "health1", "/wode/"),
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
    Page("sessions-attendance", "机构活动的签到名单（录入或导入）", "An institution's session: its attendance list, typed or imported", f"{OPERATOR}, {BUREAU}", "operator2", "/weisheng/huodong/<活动>/mingdan/", follow("/yangyu/", r"^/weisheng/huodong/\d+/mingdan/$")),
    Page("voucher-children", "在托幼儿（托育券）", "Voucher children", OPERATOR, OP, "/tuoyuquan/jigou/<机构>/", "/tuoyuquan/"),
    Page("enrolment-add", "登记入托", "Record an enrolment", OPERATOR, OP, "/tuoyuquan/jigou/<机构>/ruto/", follow("/tuoyuquan/", r"/ruto/$")),
    Page("enrolment-end", "登记离托", "Record a leaving child", OPERATOR, OP, "/tuoyuquan/jigou/<机构>/ruto/<入托>/lituo/", follow("/tuoyuquan/", r"/ruto/\d+/lituo/$")),
    Page("redeem", "托育券抵扣", "Redeem a voucher", OPERATOR, OP, "/tuoyuquan/jigou/<机构>/dikou/", follow("/tuoyuquan/", r"^/tuoyuquan/jigou/\d+/dikou/$")),
    Page("redemptions", "抵扣记录", "Redemptions", OPERATOR, OP, "/tuoyuquan/jigou/<机构>/dikou/jilu/", follow("/tuoyuquan/", r"/dikou/jilu/$")),
    Page("redemption-receipt", "抵扣凭据", "Redemption receipt", OPERATOR, OP, "/tuoyuquan/jigou/<机构>/dikou/<抵扣>/", REDEMPTION),
    Page("reverse-confirm", "冲正", "Reverse a redemption", OPERATOR, OP, "/tuoyuquan/jigou/<机构>/dikou/<抵扣>/chongzheng/", then(REDEMPTION, "chongzheng/")),
    Page("institution-settlements", "结算（机构）", "Settlements of an institution", OPERATOR, OP, "/tuoyuquan/jigou/<机构>/jiesuan/", follow("/tuoyuquan/", r"^/tuoyuquan/jigou/\d+/jiesuan/$")),
    Page("statements", "缴费证明（机构）", "Fee statements of an institution", OPERATOR, OP, "/tuoyuquan/jigou/<机构>/zhengming/", follow("/tuoyuquan/", r"^/tuoyuquan/jigou/\d+/zhengming/$")),
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
    Page("subsidies", "运营补助", "Operating subsidies", f"{BUREAU}, 审计 audit", "bureau", "/butie/"),
    Page("subsidy-month", "补助月度明细", "A subsidy month's lines", f"{BUREAU}, 审计 audit", "bureau", "/butie/<月份>/", follow("/butie/", r"^/butie/\d+/$")),
    Page("subsidy-lines", "机构补助明细", "An institution's subsidy lines", f"{OPERATOR}, {BUREAU}", "operator2", "/butie/jigou/<机构>/", follow("/jigou/", r"^/jigou/\d+/$", r"^/butie/jigou/\d+/$")),
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
    Page("fees", "收费监管", "Fee supervision", "卫健局、教育局、审计 bureau, education, audit", "bureau", "/zhibiao/shoufei/"),
    Page("evaluation-report", "试点评估报告（PDF）", "Evaluation report (PDF)", "卫健局、教育局、审计 bureau, education, audit", "bureau", "/zhibiao/baogao/<年-月>.pdf", lambda s: s.evaluation_report(), kind=PDF),
    # The pilot task force (试点专班) and the public-service catalogue.
    Page("catalogue", "基本公共服务目录", "Public-service catalogue", PUBLIC, None, "/gongshi/mulu/", section="试点专班 Task force"),
    Page("programme-board", "专班任务看板", "Task board", f"{BUREAU}, {DEPT}", "bureau", "/zhuanban/"),
    Page("programme-task", "任务与进展", "A task and its progress", f"{BUREAU}, {DEPT}", "dept_education", "/zhuanban/renwu/<任务>/", "/zhuanban/renwu/3/"),
    Page("programme-kindergartens", "幼儿园托班托位（任务3）", "Task 3: kindergartens' childcare-class places", "市教育局 education bureau's department", "dept_education", "/zhuanban/tuoban/"),
    Page("programme-supervision", "督导", "Supervision rounds", BUREAU, "bureau", "/zhuanban/duban/"),
    Page("programme-deliverables", "成果清单", "Deliverables", f"{BUREAU}, {DEPT}", "bureau", "/zhuanban/chengguo/"),
    Page("programme-funds", "资金", "Funds", f"{BUREAU}, {DEPT}", "bureau", "/zhuanban/zijin/"),
    # Medical–childcare integration (医育结合): a health centre's user, and the bureau's pages.
    Page("health-sessions", "医疗卫生机构的养育照护活动", "Health facilities' sessions", f"{HEALTH}, {CITY}", "health1", "/weisheng/huodong/", section="医育结合 Medical–childcare"),
    Page("health-attendance", "签到名单", "A session's attendance list", f"{HEALTH}, {CITY}", "health1", "/weisheng/huodong/<活动>/mingdan/", follow("/weisheng/huodong/", r"^/weisheng/huodong/\d+/mingdan/$")),
    Page("health-guidance", "健康指导记录", "Guidance visits", f"{HEALTH}, {CITY}", "health1", "/weisheng/zhidao/"),
    Page("health-contracts", "签约服务记录", "\"1+1\" contract services", f"{HEALTH}, {CITY}", "health1", "/weisheng/qianyue/"),
    Page("health-screening", "月度筛查数据", "Monthly screening figures", f"{HEALTH}, {CITY}", "health1", "/weisheng/shaicha/"),
    Page("health-network", "三级指导网络", "Three-level guidance network", f"{HEALTH}, {CITY}", "bureau", "/weisheng/wangluo/"),
    Page("health-unlinked", "待关联记录", "Records to link to a facility", CITY, "bureau", "/weisheng/guanlian/"),
    Page("health-lecturers", "讲师团", "The lecturer team", f"{HEALTH}, {CITY}", "health1", "/weisheng/jiangshi/"),
    # Training (issue 19): the providers' users, the bureau and operators.
    Page("training-courses", "培训课程", "Training courses", f"{CITY}, {OPERATOR}, 培训机构 training providers", "provider1", "/peixun/", section="培训 Training"),
    Page("training-course", "课程与参训记录", "A course and its attendance", f"{CITY}, 培训机构 training providers", "provider1", "/peixun/<课程>/", follow("/peixun/", r"^/peixun/\d+/$")),
    Page("training-attendance-add", "录入参训记录", "Entering a person's attendance", f"{BUREAU}, 培训机构 training providers", "provider1", "/peixun/<课程>/canxun/", then(follow("/peixun/", r"^/peixun/\d+/$"), "canxun/")),
    Page("training-import", "导入签到表", "Importing a sign-in sheet", f"{BUREAU}, 培训机构 training providers", "provider1", "/peixun/<课程>/daoru/", then(follow("/peixun/", r"^/peixun/\d+/$"), "daoru/")),
    Page("training-attendance-edit", "修改参训记录", "Editing a person's attendance", f"{BUREAU}, 培训机构 training providers", "provider1", "/peixun/canxun/<参训记录>/", follow("/peixun/", r"^/peixun/\d+/$", r"^/peixun/canxun/\d+/$")),
    Page("training-attendance-delete", "删除参训记录（确认）", "Deleting an attendance (confirmation)", f"{BUREAU}, 培训机构 training providers", "provider1", "/peixun/canxun/<参训记录>/shanchu/", then(follow("/peixun/", r"^/peixun/\d+/$", r"^/peixun/canxun/\d+/$"), "shanchu/")),
    Page("training-hours", "从业人员培训学时", "Staff training hours per year", f"{OPERATOR}, {CITY}", OP, "/peixun/xueshi/"),
    # 融合托育 support cases (issue 19): the bureau, the institution and the supporting facility.
    Page("support-cases", "融合托育个案", "Inclusive-care support cases", f"{BUREAU}, {OPERATOR}, {HEALTH}", "health1", "/ronghe/", section="融合托育 Inclusive care"),
    Page("support-case", "融合托育个案详情", "A support case and its reviews", f"{BUREAU}, {OPERATOR}, {HEALTH}", "health1", "/ronghe/<个案>/", follow("/ronghe/", r"^/ronghe/\d+/$")),
    Page("support-case-open", "新建融合托育个案", "Opening a support case", f"{BUREAU}, {OPERATOR}, {HEALTH}", "health1", "/ronghe/xinjian/"),
    Page("support-plan", "修改帮扶计划", "Changing a case's plan", f"{BUREAU}, {OPERATOR}, {HEALTH}", "health1", "/ronghe/<个案>/jihua/", then(follow("/ronghe/", r"^/ronghe/\d+/$"), "jihua/")),
    Page("support-close", "结案", "Closing a case", f"{BUREAU}, {OPERATOR}, {HEALTH}", "health1", "/ronghe/<个案>/jiean/", then(follow("/ronghe/", r"^/ronghe/\d+/$"), "jiean/")),
    Page("support-review", "个案评估", "Adding a review to a case", f"{BUREAU}, {OPERATOR}, {HEALTH}", "health1", "/ronghe/<个案>/pinggu/", then(follow("/ronghe/", r"^/ronghe/\d+/$"), "pinggu/")),
    Page("support-accesses", "个案查阅记录", "Who read a case", BUREAU, "bureau", "/ronghe/<个案>/fangwen/", then(follow("/ronghe/", r"^/ronghe/\d+/$"), "fangwen/")),
    Page("support-townships", "各镇街融合托育情况", "Inclusive care by township", BUREAU, "bureau", "/ronghe/zhenjie/"),
    # The admin.
    Page("ratings", "星级评定申请", "Star-rating applications", f"{CITY}, {OPERATOR}", "bureau", "/xingji/", section="星级评定 Star rating"),
    Page("ratings-apply", "申请星级评定", "Apply for a star rating", OPERATOR, OP, "/xingji/shenqing/"),
    Page("ratings-review", "星级评定评审", "Reviewing a star-rating application", f"{INSPECTOR}, {BUREAU}", "inspector", "/xingji/<申请>/pingshen/", then(follow("/xingji/?state=submitted", r"^/xingji/\d+/$"), "pingshen/")),
    Page("ratings-decision", "星级评定决定", "Deciding a star rating", BUREAU, "bureau", "/xingji/<申请>/", follow("/xingji/?state=reviewed", r"^/xingji/\d+/$")),
    Page("admin-criteria", "评定标准（后台）", "Rating criteria sets (admin)", BUREAU, "bureau", "/admin/ratings/criteriaset/"),
    Page("admin-login", "管理后台登录", "Admin sign-in", STAFF, None, "/admin/login/", section="管理后台 Admin"),
    Page("admin-index", "管理首页（今日待办）", "Admin home: the day's work", "卫健局 bureau (admin users)", "bureau", "/admin/"),
    Page("admin-institutions", "托育机构列表", "Institutions (admin list)", BUREAU, "bureau", "/admin/institutions/institution/"),
    Page("admin-institution-change", "修改托育机构", "Institution (admin form)", BUREAU, "bureau", "/admin/institutions/institution/<机构>/change/", follow("/admin/institutions/institution/", r"^/admin/institutions/institution/\d+/change/")),
    Page("admin-institution-history", "变更历史", "History of a record", "卫健局、审计 bureau, audit", "bureau", "/admin/institutions/institution/<机构>/history/", lambda s: follow("/admin/institutions/institution/", r"^/admin/institutions/institution/\d+/change/")(s).split("change/")[0] + "history/"),
    Page("admin-institution-import", "导入托育机构", "Import institutions", BUREAU, "bureau", "/admin/institutions/institution/import/"),
    Page("admin-applications", "托育券申请（后台）", "Voucher applications (admin list)", BUREAU, "bureau", "/admin/vouchers/voucherapplication/"),
    Page("admin-audit", "审计查询", "Audit search", "卫健局管理员、审计 bureau admins, audit", "bureau", "/admin/audit/"),
    Page("admin-findings", "检查发现问题（后台）", "Findings (admin list)", "卫健局、检查员 bureau, inspectors", "bureau", "/admin/inspections/finding/"),
    Page("admin-concerns", "投诉与反映", "Concerns from the public", BUREAU, "bureau", "/admin/inspections/concern/"),
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
