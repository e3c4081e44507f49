"""Support cases at institution A supported by facility A; facility B supports none of them."""

import datetime as dt

import pytest

from institutions.inclusive.models import SupportCase
from portal.roles import Role
from tests.factories import HealthFacilityFactory, UserFactory, township

CHILD_NAMES = ("张小明", "李小红", "王小刚")
CHILD_ID = "330382202301010011"


@pytest.fixture
def facility_a(db):
    return HealthFacilityFactory(name="乐清市柳市镇社区卫生服务中心", township=township("114"))


@pytest.fixture
def facility_b(db):
    return HealthFacilityFactory(
        name="乐清市北白象镇中心卫生院", kind="township_hospital", township=township("115")
    )


@pytest.fixture
def health_a(db, facility_a):
    user = UserFactory(username="health_a", role=Role.HEALTH_CENTRE)
    facility_a.users.add(user)
    return user


@pytest.fixture
def health_b(db, facility_b):
    user = UserFactory(username="health_b", role=Role.HEALTH_CENTRE)
    facility_b.users.add(user)
    return user


def make_case(institution, facility, *, name="张小明", opened_on=dt.date(2025, 3, 1), **extra):
    return SupportCase.objects.create(
        institution=institution,
        facility=facility,
        child_name=name,
        child_birth_date=dt.date(2023, 1, 1),
        need=SupportCase.Need.DEVELOPMENTAL_DELAY,
        plan="每周两次个别化训练",
        opened_on=opened_on,
        **extra,
    )


@pytest.fixture
def case_a(db, institution_a, facility_a):
    return make_case(institution_a, facility_a, child_id_number=CHILD_ID)


@pytest.fixture
def three_cases(db, institution_a, facility_a):
    return [make_case(institution_a, facility_a, name=name) for name in CHILD_NAMES]
