"""What the home tests build on: a fixed day (5 June 2025, before the 10th, when May's reports
are due), the default checklists, the voucher fixtures and small builders of hand-made data."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

# The health facilities' fixtures, for the health-centre home (tests/home/test_health_home.py).
from tests.institutions.health.conftest import (  # noqa: F401
    facility_a,
    facility_b,
    health_a,
    health_b,
    linked_a,
    linked_b,
)
from tests.vouchers.conftest import batch, inclusive_a  # noqa: F401 - the voucher fixtures

CST = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2025, 6, 5)
MAY = dt.date(2025, 5, 1)
JUNE = dt.date(2025, 6, 1)


@pytest.fixture(autouse=True)
def _checklists_and_media(request, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    if "db" not in request.fixturenames and "transactional_db" not in request.fixturenames:
        return
    from inspections.checklists import ensure_default_checklists

    ensure_default_checklists()


@pytest.fixture
def today():
    """Time frozen at 10:00 on TODAY, Asia/Shanghai."""
    with time_machine.travel(dt.datetime(2025, 6, 5, 10, 0, tzinfo=CST), tick=False):
        yield TODAY


def report(institution, period: dt.date, state: str = "draft", **fields):
    from django.utils import timezone

    from institutions.models import MonthlyReport

    submitted = None
    if state != "draft":
        submitted = timezone.make_aware(dt.datetime(period.year, period.month, 28, 9, 0))
    return MonthlyReport.objects.create(
        institution=institution,
        period=period,
        state=state,
        first_submitted_at=submitted,
        submitted_at=submitted,
        **fields,
    )


def finding(institution, inspector, *, deadline: dt.date, state: str = "open"):
    """A finding of a completed patrol made on 20 May, with its deadline set to `deadline`."""
    from inspections.models import Finding
    from tests.inspections.factories import make_inspection

    inspection = make_inspection(
        institution=institution,
        inspectors=[inspector],
        inspected_on=dt.date(2025, 5, 20),
        fail=(0,),
    )
    item = inspection.findings.get()
    Finding.objects.filter(pk=item.pk).update(deadline=deadline, state=state)
    item.refresh_from_db()
    return item


@pytest.fixture
def inspector2(db):
    from portal.roles import Role
    from tests.factories import UserFactory

    return UserFactory(username="inspector2", role=Role.INSPECTOR)


@pytest.fixture
def inspector3(db):
    from portal.roles import Role
    from tests.factories import UserFactory

    return UserFactory(username="inspector3", role=Role.INSPECTOR)
