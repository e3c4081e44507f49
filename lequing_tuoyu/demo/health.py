"""Demo medical–childcare records (plan 7.1, 7.2, 7.4): the county level and one health facility
per township, linked to the contracts and sessions that name them (the bureau's "match by name"),
a few old records typed differently and left for the bureau to link, attendance lists on most
health-centre sessions (families drawn from each township's pool, so some come again), guidance
visits, monthly screening figures and what was delivered under the contracts each month. Its own random generator: the rows the shared one draws
are unchanged."""

from __future__ import annotations

import datetime as dt
import random

from django.conf import settings
from django.utils import timezone

from institutions.health import services as health_services
from institutions.health.models import GUIDANCE_TOPICS
from institutions.models import (
    CareContract,
    Community,
    ContractServiceMonth,
    GuidanceVisit,
    HealthFacility,
    InstructorAssignment,
    ParentingSession,
    ScreeningMonth,
    SessionAttendance,
    Township,
)
from portal.dates import add_months

from .people import make_mobile
from .registry import DEMO_SUFFIX, health_facility_name

COUNTY = [
    ("乐清市妇幼保健院", HealthFacility.Kind.MATERNAL_CHILD),
    ("乐清市托育综合服务中心", HealthFacility.Kind.CHILDCARE_CENTRE),
]
# The demo's health-centre login works for the facility of operator2's township (柳市镇), so it
# sees 柳市春芽托育中心 among the institutions under contract with it.
HEALTH_LOGIN_TOWNSHIP = "330382114"
ADVICE = [
    "午餐蔬菜种类偏少，建议每周食谱增加深色蔬菜，控制果汁供应。",
    "托小班幼儿身高体重测量记录不全，建议每季度测量一次并绘制生长曲线。",
    "个别幼儿入托分离焦虑明显，建议保育人员固定照护、逐步延长在园时间。",
    "辅食质地与月龄不符，乳儿班应按月龄提供泥糊状至碎末状食物。",
    "已讲解婴幼儿情绪识别与回应方法，建议家长会同步宣教。",
    "发现两名幼儿生长速度偏缓，已建议家长到卫生院儿保门诊复查。",
]
FOLLOW_UPS = ["下次指导时复查食谱调整情况。", "两周内提交整改后的生长监测记录。", ""]


def _facilities() -> dict[int, HealthFacility]:
    """The county level and one facility per township; {township id: its facility}."""
    townships = list(Township.objects.all())
    seat = next((t for t in townships if t.code.endswith("002")), townships[0])  # 乐成街道
    for name, kind in COUNTY:
        HealthFacility.objects.get_or_create(
            name=f"{name}{DEMO_SUFFIX}",
            defaults={"level": HealthFacility.Level.COUNTY, "kind": kind, "township": seat},
        )
    by_township = {}
    for township in townships:
        kind = (
            HealthFacility.Kind.COMMUNITY_CENTRE
            if township.kind == Township.Kind.SUBDISTRICT
            else HealthFacility.Kind.TOWNSHIP_HOSPITAL
        )
        by_township[township.pk], _ = HealthFacility.objects.get_or_create(
            name=health_facility_name(township),
            defaults={"level": HealthFacility.Level.TOWNSHIP, "kind": kind, "township": township},
        )
    return by_township


def _typed_differently(rng: random.Random) -> None:
    """A few contracts and sessions whose facility was typed by hand before the records existed:
    they match no facility and wait on the bureau's page of unlinked records."""
    contracts = list(
        CareContract.objects.filter(facility__isnull=True)
        .select_related("institution__township")
        .order_by("pk")
    )
    for contract in rng.sample(contracts, min(3, len(contracts))):
        township = contract.institution.township.name
        contract.health_facility = f"{township}医院{DEMO_SUFFIX}"
        contract.save(update_fields=["health_facility"])
    sessions = list(
        ParentingSession.objects.filter(organiser_kind="health_centre", facility__isnull=True)
        .select_related("township")
        .order_by("pk")
    )
    for session in rng.sample(sessions, min(2, len(sessions))):
        session.organiser_name = f"{session.township.name}卫生服务站{DEMO_SUFFIX}"
        session.save(update_fields=["organiser_name"])


def _sessions(rng: random.Random) -> int:
    """Venue and community for the health centres' sessions, and an attendance list on about
    two in three of them: families from a pool per township, so some attend more than once.
    Then the institutions' own sessions: held at the institution (机构), about half with a list
    their operators typed or imported, from the same pools."""
    communities: dict[int, list[Community]] = {}
    for community in Community.objects.all():
        communities.setdefault(community.township_id, []).append(community)
    pools: dict[int, list[str]] = {}
    rows = []
    sessions = list(
        ParentingSession.objects.filter(facility__isnull=False).order_by("held_on", "pk")
    )
    for session in sessions:
        session.venue = rng.choices(
            [ParentingSession.Venue.COMMUNITY, ParentingSession.Venue.HOSPITAL], [3, 2]
        )[0]
        if session.venue == ParentingSession.Venue.COMMUNITY and communities.get(
            session.township_id
        ):
            session.community = rng.choice(communities[session.township_id])
        if rng.random() < 0.65:
            pool = pools.setdefault(
                session.township_id, [make_mobile(rng) for _ in range(rng.randint(40, 120))]
            )
            families = rng.sample(pool, min(len(pool), session.families_reached))
            session.families_reached = len(families)
            rows += [
                SessionAttendance(session=session, family_hash=health_services.family_key(m))
                for m in families
            ]
    hosted = list(
        ParentingSession.objects.filter(
            organiser_kind=ParentingSession.OrganiserKind.INSTITUTION, venue=""
        ).order_by("held_on", "pk")
    )
    for session in hosted:
        session.venue = ParentingSession.Venue.INSTITUTION
        if rng.random() < 0.5:
            pool = pools.setdefault(
                session.township_id, [make_mobile(rng) for _ in range(rng.randint(40, 120))]
            )
            families = rng.sample(pool, min(len(pool), session.families_reached))
            session.families_reached = len(families)
            rows += [
                SessionAttendance(session=session, family_hash=health_services.family_key(m))
                for m in families
            ]
    ParentingSession.objects.bulk_update(
        [*sessions, *hosted], ["venue", "community", "families_reached"], batch_size=2000
    )
    SessionAttendance.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
    return len(rows)


def _guidance(rng: random.Random, today: dt.date) -> int:
    """Visits over the last year by each institution's instructor, for its contract's facility."""
    contracts = CareContract.objects.filter(facility__isnull=False).select_related("institution")
    instructor_of = {
        a.institution_id: a.instructor
        for a in InstructorAssignment.objects.filter(instructor__isnull=False)
        .select_related("instructor")
        .order_by("effective_from")
    }
    codes = [code for code, _label in GUIDANCE_TOPICS]
    visits = []
    for contract in contracts:
        instructor = instructor_of.get(contract.institution_id)
        if instructor is None or contract.institution.filed_on is None:
            continue
        for _ in range(rng.randint(0, 4)):
            day = today - dt.timedelta(days=rng.randint(1, 360))
            if day < max(contract.valid_from, contract.institution.filed_on):
                continue
            visits.append(
                GuidanceVisit(
                    institution=contract.institution,
                    facility=contract.facility,
                    instructor=instructor,
                    visited_on=day,
                    mode=rng.choices(list(GuidanceVisit.Mode), [4, 1])[0],
                    topics=rng.sample(codes[:3], rng.randint(1, 3))
                    + ([rng.choice(codes[3:])] if rng.random() < 0.3 else []),
                    advice=rng.choice(ADVICE),
                    follow_up=rng.choice(FOLLOW_UPS),
                )
            )
    GuidanceVisit.objects.bulk_create(visits, batch_size=2000)
    return len(visits)


def _screenings(rng: random.Random, facilities: dict[int, HealthFacility], today: dt.date) -> int:
    """Each township facility's months from the pilot's start to the last complete month."""
    rows = []
    last = add_months(today.replace(day=1), -1)
    for facility in facilities.values():
        size = rng.randint(20, 160)
        month = settings.PILOT_START_DATE.replace(day=1)
        while month <= last:
            screened = max(0, int(rng.gauss(size, size * 0.15)))
            positive = sum(rng.random() < 0.03 for _ in range(screened))
            rows.append(
                ScreeningMonth(
                    facility=facility,
                    period=month,
                    development_screenings=screened,
                    risk_assessments=int(screened * rng.uniform(0.6, 0.9)),
                    positive_cases=positive,
                    home_visits=sum(rng.random() < 0.85 for _ in range(positive)),
                )
            )
            month = add_months(month, 1)
    ScreeningMonth.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return len(rows)


def _contract_services(rng: random.Random, today: dt.date) -> int:
    """Most months of the last year, for each contract linked to a facility and valid then."""
    rows = []
    last = add_months(today.replace(day=1), -1)
    for contract in CareContract.objects.filter(facility__isnull=False).order_by("pk"):
        children = rng.randint(10, 60)
        for back in range(12):
            month = add_months(last, -back)
            if contract.valid_from > month or rng.random() < 0.25:
                continue
            rows.append(
                ContractServiceMonth(
                    contract=contract,
                    period=month,
                    health_education=rng.choice([0, 1, 1, 2]),
                    vaccination_checks=rng.randint(0, children) if month.month in (3, 9) else 0,
                    growth_monitoring=children if month.month % 3 == 0 else 0,
                )
            )
    ContractServiceMonth.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return len(rows)


def seed_health(rng: random.Random, *, users: dict) -> dict:
    today = timezone.localdate()
    facilities = _facilities()
    login = users.get("health1")
    if login is not None:
        township = Township.objects.filter(code=HEALTH_LOGIN_TOWNSHIP).first()
        if township is not None:
            facilities[township.pk].users.add(login)
    _typed_differently(rng)  # before matching: these stay unlinked
    contracts, sessions = health_services.link_by_name()
    return {
        "facilities": len(facilities),
        "linked_contracts": contracts,
        "linked_sessions": sessions,
        "families_on_lists": _sessions(rng),
        "guidance_visits": _guidance(rng, today),
        "screening_months": _screenings(rng, facilities, today),
        "contract_service_months": _contract_services(rng, today),
    }
