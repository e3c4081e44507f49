"""Deterministic demo data for Yueqing (../shared/spec/demo-data.md).

`seed_demo` calls `seed(scale=..., seed=...)`; the benchmark suite reuses the generator. The same
seed on the same day gives the same rows (a few dates, such as certificates about to expire, are
placed relative to today so the demo always has something to show). Demo names end in "（演示）".
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from institutions.models import Township
from institutions.reference import load_townships
from portal.roles import ADMIN_ROLES, Role, sync_roles

from .health import seed_health
from .inclusive import seed_inclusive
from .inspections import seed_inspections
from .lecturers import seed_lecturers
from .metrics import CITY_INSTITUTIONS, compute_indicators, seed_population
from .people import DEMO_PASSWORD, make_credit_code, make_mobile, make_person_name, make_resident_id
from .programme import seed_programme
from .public import seed_public
from .ratings import seed_ratings
from .registry import DEMO_SUFFIX, seed_registry
from .reports import seed_parenting_sessions, seed_reports
from .subsidies import seed_subsidies
from .training import seed_training
from .vouchers import seed_vouchers

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_SUFFIX",
    "DEMO_USERS",
    "SCALES",
    "SeedResult",
    "make_credit_code",
    "make_mobile",
    "make_person_name",
    "make_resident_id",
    "seed",
]

# login, role, display name
DEMO_USERS: list[tuple[str, Role, str]] = [
    ("bureau", Role.BUREAU_ADMIN, "卫健局 管理员"),
    ("education", Role.EDUCATION, "教育局 工作人员"),
    # A person's name: institutions see it as their assigned instructor, not the role's name.
    ("inspector", Role.INSPECTOR, "林海燕"),
    ("auditor", Role.AUDITOR, "审计 人员"),
    ("operator1", Role.OPERATOR, "机构经办人 一"),
    ("operator2", Role.OPERATOR, "机构经办人 二"),
    # Users of three of the pilot task force's departments (demo/programme.py links them).
    ("dept_education", Role.DEPARTMENT, "市教育局 专班联络员"),
    ("dept_development", Role.DEPARTMENT, "市发改局 专班联络员"),
    ("dept_civil", Role.DEPARTMENT, "市民政局 专班联络员"),
    # A user of 柳市镇's health centre (demo/health.py links it to the facility).
    ("health1", Role.HEALTH_CENTRE, "柳市镇卫生院 儿保医生"),
    # A user of 乐清市婴幼儿照护服务指导中心, a training provider (demo/training.py links it).
    ("provider1", Role.TRAINING_PROVIDER, "乐清市婴幼儿照护服务指导中心 培训专员"),
]

SCALES = {"demo": 40, "city": CITY_INSTITUTIONS, "province": 10_000}


@dataclass
class SeedResult:
    users: int
    institutions: int
    staff: int
    communities: int = 0
    certificates: int = 0
    reports: int = 0
    inspections: int = 0
    vouchers: dict | None = None
    indicator_months: int = 0
    parenting_sessions: int = 0
    public: dict | None = None
    progress_updates: int = 0
    health: dict | None = None
    subsidy_lines: int = 0
    training: dict | None = None
    ratings: dict | None = None
    lecturers: dict | None = None


def _ensure_users() -> dict[str, object]:
    sync_roles()
    User = get_user_model()
    users = {}
    for username, role, display in DEMO_USERS:
        user, created = User.objects.get_or_create(username=username)
        user.first_name = display
        user.is_staff = role in ADMIN_ROLES
        if created:
            user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.set([Group.objects.get(name=role.group_name)])
        users[username] = user
    return users


@transaction.atomic
def seed(*, scale: str = "demo", seed: int = 2025, with_indicators: bool = True) -> SeedResult:
    """Load the demo; `with_indicators=False` skips computing every month (tests of the data)."""
    rng = random.Random(seed)
    load_townships(Township)
    users = _ensure_users()
    registry = seed_registry(
        rng, count=SCALES[scale], operators=users, instructors=[users["inspector"]]
    )
    reports = seed_reports(rng, institutions=registry.institutions, reviewer=users["bureau"])
    sessions = (
        seed_parenting_sessions(rng, institutions=registry.institutions)
        if registry.institutions
        else 0
    )
    inspections = seed_inspections(rng, institutions=registry.institutions, users=users)
    voucher_logins = seed_vouchers(rng, institutions=registry.institutions, users=users)
    # Its own generator, so adding it changed none of the rows the shared one draws after it.
    public = seed_public(random.Random(seed + 1), institutions=registry.institutions, users=users)
    seed_population(rng, institutions=len(registry.institutions))
    progress = seed_programme(users=users)
    subsidy_lines = seed_subsidies(users=users)
    # Its own generator, like the public records': the rows above are unchanged by it.
    health = seed_health(random.Random(seed + 2), users=users) if registry.institutions else None
    training = (
        seed_training(random.Random(seed + 3), users=users) if registry.institutions else None
    )
    # Inclusive-care support cases (issue 19), after the facilities; its own generator.
    if registry.institutions:
        seed_inclusive(random.Random(seed + 4), users=users)
    # Its own generator (the lecturer team, plan 7.4), after the health facilities' sessions.
    lecturers = seed_lecturers(random.Random(seed + 5)) if registry.institutions else None
    # Its own generator too (star ratings, issue 20).
    ratings = (
        seed_ratings(random.Random(seed + 3), institutions=registry.institutions, users=users)
        if registry.institutions
        else None
    )
    months = compute_indicators() if with_indicators else 0
    return SeedResult(
        inspections=inspections,
        indicator_months=months,
        vouchers=voucher_logins,
        users=len(users),
        institutions=len(registry.institutions),
        staff=registry.staff,
        communities=registry.communities,
        certificates=registry.certificates,
        reports=reports,
        parenting_sessions=sessions,
        public=public,
        progress_updates=progress,
        health=health,
        subsidy_lines=subsidy_lines,
        training=training,
        ratings=ratings,
        lecturers=lecturers,
    )
