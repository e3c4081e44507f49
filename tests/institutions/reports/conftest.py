import datetime as dt

import pytest
import time_machine

from institutions.models import MonthlyReport
from tests.factories import (
    ApprovedPlacesFactory,
    CertificateFactory,
    FeeStandardFactory,
    InclusiveRecognitionFactory,
    StaffMemberFactory,
)

MARCH = dt.date(2025, 3, 1)


@pytest.fixture
def registered(institution_a):
    """institution_a, filed 2024-03-01: inclusive, 10 toddler + 14 older places, fee 1800,
    three caregivers of whom two certified."""
    ApprovedPlacesFactory(institution=institution_a, toddler=10, older=14)
    FeeStandardFactory(institution=institution_a, monthly_full_day=1800)
    InclusiveRecognitionFactory(institution=institution_a)
    for certified in (True, True, False):
        staff = StaffMemberFactory(institution=institution_a)
        if certified:
            CertificateFactory(staff=staff)
    return institution_a


@pytest.fixture
def in_window():
    """Frozen on 2025-04-05 (Asia/Shanghai): March's window is open and not yet due."""
    with time_machine.travel(
        dt.datetime(2025, 4, 5, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False
    ):
        yield


@pytest.fixture
def march_report(registered, in_window, operator_a):
    from institutions.reports.services import report_get_or_start

    return report_get_or_start(institution=registered, period=MARCH, actor=operator_a)


def good_numbers(**overrides):
    values = dict(
        enrolled_toddler=8,  # 8/5 + 9/7 = 2.9 carers needed: 3 on duty meet the ratio
        enrolled_older=9,
        voucher_children=4,
        fee_full_day=1800,
        staff_on_duty=3,
        staff_certified=2,
        attendance_days=21,
    )
    values.update(overrides)
    return values


__all__ = ["MARCH", "MonthlyReport", "good_numbers"]
