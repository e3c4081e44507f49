"""Demo registry: communities, institutions of every kind with dated histories, staff, certificates.

Shaped after ../shared/spec/demo-data.md: many kindergartens with one or two childcare classes
(15-40 places), centres with 40-100, family points with 5-10; inclusive institutions charging
1,500-2,200 yuan a month and private ones 2,500-4,500; care staff by the national ratios plus a
head, a health worker and a cook; about 90% of care staff certified, some certificates expiring.
Dates are placed relative to the pilot's start (settings.PILOT_START_DATE), never written in.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from institutions.models import (
    CHILDREN_PER_CARER,
    ApprovedPlaces,
    CareContract,
    Certificate,
    ClassType,
    Community,
    DemonstrationUnit,
    FeeStandard,
    IdlePremises,
    InclusiveRecognition,
    Institution,
    InstructorAssignment,
    PublicFeeStandard,
    StaffMember,
    StarRating,
    Township,
)
from portal.dates import add_months

from .people import NAME_WORDS, make_credit_code, make_mobile, make_person_name, make_resident_id

DEMO_SUFFIX = "（演示）"

# Relative weight of each township by code suffix: the subdistricts and the big towns hold most
# children; the three 乡 are small and rural.
TOWNSHIP_WEIGHTS = {
    "114": 10,
    "108": 7,
    "115": 6,
    "101": 5,
    "106": 4,
    "210": 0.5,
    "211": 0.5,
    "212": 0.5,
}

KIND_SHARES = [
    (Institution.Kind.KINDERGARTEN, 0.58),
    (Institution.Kind.CENTRE, 0.14),
    (Institution.Kind.COMMUNITY, 0.12),
    (Institution.Kind.FAMILY_POINT, 0.08),
    (Institution.Kind.EMPLOYER, 0.05),
    (Institution.Kind.CO_CARE_STATION, 0.03),
]
KIND_WORDS = {
    Institution.Kind.KINDERGARTEN: "幼儿园",
    Institution.Kind.CENTRE: "托育中心",
    Institution.Kind.COMMUNITY: "社区托育点",
    Institution.Kind.FAMILY_POINT: "家庭托育点",
    Institution.Kind.EMPLOYER: "职工托育园",
    Institution.Kind.CO_CARE_STATION: "共育驿站",
}
CLASS_SIZES = {
    ClassType.INFANT: 10,
    ClassType.TODDLER: 15,
    ClassType.OLDER: 20,
    ClassType.MIXED: 18,
}


def health_facility_name(township: Township) -> str:
    """The demo's township health facility: a community health service centre in a subdistrict,
    a health centre (卫生院) in a town or 乡. demo/health.py creates the records of these names."""
    kind = "社区卫生服务中心" if township.kind == Township.Kind.SUBDISTRICT else "卫生院"
    return f"乐清市{township.name}{kind}{DEMO_SUFFIX}"


@dataclass
class RegistryResult:
    institutions: list[Institution] = field(default_factory=list)
    communities: int = 0
    staff: int = 0
    certificates: int = 0


@dataclass
class _Pilot:
    """The dates every row of the registry is placed by."""

    start: dt.date  # the pilot's first day
    history_start: dt.date  # dated histories begin about a year before the pilot
    today: dt.date


@dataclass
class _Facts:
    """The dated facts of new institutions, gathered to be inserted in bulk."""

    places: list[ApprovedPlaces] = field(default_factory=list)
    fees: list[FeeStandard] = field(default_factory=list)
    stars: list[StarRating] = field(default_factory=list)
    recognitions: list[InclusiveRecognition] = field(default_factory=list)
    demonstrations: list[DemonstrationUnit] = field(default_factory=list)
    contracts: list[CareContract] = field(default_factory=list)
    assignments: list[InstructorAssignment] = field(default_factory=list)
    staff: list[StaffMember] = field(default_factory=list)


def _classes(rng: random.Random, kind: str) -> dict[str, int]:
    """Approved places by class type for a new institution of this kind."""
    if kind == Institution.Kind.KINDERGARTEN:
        # One or two childcare classes; one kindergarten in eight runs none yet.
        if rng.random() < 0.12:
            return {}
        classes = rng.choice(
            [[ClassType.OLDER], [ClassType.TODDLER, ClassType.OLDER], [ClassType.MIXED]]
        )
    elif kind == Institution.Kind.CENTRE:
        classes = [ClassType.INFANT, ClassType.TODDLER, ClassType.TODDLER, ClassType.OLDER]
        classes = classes[: rng.randint(2, 4)] + ([ClassType.OLDER] if rng.random() < 0.4 else [])
    elif kind == Institution.Kind.FAMILY_POINT:
        return {ClassType.MIXED: rng.randint(5, 10)}
    elif kind == Institution.Kind.CO_CARE_STATION:
        return {ClassType.MIXED: rng.randint(6, 12)}
    else:
        classes = rng.choice(
            [[ClassType.TODDLER, ClassType.OLDER], [ClassType.MIXED, ClassType.OLDER]]
        )
    places: dict[str, int] = {}
    for class_type in classes:
        size = CLASS_SIZES[class_type]
        places[class_type] = places.get(class_type, 0) + rng.randint(size * 2 // 3, size)
    return places


def township_pool() -> tuple[list[Township], list[float]]:
    townships = list(Township.objects.all())
    weights = [
        TOWNSHIP_WEIGHTS.get(t.code[-3:], 2.0 if t.kind == Township.Kind.SUBDISTRICT else 1.5)
        for t in townships
    ]
    return townships, weights


def _communities(rng: random.Random, townships: list[Township], start: dt.date) -> list[Community]:
    rows = []
    for township in townships:
        for number in range(1, (3 if township.kind == Township.Kind.TOWNSHIP else 6) + 1):
            is_new = number > 3 or (township.kind == Township.Kind.SUBDISTRICT and number == 3)
            residents = rng.randint(1500, 12000)
            planned = math.ceil(residents / 100) if is_new else 0
            rows.append(
                Community(
                    township=township,
                    name=f"{rng.choice(NAME_WORDS)}{number}号社区{DEMO_SUFFIX}",
                    residents=residents,
                    is_new=is_new,
                    delivered_on=start + dt.timedelta(days=rng.randint(0, 300)) if is_new else None,
                    planned_places=planned,
                    # Most new communities built their places; some fell short (K10 not met).
                    delivered_places=planned if rng.random() < 0.75 else planned // 2,
                )
            )
    return Community.objects.bulk_create(rows, ignore_conflicts=False)


# The plan sets no amounts for the public fee standard (task 6.1): these are the demo's own,
# labelled as such on every row, so nobody takes them for the city's.
DEMO_PUBLIC_FEES = {"infant": 2200, "toddler": 2000, "older": 1800, "mixed": 2000}


def demo_public_fee_standards(start: dt.date) -> list[PublicFeeStandard]:
    """公办 ceilings by class type from the pilot's start, half-day at 60%."""
    return [
        PublicFeeStandard(
            ownership=Institution.Ownership.PUBLIC,
            class_type=class_type,
            effective_from=start,
            monthly_full_day=fee,
            monthly_half_day=fee * 6 // 10,
            document="演示数据（非正式标准）",
            note="演示数据：方案未规定收费标准金额，此为演示用数值。",
        )
        for class_type, fee in DEMO_PUBLIC_FEES.items()
    ]


# Demo premises: the owners are the kinds of state-owned enterprises that hold such property.
DEMO_PREMISES_OWNERS = ("乐清市国有资本运营集团", "乐清市城市建设投资集团", "乐清市交通投资集团")


def demo_premises(
    townships: list[Township], institutions: list[Institution], pilot: _Pilot
) -> list[IdlePremises]:
    """Eight premises: five on offer, two matched (one in use) with a relief period, one
    withdrawn. A random stream of their own, so the rest of the demo is unchanged."""
    rng = random.Random(2025)
    offered = [institution for institution in institutions if institution.closed_on is None]
    rows = []
    for number in range(8):
        township = rng.choice(townships)
        offered_on = pilot.start + dt.timedelta(days=rng.randint(0, 120))
        state = ["offered"] * 5 + ["matched", "in_use", "withdrawn"]
        premises = IdlePremises(
            name=f"{township.name}{rng.choice(NAME_WORDS)}路闲置用房{number + 1}号楼一层{DEMO_SUFFIX}",
            owner=DEMO_PREMISES_OWNERS[number % len(DEMO_PREMISES_OWNERS)],
            township=township,
            address=f"乐清市{township.name}{rng.choice(NAME_WORDS)}路{rng.randint(1, 300)}号",
            floor_area=Decimal(rng.randrange(300, 1200, 10)),
            contact_phone=f"0577-6{rng.randint(1000000, 9999999)}",
            offered_on=offered_on,
            state=state[number],
            rent_relief="前三年免租，后两年租金减半" if number % 2 == 0 else "",
        )
        if premises.state in IdlePremises.WITH_INSTITUTION and offered:
            premises.institution = rng.choice(offered)
            premises.matched_on = offered_on + dt.timedelta(days=30)
            premises.rent_relief = "前三年免租"
            premises.relief_from = premises.matched_on
            premises.relief_to = add_months(premises.matched_on, 36) - dt.timedelta(days=1)
        elif premises.state in IdlePremises.WITH_INSTITUTION:
            premises.state = IdlePremises.State.OFFERED
        rows.append(premises)
    return rows


def seed_registry(
    rng: random.Random, *, count: int, operators: dict[str, object], instructors: list
) -> RegistryResult:
    start = settings.PILOT_START_DATE
    pilot = _Pilot(start=start, history_start=add_months(start, -13), today=timezone.localdate())
    townships, weights = township_pool()
    result = RegistryResult()
    communities = _communities(rng, townships, start) if not Community.objects.exists() else []
    result.communities = len(communities)
    plans = _institution_plans(rng, count, townships, weights, pilot)
    institutions = Institution.objects.bulk_create([i for i, _ in plans], batch_size=2000)
    for institution, (_, operator) in zip(institutions, plans, strict=True):
        if operator:
            institution.operators.add(operators[operator])
    result.institutions = institutions

    facts = _Facts()
    for institution in institutions:
        _add_facts(rng, facts, institution, pilot, instructors)
    ApprovedPlaces.objects.bulk_create(facts.places, batch_size=5000)
    FeeStandard.objects.bulk_create(facts.fees, batch_size=5000)
    StarRating.objects.bulk_create(facts.stars, batch_size=5000)
    InclusiveRecognition.objects.bulk_create(facts.recognitions, batch_size=5000)
    DemonstrationUnit.objects.bulk_create(facts.demonstrations, batch_size=5000)
    CareContract.objects.bulk_create(facts.contracts, batch_size=5000)
    InstructorAssignment.objects.bulk_create(facts.assignments, batch_size=5000)
    if not PublicFeeStandard.objects.exists():
        PublicFeeStandard.objects.bulk_create(demo_public_fee_standards(start))
    if not IdlePremises.objects.exists():
        IdlePremises.objects.bulk_create(demo_premises(townships, institutions, pilot))
    staff = StaffMember.objects.bulk_create(facts.staff, batch_size=2000)
    certificates = _certificates_for(rng, staff, pilot.today)
    Certificate.objects.bulk_create(certificates, batch_size=5000)
    result.staff, result.certificates = len(staff), len(certificates)
    return result


def _institution_plans(
    rng: random.Random, count: int, townships: list[Township], weights: list[float], pilot: _Pilot
) -> list[tuple[Institution, str | None]]:
    """The demo institutions still missing up to `count` (not saved yet), each with the demo
    operator who runs it, if any."""
    communities_by_township: dict[int, list[Community]] = {}
    for community in Community.objects.all():
        communities_by_township.setdefault(community.township_id, []).append(community)
    kinds = [kind for kind, _ in KIND_SHARES]
    kind_weights = [share for _, share in KIND_SHARES]
    existing = Institution.objects.filter(name__endswith=DEMO_SUFFIX).count()
    by_code = {t.code[-3:]: t for t in townships}
    fixed = [  # the two demo operators' institutions, always first
        ("城东阳光幼儿园", Institution.Kind.KINDERGARTEN, by_code["001"], "operator1"),
        ("柳市春芽托育中心", Institution.Kind.CENTRE, by_code["114"], "operator2"),
    ]
    plans = []
    for number in range(existing, count):
        if number < len(fixed):
            base, kind, township, operator = fixed[number]
        else:
            township = rng.choices(townships, weights)[0]
            kind = rng.choices(kinds, kind_weights)[0]
            short = township.name[:-1] if len(township.name) > 2 else township.name
            base = f"{short}{rng.choice(NAME_WORDS)}{KIND_WORDS[kind]}{number + 1:04d}"
            operator = None
        institution = _institution(
            rng,
            number,
            name=f"{base}{DEMO_SUFFIX}",
            kind=kind,
            township=township,
            communities=(
                communities_by_township.get(township.pk, [])
                if kind == Institution.Kind.COMMUNITY
                else []
            ),
            fixed=number < len(fixed),
            pilot=pilot,
        )
        plans.append((institution, operator))
    return plans


def _institution(
    rng: random.Random,
    number: int,
    *,
    name: str,
    kind: str,
    township: Township,
    communities: list[Community],
    fixed: bool,
    pilot: _Pilot,
) -> Institution:
    """One demo institution; `fixed` ones (the demo operators') are filed before the pilot and
    never closed."""
    ownership = (
        rng.choices(list(Institution.Ownership), [0.6, 0.35, 0.05])[0]
        if kind == Institution.Kind.KINDERGARTEN
        else rng.choices(list(Institution.Ownership), [0.15, 0.7, 0.15])[0]
    )
    history_start, start, today = pilot.history_start, pilot.start, pilot.today
    # A quarter open during the pilot, so the indicators move month by month.
    if fixed or rng.random() < 0.75:
        filed_on = history_start - dt.timedelta(days=rng.randint(0, 1500))
    else:
        filed_on = start + dt.timedelta(days=rng.randint(0, max(1, (today - start).days)))
    closed_on = None
    if not fixed and rng.random() < 0.03:
        closed_on = filed_on + dt.timedelta(days=rng.randint(200, 700))
        closed_on = closed_on if closed_on <= today else None
    community = rng.choice(communities) if communities else None
    # Built in this order so the random stream (and every later demo value) stays as it was.
    fields = dict(
        name=name,
        credit_code=make_credit_code(rng),
        kind=kind,
        ownership=ownership,
        township=township,
        community=community,
        address=f"乐清市{township.name}{rng.choice(NAME_WORDS)}路{rng.randint(1, 300)}号",
        latitude=Decimal("28.1") + Decimal(rng.randint(0, 300000)) / 1000000,
        longitude=Decimal("120.9") + Decimal(rng.randint(0, 300000)) / 1000000,
        contact_phone=make_mobile(rng),
        filing_number=f"乐卫托备{filed_on:%Y}{number + 1:05d}",
        filed_on=filed_on,
        closed_on=closed_on,
        special_needs_care=rng.random() < 0.1,
    )
    demonstration = rng.random() < 0.05  # recognised as a demonstration unit (_add_facts)
    fields.update(
        is_inclusive_kindergarten=kind == Institution.Kind.KINDERGARTEN and rng.random() < 0.8,
        panic_alarm_installed_on=(
            max(filed_on, history_start) + dt.timedelta(days=rng.randint(0, 600))
            if rng.random() < 0.9
            else None
        ),
    )
    institution = Institution(**fields)
    institution.demo_demonstration = demonstration
    return institution


def _add_facts(
    rng: random.Random, facts: _Facts, institution: Institution, pilot: _Pilot, instructors: list
) -> None:
    """An institution's places, inclusive recognition, fees, stars, care contract, instructor
    and staff, dated from when it was filed (or the start of the histories)."""
    first_day = max(institution.filed_on, pilot.history_start)
    classes = _classes(rng, institution.kind)
    expanded = _add_places(rng, facts, institution, classes, first_day, pilot.start)
    _add_fees(rng, facts, institution, classes, first_day, pilot.start)
    if rng.random() < 0.7:
        facts.stars.append(
            StarRating(
                institution=institution,
                effective_from=max(first_day, add_months(pilot.history_start, 6)),
                stars=rng.choices([1, 2, 3, 4, 5], [1, 3, 4, 2, 1])[0],
            )
        )
    # A city-level recognition a quarter into the pilot (or from filing); no random draw, so the
    # demo's other values stay as they were before recognitions were dated.
    awarded = max(first_day, add_months(pilot.start, 3))
    if getattr(institution, "demo_demonstration", False) and awarded <= pilot.today:
        facts.demonstrations.append(
            DemonstrationUnit(
                institution=institution,
                level=DemonstrationUnit.Level.CITY,
                title="普惠托育示范机构",
                awarded_by="乐清市卫生健康局",
                document_number=f"乐卫〔{awarded:%Y}〕{100 + institution.pk % 300}号",
                valid_from=awarded,
                valid_to=None,
            )
        )
    if rng.random() < 0.85:
        facts.contracts.append(
            CareContract(
                institution=institution,
                valid_from=first_day + dt.timedelta(days=rng.randint(0, 200)),
                valid_to=None,
                health_facility=health_facility_name(institution.township),
            )
        )
    if instructors:
        facts.assignments.append(
            InstructorAssignment(
                institution=institution,
                effective_from=first_day,
                instructor=rng.choice(instructors),
            )
        )
    facts.staff += _staff_for(rng, institution, expanded or classes, first_day, pilot.today)


def _add_places(
    rng: random.Random,
    facts: _Facts,
    institution: Institution,
    classes: dict[str, int],
    first_day: dt.date,
    start: dt.date,
) -> dict[str, int]:
    """Approved places from the first day, and for some an expansion during the pilot; returns
    the places after it."""
    if institution.kind == Institution.Kind.KINDERGARTEN or classes:
        facts.places.append(
            ApprovedPlaces(institution=institution, effective_from=first_day, **classes)
        )
    expanded = dict(classes)
    if classes and rng.random() < 0.3:  # expansion during the pilot
        class_type = rng.choice(list(classes))
        expanded[class_type] += CLASS_SIZES[class_type] // 2
        when = start + dt.timedelta(days=rng.randint(30, 330))
        if when > first_day:
            facts.places.append(
                ApprovedPlaces(institution=institution, effective_from=when, **expanded)
            )
    return expanded


def _add_fees(
    rng: random.Random,
    facts: _Facts,
    institution: Institution,
    classes: dict[str, int],
    first_day: dt.date,
    start: dt.date,
) -> None:
    """Inclusive institutions (recognised, 1,500-2,200 yuan) or private ones (2,500-4,500), and
    for a quarter a yearly fee review."""
    inclusive = (
        institution.ownership == Institution.Ownership.PUBLIC
        or institution.is_inclusive_kindergarten
        or rng.random() < 0.75
    )
    if inclusive and classes:
        recognized = (
            first_day if rng.random() < 0.7 else start + dt.timedelta(days=rng.randint(0, 300))
        )
        facts.recognitions.append(
            InclusiveRecognition(
                institution=institution,
                valid_from=max(recognized, first_day),
                valid_to=None,
                document_number=f"乐卫普惠〔{recognized:%Y}〕{rng.randint(1, 400)}号",
            )
        )
        fee = rng.randrange(1500, 2201, 50)
    else:
        fee = rng.randrange(2500, 4501, 100)
    facts.fees.append(
        FeeStandard(
            institution=institution,
            effective_from=first_day,
            monthly_full_day=fee,
            monthly_half_day=fee * 6 // 10 if rng.random() < 0.4 else None,
        )
    )
    review_day = add_months(start, 7)
    if rng.random() < 0.25 and review_day > first_day:  # a yearly fee review
        facts.fees.append(
            FeeStandard(
                institution=institution,
                effective_from=review_day,
                monthly_full_day=fee + 100,
                monthly_half_day=None,
            )
        )


def _staff_for(
    rng: random.Random, institution: Institution, classes: dict[str, int], first_day, today
) -> list[StaffMember]:
    roles = [StaffMember.Role.HEAD]
    for class_type, places in classes.items():
        roles += [StaffMember.Role.CAREGIVER] * math.ceil(places / CHILDREN_PER_CARER[class_type])
    if sum(classes.values()) >= 20:
        roles += [StaffMember.Role.TEACHER, StaffMember.Role.HEALTH, StaffMember.Role.COOK]
    if sum(classes.values()) >= 60:
        roles.append(StaffMember.Role.GUARD)
    members = []
    for role in roles:
        born = dt.date(1970, 1, 1) + dt.timedelta(days=rng.randint(0, 11000))
        hired_on = first_day + dt.timedelta(days=rng.randint(0, 120))
        left_on = None
        if rng.random() < 0.08:  # turnover
            left_on = hired_on + dt.timedelta(days=rng.randint(90, 600))
            left_on = left_on if left_on <= today else None
        name = make_person_name(rng)
        id_number = make_resident_id(rng, born=born)
        # The retired undated training hours were drawn here; drawn still, so that the rest of the
        # demo's random stream stays as it was (training comes from demo/training.py).
        rng.choice([0, 8, 16, 24, 32, 40])
        members.append(
            StaffMember(
                institution=institution,
                name=name,
                id_number=id_number,
                role=role,
                hired_on=hired_on,
                left_on=left_on,
            )
        )
    return members


def _certificates_for(
    rng: random.Random, staff: list[StaffMember], today: dt.date
) -> list[Certificate]:
    qualifying = sorted(Certificate.QUALIFYING)
    rows = []
    for member in staff:
        if member.role in StaffMember.CARE_ROLES:
            roll = rng.random()
            if roll < 0.08:
                continue  # no qualifying certificate
            kind = (
                Certificate.Kind.KINDERGARTEN_TEACHER
                if member.role == StaffMember.Role.TEACHER
                else rng.choice(qualifying)
            )
            issued = member.hired_on - dt.timedelta(days=rng.randint(30, 2000))
            if roll < 0.12:
                expires = today - dt.timedelta(days=rng.randint(1, 200))  # expired
                issued = min(issued, expires - dt.timedelta(days=3 * 365))
            elif roll < 0.18:
                expires = today + dt.timedelta(days=rng.randint(1, 60))  # expiring soon
            else:
                expires = issued + dt.timedelta(days=365 * rng.randint(3, 6))
                expires = max(expires, today + dt.timedelta(days=61))
            rows.append(
                Certificate(
                    staff=member,
                    kind=kind,
                    number=f"{rng.randint(10**11, 10**12 - 1)}",
                    issued_on=issued,
                    expires_on=expires,
                )
            )
        if member.role in (StaffMember.Role.COOK, *StaffMember.CARE_ROLES):
            rows.append(
                Certificate(
                    staff=member,
                    kind=Certificate.Kind.HEALTH_CERTIFICATE,
                    number=f"JK{rng.randint(10**7, 10**8 - 1)}",
                    issued_on=today - dt.timedelta(days=rng.randint(30, 300)),
                    expires_on=today + dt.timedelta(days=rng.randint(30, 330)),
                )
            )
    return rows
