"""Department personas: a user of the education bureau (lead of task 3) and one of the civil
affairs bureau (co-responsible only for task 6)."""

from __future__ import annotations

import pytest
from django.conf import settings

from portal.roles import Role
from programme.models import Department
from tests.factories import UserFactory
from tests.vouchers.conftest import batch, child, inclusive_a  # noqa: F401 - the voucher fixtures


@pytest.fixture(autouse=True)
def _media(tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def department_user(username: str, department: str):
    user = UserFactory(username=username, role=Role.DEPARTMENT)
    Department.objects.get(name=department).users.add(user)
    return user


@pytest.fixture
def education_dept(db):
    return department_user("dept_education", "市教育局")


@pytest.fixture
def civil_dept(db):
    return department_user("dept_civil", "市民政局")
