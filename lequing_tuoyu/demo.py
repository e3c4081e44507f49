"""Deterministic demo data for Yueqing (../shared/spec/demo-data.md).

`seed_demo` calls `seed(scale=..., seed=...)`; the benchmark suite reuses the generator. The same
seed always gives the same rows. Every demo institution's name ends in "（演示）" so demo data is
never mistaken for real data.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from institutions.models import Institution, StaffMember, Township
from institutions.reference import load_townships

from .roles import ADMIN_ROLES, Role, sync_roles
from .validators import credit_code_check_char, resident_id_check_char

DEMO_PASSWORD = "lequing2025"  # noqa: S105 - the published demo password
DEMO_SUFFIX = "（演示）"

# login, role, display name
DEMO_USERS: list[tuple[str, Role, str]] = [
    ("bureau", Role.BUREAU_ADMIN, "卫健局 管理员"),
    ("education", Role.EDUCATION, "教育局 工作人员"),
    ("inspector", Role.INSPECTOR, "健康指导员"),
    ("auditor", Role.AUDITOR, "审计 人员"),
    ("operator1", Role.OPERATOR, "机构经办人 一"),
    ("operator2", Role.OPERATOR, "机构经办人 二"),
]

SCALES = {"demo": 40, "city": 350, "province": 10_000}

# Relative size of each township by its code suffix: the subdistricts and the big towns hold most
# children; the three 乡 are small and rural (demo-data.md).
_WEIGHTS = {"114": 10, "108": 7, "115": 6, "101": 5, "106": 4, "210": 0.5, "211": 0.5, "212": 0.5}
_KIND_SHARES = [
    (Institution.Kind.KINDERGARTEN, 0.55),
    (Institution.Kind.CENTRE, 0.2),
    (Institution.Kind.COMMUNITY, 0.1),
    (Institution.Kind.FAMILY_POINT, 0.08),
    (Institution.Kind.EMPLOYER, 0.04),
    (Institution.Kind.CO_CARE_STATION, 0.03),
]
_KIND_WORDS = {
    Institution.Kind.KINDERGARTEN: "幼儿园",
    Institution.Kind.CENTRE: "托育中心",
    Institution.Kind.COMMUNITY: "社区托育点",
    Institution.Kind.FAMILY_POINT: "家庭托育点",
    Institution.Kind.EMPLOYER: "职工托育园",
    Institution.Kind.CO_CARE_STATION: "共育驿站",
}
_NAME_WORDS = [
    "阳光",
    "春芽",
    "小树苗",
    "彩虹",
    "向日葵",
    "蓝天",
    "启明",
    "童心",
    "蒲公英",
    "金色",
    "星星",
    "贝贝",
    "乐乐",
    "雁山",
    "瓯江",
    "海韵",
]
_SURNAMES = [
    "陈",
    "林",
    "黄",
    "王",
    "张",
    "李",
    "郑",
    "周",
    "吴",
    "徐",
    "叶",
    "潘",
    "朱",
    "赵",
    "刘",
    "胡",
    "施",
    "卢",
    "金",
    "杨",
]
_GIVEN = [
    "静",
    "丽",
    "芳",
    "敏",
    "燕",
    "婷",
    "霞",
    "萍",
    "红",
    "洁",
    "雪",
    "玲",
    "慧",
    "佳",
    "怡",
    "晨",
    "悦",
    "欣",
    "颖",
    "琳",
]


def make_resident_id(rng: random.Random, *, born: dt.date, region: str = "330382") -> str:
    first17 = f"{region}{born:%Y%m%d}{rng.randint(0, 999):03d}"
    return first17 + resident_id_check_char(first17)


def make_credit_code(rng: random.Random) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "52330382" + "".join(rng.choice(alphabet) for _ in range(9))
    return body + credit_code_check_char(body)


def make_mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randint(0, 999_999_999):09d}"


def make_person_name(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + rng.choice(_GIVEN) + rng.choice(["", *_GIVEN])


@dataclass
class SeedResult:
    users: int
    institutions: int
    staff: int


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


def _township_pool(rng: random.Random) -> list[Township]:
    townships = list(Township.objects.all())
    weights = [
        _WEIGHTS.get(t.code[-3:], 2.0 if t.kind == "subdistrict" else 1.5) for t in townships
    ]
    return townships, weights


@transaction.atomic
def seed(*, scale: str = "demo", seed: int = 2025) -> SeedResult:
    rng = random.Random(seed)
    load_townships(Township)
    users = _ensure_users()
    townships, weights = _township_pool(rng)
    kinds = [kind for kind, _ in _KIND_SHARES]
    kind_weights = [share for _, share in _KIND_SHARES]

    existing = Institution.objects.filter(name__endswith=DEMO_SUFFIX).count()
    new_institutions = []
    for number in range(existing, SCALES[scale]):
        township = rng.choices(townships, weights)[0]
        kind = rng.choices(kinds, kind_weights)[0]
        filed_on = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randint(0, 900))
        new_institutions.append(
            Institution(
                name=f"{township.name[:-1] if len(township.name) > 2 else township.name}"
                f"{rng.choice(_NAME_WORDS)}{_KIND_WORDS[kind]}{number + 1:04d}{DEMO_SUFFIX}",
                credit_code=make_credit_code(rng),
                kind=kind,
                ownership=rng.choices(list(Institution.Ownership), [0.35, 0.55, 0.10])[0],
                township=township,
                address=f"乐清市{township.name}{rng.randint(1, 300)}号",
                contact_phone=make_mobile(rng),
                filing_number=f"乐卫托备{filed_on:%Y}{number + 1:05d}",
                filed_on=filed_on,
            )
        )
    Institution.objects.bulk_create(new_institutions, batch_size=2000)

    first_two = list(Institution.objects.filter(name__endswith=DEMO_SUFFIX).order_by("pk")[:2])
    for operator, institution in zip(("operator1", "operator2"), first_two, strict=False):
        institution.operators.add(users[operator])

    staff = []
    for institution in new_institutions:
        for role in (StaffMember.Role.HEAD, StaffMember.Role.CAREGIVER, StaffMember.Role.TEACHER):
            born = dt.date(1975, 1, 1) + dt.timedelta(days=rng.randint(0, 9000))
            staff.append(
                StaffMember(
                    institution=institution,
                    name=make_person_name(rng),
                    id_number=make_resident_id(rng, born=born),
                    role=role,
                    hired_on=institution.filed_on,
                )
            )
    StaffMember.objects.bulk_create(staff, batch_size=2000)
    return SeedResult(users=len(users), institutions=len(new_institutions), staff=len(staff))
