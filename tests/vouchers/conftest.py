import datetime as dt
from decimal import Decimal

import pytest

from tests.factories import FeeStandardFactory, InclusiveRecognitionFactory, township
from vouchers import services
from vouchers.models import VoucherBatch

CHILD_ID = "330382202401150012"  # born 2024-01-15
GUARDIAN_ID = "11010519491231002X"


def valid_id(first17: str) -> str:
    from portal.validators import resident_id_check_char

    return first17 + resident_id_check_char(first17)


@pytest.fixture
def batch(db):
    return VoucherBatch.objects.create(
        name="2025年第一批托育券",
        face_value=Decimal("3000.00"),
        quantity_cap=100,
        apply_from=dt.date(2025, 2, 1),
        apply_until=dt.date(2025, 3, 31),
        valid_from=dt.date(2025, 3, 1),
        valid_until=dt.date(2026, 2, 28),
        monthly_cap=Decimal("500.00"),
        min_age_months=0,
        max_age_months=35,
    )


@pytest.fixture
def child(db):
    guardian = services.guardian_get_or_create(
        name="王芳", phone="13812345678", id_number=GUARDIAN_ID
    )
    return services.child_register(
        guardian=guardian,
        name="王小明",
        id_number=valid_id(CHILD_ID[:17]),
        hukou_township=township("114"),
    )


def make_child(n: int, **kwargs):
    guardian = services.guardian_get_or_create(
        name=f"家长{n}",
        phone=f"139{n:08d}",
        id_number=valid_id(f"330382199001{n % 28 + 1:02d}{n:03d}"),
    )
    return services.child_register(
        guardian=guardian,
        name=f"孩子{n}",
        id_number=valid_id(f"330382202402{n % 28 + 1:02d}{n:03d}"),
        hukou_township=kwargs.pop("hukou_township", township("114")),
        **kwargs,
    )


@pytest.fixture
def inclusive_a(institution_a):
    """institution_a as an inclusive institution charging 1,800 a month."""
    InclusiveRecognitionFactory(institution=institution_a, valid_from=dt.date(2024, 1, 1))
    FeeStandardFactory(
        institution=institution_a, effective_from=dt.date(2024, 1, 1), monthly_full_day=1800
    )
    return institution_a


@pytest.fixture
def voucher(batch, child, inclusive_a, bureau):
    application = services.application_create(
        batch=batch, child=child, source="bureau", actor=bureau, applied_on=dt.date(2025, 2, 10)
    )
    issued = services.application_approve(application=application, actor=bureau)
    services.enrolment_record(child=child, institution=inclusive_a, start=dt.date(2025, 3, 1))
    return issued


MARCH = dt.date(2025, 3, 1)
