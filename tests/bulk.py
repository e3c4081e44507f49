"""Bulk-created registries for query-count tests (1,000 institutions in about a second)."""

import datetime as dt
import random

from institutions.models import (
    ApprovedPlaces,
    CareContract,
    Certificate,
    FeeStandard,
    InclusiveRecognition,
    Institution,
    StaffMember,
    StarRating,
    Township,
)
from lequing_tuoyu.demo import make_credit_code, make_resident_id


def make_registry(count: int, *, seed: int = 1) -> list[Institution]:
    """`count` filed institutions spread over the townships, each with two dated place records,
    a fee standard, a star rating, an inclusive recognition (every other one), a care contract,
    and two staff members with one certificate each."""
    rng = random.Random(seed)
    townships = list(Township.objects.all())
    institutions = Institution.objects.bulk_create(
        Institution(
            name=f"批量机构{number:05d}",
            credit_code=make_credit_code(rng),
            kind=rng.choice(Institution.Kind.values),
            ownership=rng.choice(Institution.Ownership.values),
            township=townships[number % len(townships)],
            address=f"乐清市测试路{number}号",
            contact_phone=f"1380000{number:04d}",
            filed_on=dt.date(2024, 1, 1),
            panic_alarm_installed_on=dt.date(2024, 6, 1) if number % 3 else None,
        )
        for number in range(count)
    )
    places, fees, stars, recognitions, contracts, staff = [], [], [], [], [], []
    for number, institution in enumerate(institutions):
        places += [
            ApprovedPlaces(institution=institution, effective_from=dt.date(2024, 1, 1), toddler=10),
            ApprovedPlaces(
                institution=institution, effective_from=dt.date(2025, 1, 1), toddler=15, older=20
            ),
        ]
        fees.append(
            FeeStandard(
                institution=institution, effective_from=dt.date(2024, 1, 1), monthly_full_day=1800
            )
        )
        stars.append(
            StarRating(institution=institution, effective_from=dt.date(2024, 6, 1), stars=3)
        )
        if number % 2 == 0:
            recognitions.append(
                InclusiveRecognition(institution=institution, valid_from=dt.date(2024, 1, 1))
            )
        contracts.append(
            CareContract(
                institution=institution,
                valid_from=dt.date(2024, 1, 1),
                health_facility="社区卫生服务中心",
            )
        )
        for role in (StaffMember.Role.CAREGIVER, StaffMember.Role.TEACHER):
            staff.append(
                StaffMember(
                    institution=institution,
                    name=f"员工{number}{role}",
                    id_number=make_resident_id(rng, born=dt.date(1990, 1, 1)),
                    role=role,
                    hired_on=dt.date(2024, 1, 1),
                )
            )
    ApprovedPlaces.objects.bulk_create(places)
    FeeStandard.objects.bulk_create(fees)
    StarRating.objects.bulk_create(stars)
    InclusiveRecognition.objects.bulk_create(recognitions)
    CareContract.objects.bulk_create(contracts)
    staff = StaffMember.objects.bulk_create(staff)
    Certificate.objects.bulk_create(
        Certificate(
            staff=member, kind=Certificate.Kind.CHILDCARE_WORKER, issued_on=dt.date(2023, 1, 1)
        )
        for member in staff
    )
    return institutions
