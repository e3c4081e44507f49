"""Demo support cases of inclusive care (融合托育, plan 7.3): a few cases at institutions that
offer inclusive care (one in 柳市镇, supported by the demo health login's facility), with dated
reviews, one of them closed. The children are invented and marked as demo in the plan's text.
Its own random generator: the rows the shared one draws are unchanged."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from institutions.models import HealthFacility, Institution, SupportCase, SupportReview

from .people import make_person_name, make_resident_id
from .registry import DEMO_SUFFIX

PLANS = {
    SupportCase.Need.DEVELOPMENTAL_DELAY: "每周两次一对一精细动作与认知训练，家园共育每月反馈。",
    SupportCase.Need.AUTISM: "结构化日程与视觉提示，每周一次社交游戏小组，转介儿保门诊评估。",
    SupportCase.Need.SPEECH: "每日10分钟语言示范与回应，每月一次言语治疗师随访。",
    SupportCase.Need.MOTOR: "大运动游戏每日两次，康复科指导下调整座椅与活动空间。",
}
PROGRESS = [
    "能配合完成大部分训练，注意力持续时间延长。",
    "家长反馈在家练习坚持较好，情绪稳定。",
    "进步较慢，建议增加家园沟通频次。",
]


def _cases(institutions: list[Institution], facilities: dict[int, HealthFacility]):
    """The institutions to support, those offering inclusive care first: two of 柳市镇 (the demo
    health login's township), then three others."""
    first = [i for i in institutions if i.township.code.endswith("114")][:2]
    rest = [i for i in institutions if i not in first][:3]
    return [(i, facilities.get(i.township_id)) for i in first + rest if i.township_id in facilities]


def seed_inclusive(rng: random.Random, *, users: dict) -> int:
    """Five cases (one closed) with one to three reviews each; returns the number of cases."""
    today = timezone.localdate()
    facilities = {
        f.township_id: f for f in HealthFacility.objects.filter(level=HealthFacility.Level.TOWNSHIP)
    }
    institutions = list(
        Institution.objects.filter(closed_on__isnull=True)
        .select_related("township")
        .order_by("-special_needs_care", "township__sort_order", "pk")
    )
    bureau = users["bureau"]
    count = 0
    for index, (institution, facility) in enumerate(_cases(institutions, facilities)):
        need = list(PLANS)[index % len(PLANS)]
        opened_on = today - dt.timedelta(days=rng.randint(60, 240))
        born = opened_on - dt.timedelta(days=rng.randint(400, 900))
        case = SupportCase(
            institution=institution,
            facility=facility,
            child_name=make_person_name(rng),
            child_birth_date=born,
            child_id_number=make_resident_id(rng, born=born) if index % 2 == 0 else "",
            need=need,
            plan=f"{PLANS[need]}{DEMO_SUFFIX}",
            opened_on=opened_on,
            created_by=bureau,
        )
        case.save()
        reviewed_on = opened_on
        for _ in range(rng.randint(1, 3)):
            reviewed_on = min(reviewed_on + dt.timedelta(days=rng.randint(20, 45)), today)
            SupportReview.objects.create(
                case=case,
                reviewed_on=reviewed_on,
                progress=rng.choice(PROGRESS),
                next_step="继续按计划训练。",
                next_review_by=reviewed_on + dt.timedelta(days=30),
                reviewer=users.get("health1") or bureau,
            )
        if index == len(PLANS):  # the last one: support ended
            case.closed_on = reviewed_on
            case.closing_note = f"已达到阶段目标，转为常规照护。{DEMO_SUFFIX}"
            case.save(update_fields=["closed_on", "closing_note"])
        count += 1
    return count
