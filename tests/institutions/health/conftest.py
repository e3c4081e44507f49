"""Two health facilities, each with a user and an institution linked by a "1+1" contract valid
today: A (柳市镇) and B (北白象镇)."""

import pytest

from portal.roles import Role
from tests.factories import (
    CareContractFactory,
    HealthFacilityFactory,
    InstitutionFactory,
    UserFactory,
    township,
)


@pytest.fixture
def facility_a(db):
    return HealthFacilityFactory(name="乐清市柳市镇社区卫生服务中心", township=township("114"))


@pytest.fixture
def facility_b(db):
    return HealthFacilityFactory(
        name="乐清市北白象镇中心卫生院",
        kind="township_hospital",
        township=township("115"),
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


@pytest.fixture
def linked_a(db, facility_a):
    """An institution under a contract with facility A valid today."""
    institution = InstitutionFactory(name="柳市甲托育园")
    CareContractFactory(
        institution=institution,
        valid_to=None,
        facility=facility_a,
        health_facility=facility_a.name,
    )
    return institution


@pytest.fixture
def linked_b(db, facility_b):
    institution = InstitutionFactory(name="北白象乙托育园", township=township("115"))
    CareContractFactory(
        institution=institution,
        valid_to=None,
        facility=facility_b,
        health_facility=facility_b.name,
    )
    return institution
