"""Two training providers, each with a user and a course: A (乐清市婴幼儿照护服务指导中心) and B
(温州大学)."""

import datetime as dt
from decimal import Decimal

import pytest

from institutions.models import TrainingCourse, TrainingProvider
from portal.roles import Role
from tests.factories import StaffMemberFactory, UserFactory


@pytest.fixture
def provider_a(db):
    return TrainingProvider.objects.create(name="乐清市婴幼儿照护服务指导中心")


@pytest.fixture
def provider_b(db):
    return TrainingProvider.objects.create(name="温州大学")


@pytest.fixture
def provider_user_a(db, provider_a):
    user = UserFactory(username="provider_a", role=Role.TRAINING_PROVIDER)
    provider_a.users.add(user)
    return user


@pytest.fixture
def provider_user_b(db, provider_b):
    user = UserFactory(username="provider_b", role=Role.TRAINING_PROVIDER)
    provider_b.users.add(user)
    return user


def course_of(provider, **values) -> TrainingCourse:
    fields = {
        "name": f"{provider.name}的课程",
        "provider": provider.name,
        "provider_org": provider,
        "kind": "in_service",
        "starts_on": dt.date(2026, 3, 2),
        "ends_on": dt.date(2026, 3, 3),
        "hours": Decimal("8"),
    } | values
    return TrainingCourse.objects.create(**fields)


@pytest.fixture
def course_a(provider_a):
    return course_of(provider_a)


@pytest.fixture
def course_b(provider_b):
    return course_of(provider_b, name="温州大学的课程")


@pytest.fixture
def staff_a(institution_a):
    return StaffMemberFactory(institution=institution_a, name="陈保育")
