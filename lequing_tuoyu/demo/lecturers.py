"""Demo lecturer team (讲师团, plan 7.4): paediatricians, nutritionists and childcare experts from
the county facilities, a few township health centres and other organisations (one has left the
team), each leading some of the health facilities' sessions held while they were members. Its
own random generator: the rows the shared one draws are unchanged."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from institutions.lecturers import services
from institutions.models import HealthFacility, LecturerMember, ParentingSession

from .people import make_mobile, make_person_name

Profession = LecturerMember.Profession
ORGANISATIONS = ["温州大学", "乐清市婴幼儿照护服务指导中心", "乐清市人民医院"]
PROFESSIONS = [
    Profession.PAEDIATRICIAN,
    Profession.NUTRITIONIST,
    Profession.HEALTH_DOCTOR,
    Profession.CHILDCARE_EXPERT,
    Profession.COUNSELLOR,
    Profession.PAEDIATRICIAN,
    Profession.CHILDCARE_EXPERT,
    Profession.NUTRITIONIST,
]


def seed_lecturers(rng: random.Random) -> dict:
    today = timezone.localdate()
    start = dt.date(today.year - 2, 1, 1)
    facilities = list(HealthFacility.objects.order_by("level", "pk")[:5])
    members = []
    for number, profession in enumerate(PROFESSIONS):
        facility = facilities[number] if number < len(facilities) and number % 2 == 0 else None
        left_on = today - dt.timedelta(days=rng.randint(60, 200)) if number == 4 else None
        members.append(
            services.member_save(
                member=LecturerMember(
                    name=make_person_name(rng),
                    profession=profession,
                    facility=facility,
                    organisation="" if facility else ORGANISATIONS[number % len(ORGANISATIONS)],
                    mobile=make_mobile(rng),
                    joined_on=start + dt.timedelta(days=rng.randint(0, 300)),
                    left_on=left_on,
                )
            )
        )
    led = 0
    for session in ParentingSession.objects.filter(facility__isnull=False).order_by("pk"):
        eligible = [m for m in members if m.is_member_on(session.held_on)]
        if not eligible or rng.random() >= 0.7:
            continue
        chosen = rng.sample(eligible, min(len(eligible), rng.randint(1, 2)))
        services.session_lecturers_set(session=session, lecturers=chosen)
        led += 1
    return {"lecturers": len(members), "sessions_led": led}
