"""Demo training (plan 3, task 2): a few courses from each of the plan's named providers, of every
kind, last year and this year (a skills competition with ranks among them), and the attendance of
about three in five care staff. Its own random generator: the rows the shared one draws are
unchanged."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from institutions.models import StaffMember, TrainingAttendance, TrainingCourse, TrainingProvider
from institutions.training import services as training_services
from institutions.training.models import NAMED_PROVIDERS

from .registry import DEMO_SUFFIX

Kind = TrainingCourse.Kind
CARE = [StaffMember.Role.CAREGIVER, StaffMember.Role.TEACHER, StaffMember.Role.HEALTH]
# (provider index, name, kind, hours, days, open to) — months are drawn.
COURSES = [
    (0, "婴幼儿发展与回应性照护", Kind.IN_SERVICE, 24, 3, CARE),
    (0, "托育机构保育人员岗前培训", Kind.PRE_SERVICE, 40, 5, [StaffMember.Role.CAREGIVER]),
    (1, "婴幼儿生活照料实操", Kind.OFFLINE_PRACTICE, 16, 2, CARE),
    (1, "婴幼儿早期学习支持（线上）", Kind.ONLINE_THEORY, 12, 30, []),
    (2, "托育机构保育技能竞赛", Kind.COMPETITION, 8, 1, [StaffMember.Role.CAREGIVER]),
    (2, "托育机构卫生保健与安全", Kind.IN_SERVICE, 16, 2, []),
    (3, "医育结合跟诊（儿保门诊）", Kind.SHADOWING, 8, 2, [StaffMember.Role.HEALTH]),
    (3, "婴幼儿营养与膳食（线上）", Kind.ONLINE_THEORY, 6, 14, CARE),
]
AWARDS = ["一等奖", "二等奖", "三等奖", "优秀奖"]


# The demo provider whose user (provider1) enters its courses' attendance.
PROVIDER_LOGIN = ("provider1", 2)


def _providers(users: dict | None) -> list[TrainingProvider]:
    providers = [TrainingProvider.objects.get_or_create(name=name)[0] for name in NAMED_PROVIDERS]
    login, index = PROVIDER_LOGIN
    if users and login in users:
        providers[index].users.add(users[login])
    return providers


def _courses(rng: random.Random, today: dt.date, providers) -> list[TrainingCourse]:
    courses = []
    for year in (today.year - 1, today.year):
        for provider, name, kind, hours, days, roles in COURSES:
            last_month = 12 if year < today.year else max(today.month - 1, 1)
            starts_on = dt.date(year, rng.randint(1, last_month), rng.randint(1, 20))
            ends_on = starts_on + dt.timedelta(days=days - 1)
            if ends_on >= today:
                continue  # only courses that are over have attendance
            courses.append(
                training_services.course_save(
                    course=TrainingCourse(
                        name=f"{year}年{name}{DEMO_SUFFIX}",
                        provider=NAMED_PROVIDERS[provider],
                        provider_org=providers[provider],
                        kind=kind,
                        starts_on=starts_on,
                        ends_on=ends_on,
                        hours=Decimal(hours),
                        open_to_roles=[str(role) for role in roles],
                    )
                )
            )
    return courses


def seed_training(rng: random.Random, users: dict | None = None) -> dict:
    today = timezone.localdate()
    courses = _courses(rng, today, _providers(users))
    care = StaffMember.objects.filter(role__in=CARE).order_by("pk")
    rows = []
    for member in care:
        if rng.random() >= 0.6:
            continue
        open_to = [
            c
            for c in courses
            if c.is_open_to(member.role)
            and member.hired_on <= c.starts_on
            and (member.left_on is None or member.left_on > c.ends_on)
        ]
        for course in rng.sample(open_to, min(len(open_to), rng.randint(1, 3))):
            full = rng.random() < 0.85
            hours = course.hours if full else (course.hours / 2).quantize(Decimal("0.5"))
            award = ""
            if course.is_competition and rng.random() < 0.3:
                award = rng.choice(AWARDS)
            rows.append(
                TrainingAttendance(
                    course=course, staff=member, hours=hours, completed=full, award=award
                )
            )
    TrainingAttendance.objects.bulk_create(rows)
    return {"courses": len(courses), "attendance": len(rows)}
