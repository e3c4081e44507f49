"""Demo data of the pilot programme: department users, progress updates, a supervision round,
the provincial subsidy's monthly budgets and a few catalogue items. Everything is labelled
（演示）; the plan's own records (departments, tasks, deliverables, funds) come from the data
migration and are not touched except for demo progress. Dates are relative to today and to the
pilot's settings, never written in."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.utils import timezone

from portal.dates import add_months, month_start
from programme import services
from programme.models import (
    CatalogueItem,
    Deliverable,
    Department,
    Fund,
    FundMonth,
    FundUse,
    ProgressUpdate,
    SubItem,
    SupervisionRound,
    Task,
)
from programme.plan import load_plan

from .registry import DEMO_SUFFIX

# login -> department (the logins are in DEMO_USERS and the README).
DEPARTMENT_LOGINS = {
    "dept_education": "市教育局",
    "dept_development": "市发改局",
    "dept_civil": "市民政局",
}

# Services the plan itself describes (plan.md §7); the plan does not make them catalogue items:
# the demo shows how the bureau might, and labels them.
CATALOGUE = [
    (
        "托育券",
        "符合条件的生育家庭",
        "限时限量发放托育券，用于抵扣托育服务费用。",
        "市卫健局",
        "/tuoyuquan/",
    ),
    (
        "养育照护小组活动",
        "3岁以下婴幼儿家庭",
        "儿科医生、营养师、托育专家等进社区、进医院、进机构开展养育照护小组活动。",
        "市卫健局",
        "",
    ),
    (
        "“1+1”签约服务",
        "托育机构",
        "基层医疗卫生机构与托育机构签约，提供健康宣教、疫苗接种、生长发育监测等服务。",
        "市卫健局",
        "",
    ),
    (
        "“融合托育”",
        "发育迟缓等特殊婴幼儿家庭",
        "依托市托育综合服务中心，提供个性化帮扶服务。",
        "市残联",
        "",
    ),
    (
        "托育机构信息公示",
        "社会公众",
        "及时公开托育机构的相关信息，接受社会监督。",
        "市卫健局",
        "/gongshi/",
    ),
]


def _demo(text: str) -> str:
    return f"{text}{DEMO_SUFFIX}"


def seed_programme(*, users: dict) -> int:
    """Link the department users, and add demo progress, supervision, fund months and catalogue
    items. Returns the number of progress updates. Idempotent: a second run adds nothing."""
    # The data migration loads the plan; put it back where a test emptied the tables since.
    load_plan(lambda name: apps.get_model("programme", name))
    for login, name in DEPARTMENT_LOGINS.items():
        Department.objects.get(name=name).users.add(users[login])
    # The education bureau's own login is in its department too: it writes task 3's places.
    Department.objects.get(name="市教育局").users.add(users["education"])
    office = users["bureau"]
    today = timezone.localdate()
    if not ProgressUpdate.objects.exists():
        _seed_progress(users, office, today)
    if not SupervisionRound.objects.exists():
        supervision = services.round_create(
            actor=office, title=_demo("第一轮督导检查"), held_on=today - dt.timedelta(days=20)
        )
        services.finding_add(
            supervision=supervision,
            task=Task.objects.get(number=4),
            text=_demo("新建社区托育设施同步规划的清单尚未汇总"),
            actor=office,
        )
    _seed_funds(office)
    plan_document = Deliverable.objects.filter(source="二(一)", state=Deliverable.State.PENDING)
    for deliverable in plan_document:
        services.deliverable_save(
            deliverable=deliverable,
            actor=office,
            state=Deliverable.State.DRAFTING,
            due_date=None,
            done_on=None,
            note=_demo("初稿已征求各成员单位意见"),
        )
    for order, (name, eligibility, content, department, url) in enumerate(CATALOGUE, start=1):
        if CatalogueItem.objects.filter(name=_demo(name)).exists():
            continue
        services.catalogue_item_save(
            item=CatalogueItem(
                name=_demo(name),
                eligibility=eligibility,
                content=content,
                department=Department.objects.get(name=department),
                portal_url=url,
                is_demo=True,
                published=order <= 4,
                order=order,
            ),
            actor=office,
        )
    return ProgressUpdate.objects.count()


def _seed_progress(users: dict, office, today: dt.date) -> None:
    # Demo due dates, so the board shows each rule: one overdue, one at risk, one on track.
    SubItem.objects.filter(task__number=3, number=2).update(due_date=today - dt.timedelta(days=3))
    Task.objects.filter(number=6).update(due_date=today + dt.timedelta(days=20))
    Task.objects.filter(number=2).update(due_date=today + dt.timedelta(days=90))
    services.progress_update_create(
        task=Task.objects.get(number=3),
        sub_item=SubItem.objects.get(task__number=3, number=1),
        actor=users["dept_education"],
        text=_demo("已摸排全市普惠性幼儿园开设托班意向"),
        status="in_progress",
    )
    services.progress_update_create(
        task=Task.objects.get(number=2),
        actor=office,
        text=_demo("市托育综合服务中心培训课程已排期"),
        status="in_progress",
    )


def _seed_funds(office) -> None:
    subsidy = Fund.objects.get(kind=Fund.Kind.PROVINCIAL_SUBSIDY)
    if FundMonth.objects.filter(fund=subsidy).exists():
        return
    month = month_start(settings.PILOT_START_DATE)
    for offset in range(3):
        period = add_months(month, offset)
        for use, budget in ((FundUse.VOUCHERS, 200_000), (FundUse.TRAINING, 30_000)):
            services.fund_month_save(
                fund=subsidy,
                period=period,
                actor=office,
                use=use,
                budget=Decimal(budget),
                spent=None if use == FundUse.VOUCHERS else Decimal(budget // 2),
            )
    subsidy.note = _demo("演示金额，非真实预算")
    subsidy.save(update_fields=["note"])
