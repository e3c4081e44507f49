"""kpis.md, "counted institution at D": a kindergarten that runs no childcare class (托班) has no
places and counts only for K7 (issue 15)."""

import datetime as dt

import pytest

from metrics.computation import compute_figures
from metrics.models import CITY, Snapshot
from metrics.services import compute_period
from tests.factories import (
    ApprovedPlacesFactory,
    CareContractFactory,
    InclusiveRecognitionFactory,
)

from .builders import SINCE, A, B, M, inspection, kindergarten, report, small_registry, staff

pytestmark = pytest.mark.django_db

ELSEWHERE = "330382101"  # a township with nothing else in it


def snapshots() -> dict:
    return {
        (s.area, s.indicator): (s.value, s.numerator, s.denominator, s.status)
        for s in Snapshot.objects.filter(period=M)
    }


def without_a_class(township_code: str, *, inclusive_kindergarten: bool = True):
    """A kindergarten with no childcare class but with everything else of its own: care staff
    (one certified), a care contract, an alarm, an inclusive recognition, a patrol, a guidance
    visit and an annual inspection, and an accepted report with enrolment and a fee."""
    institution = kindergarten(
        township_code,
        inclusive_kindergarten=inclusive_kindergarten,
        panic_alarm_installed_on=SINCE,
    )
    staff(institution, certified=1, uncertified=2)
    CareContractFactory(institution=institution, valid_from=SINCE, valid_to=None)
    InclusiveRecognitionFactory(institution=institution, valid_from=SINCE)
    report(institution, enrolled=12, fee=900)
    for kind, on in (
        ("patrol", dt.date(2025, 6, 5)),
        ("guidance", dt.date(2025, 5, 5)),
        ("annual", dt.date(2025, 2, 5)),
    ):
        inspection(institution, kind, on)
    return institution


def test_kindergartens_without_a_childcare_class_change_k7_and_nothing_else():
    small_registry()
    compute_period(M)
    before = snapshots()
    without_a_class(A)
    without_a_class(B)
    without_a_class(B, inclusive_kindergarten=False)
    without_a_class(ELSEWHERE)
    compute_period(M)
    after = snapshots()

    assert set(after) == set(before)
    changed = {key for key in before if after[key] != before[key]}
    assert {indicator for _area, indicator in changed} == {"K7"}
    assert {area for area, _indicator in changed} == {CITY, A, B, ELSEWHERE}
    # Each inclusive one is a filed inclusive kindergarten that runs no childcare class.
    _value, numerator, denominator, _status = before[CITY, "K7"]
    assert after[CITY, "K7"][1:3] == (numerator, denominator + 3)
    assert after[ELSEWHERE, "K7"][1:3] == (0, 1)
    assert after[ELSEWHERE, "K11"][3] == "no_data"  # no counted institution there


def test_a_kindergarten_counts_while_it_runs_a_childcare_class():
    institution = kindergarten(A, places=15)
    ApprovedPlacesFactory(
        institution=institution, effective_from=dt.date(2025, 5, 1), toddler=0, older=0
    )
    CareContractFactory(institution=institution, valid_from=SINCE, valid_to=None)
    april = compute_figures(dt.date(2025, 4, 1))
    assert (april[A, "K11"].numerator, april[A, "K11"].denominator) == (1, 1)
    june = compute_figures(M)
    assert (june[A, "K11"].numerator, june[A, "K11"].denominator) == (0, 0)
    assert (june[A, "K7"].numerator, june[A, "K7"].denominator) == (0, 1)
