import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from institutions.models import MonthlyReport
from subsidies.models import SchemeRate, SubsidyScheme
from tests.factories import (
    ApprovedPlacesFactory,
    InclusiveRecognitionFactory,
    InstitutionFactory,
    StarRatingFactory,
)

MARCH = dt.date(2025, 3, 1)


def accepted_report(institution, period=MARCH, state=MonthlyReport.State.ACCEPTED, **enrolled):
    now = timezone.now()
    return MonthlyReport.objects.create(
        institution=institution,
        period=period,
        state=state,
        first_submitted_at=now,
        submitted_at=now,
        **enrolled,
    )


@pytest.fixture
def scheme(db):
    scheme = SubsidyScheme.objects.create(
        name="测试运营补助",
        kind=SubsidyScheme.Kind.PER_CHILD_MONTH,
        valid_from=dt.date(2025, 1, 1),
        inclusive_only=True,
    )
    for class_type, stars, amount in [
        ("toddler", 3, "300.00"),
        ("older", 3, "250.00"),
        ("toddler", None, "200.00"),
        ("older", None, "150.00"),
        ("infant", None, "333.33"),
    ]:
        SchemeRate.objects.create(
            scheme=scheme, class_type=class_type, stars=stars, amount=Decimal(amount)
        )
    return scheme


@pytest.fixture
def inclusive(db):
    """An inclusive centre with places, rated three stars before March."""
    institution = InstitutionFactory(name="甲托育园")
    ApprovedPlacesFactory(institution=institution)
    InclusiveRecognitionFactory(institution=institution, valid_from=dt.date(2024, 3, 1))
    StarRatingFactory(institution=institution, effective_from=dt.date(2024, 6, 1), stars=3)
    return institution
