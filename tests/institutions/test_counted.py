"""kpis.md's counted institutions outside the indicators: the report completeness page, the
inspection coverage page and the draws read the same rule as the indicators (a kindergarten
without a childcare class counts only for K7), through institutions.selectors.counted_on."""

import datetime as dt

import pytest

from inspections.selectors.coverage import CoveragePeriods, coverage_institutions
from inspections.selectors.draws import draw_candidates
from institutions.models import Institution
from institutions.reports.selectors import counted_with_reports
from institutions.selectors import counted_institutions_as_of, counted_on, filed_and_open
from tests.factories import ApprovedPlacesFactory, InstitutionFactory

pytestmark = pytest.mark.django_db

SINCE = dt.date(2024, 1, 1)
M, D = dt.date(2025, 6, 1), dt.date(2025, 6, 30)


@pytest.fixture
def registry():
    centre = InstitutionFactory(kind="centre", filed_on=SINCE)
    with_class = InstitutionFactory(kind="kindergarten", filed_on=SINCE)
    ApprovedPlacesFactory(institution=with_class, effective_from=SINCE, toddler=20)
    without = InstitutionFactory(kind="kindergarten", filed_on=SINCE)
    # A class from the day after D: none at D, so not counted at D.
    later = InstitutionFactory(kind="kindergarten", filed_on=SINCE)
    ApprovedPlacesFactory(institution=later, effective_from=D + dt.timedelta(days=1), toddler=9)
    return {"centre": centre, "with_class": with_class, "without": without, "later": later}


def test_counted_on_applies_the_rule(registry):
    counted = set(Institution.objects.filter(counted_on(D)))
    assert counted == {registry["centre"], registry["with_class"]}
    assert set(counted_institutions_as_of(D)) == counted
    # Filed and open, without the rule: all four.
    assert Institution.objects.filter(filed_and_open(D)).count() == 4
    # From the day the class starts, it counts.
    assert registry["later"] in Institution.objects.filter(counted_on(D + dt.timedelta(days=1)))


def test_pages_read_the_counted_institutions(registry):
    expected = {registry["centre"], registry["with_class"]}
    assert set(counted_with_reports(M)) == expected
    assert set(coverage_institutions(CoveragePeriods(dt.date(2025, 6, 14)))) == expected
    assert set(draw_candidates(on=D)) == expected
