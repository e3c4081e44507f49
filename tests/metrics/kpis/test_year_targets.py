"""kpis.md, "Status": the year targets counted from 1 January (K9_sessions, K9_families, K12c)
are judged in December; before December they are `met` once reached and `tracked` until then,
never `not_met`. Other targets are judged every month."""

import datetime as dt
from decimal import Decimal

import pytest

from metrics.defaults import DEFAULT_TARGETS
from metrics.models import Target
from metrics.services import status_for

pytestmark = pytest.mark.django_db

JUNE, DECEMBER = dt.date(2025, 6, 1), dt.date(2025, 12, 1)


def test_only_the_year_targets_wait_for_december():
    year_targets = {indicator for indicator, (*_, by_year) in DEFAULT_TARGETS.items() if by_year}
    assert year_targets == {"K9_sessions", "K9_families", "K12c"}
    assert set(Target.objects.filter(by_year_end=True).values_list("indicator", flat=True)) == (
        year_targets
    )


@pytest.mark.parametrize(
    ("indicator", "value", "period", "status"),
    [
        ("K9_sessions", Decimal(399), JUNE, "tracked"),
        ("K9_sessions", Decimal(400), JUNE, "met"),
        ("K9_sessions", Decimal(399), DECEMBER, "not_met"),
        ("K9_families", Decimal(3000), DECEMBER, "met"),
        ("K9_families", Decimal(0), JUNE, "tracked"),
        ("K12c", Decimal("0.99"), dt.date(2025, 11, 1), "tracked"),
        ("K12c", Decimal("0.99"), DECEMBER, "not_met"),
        ("K12c", Decimal(1), JUNE, "met"),
        ("K12a", Decimal("0.99"), JUNE, "not_met"),
        ("K9_sessions", None, JUNE, "no_data"),
    ],
)
def test_status(indicator, value, period, status):
    target = Target.objects.get(indicator=indicator)
    assert status_for(value, target, period) == status
