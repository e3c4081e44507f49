"""kpis.md implemented as written: the worked example, the as-of rule, no data, city totals."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from institutions.models import MonthlyReport
from metrics.models import CityIncome, PopulationBase, Snapshot
from metrics.services import compute_period
from tests.factories import (
    ApprovedPlacesFactory,
    FeeStandardFactory,
    InclusiveRecognitionFactory,
    InstitutionFactory,
    township,
)

pytestmark = pytest.mark.django_db

M = dt.date(2025, 6, 1)
D = dt.date(2025, 6, 30)
A = "330382114"


def accepted_report(institution, *, enrolled: int, fee: int, period=M):
    return MonthlyReport.objects.create(
        institution=institution,
        period=period,
        state=MonthlyReport.State.ACCEPTED,
        enrolled_toddler=enrolled,
        fee_full_day=Decimal(fee),
        first_submitted_at=timezone.make_aware(dt.datetime(2025, 7, 5, 10)),
    )


@pytest.fixture
def worked_example():
    """kpis.md's worked example, in township A (柳市镇)."""
    a = township("114")
    p = InstitutionFactory(
        name="P", township=a, kind="kindergarten", ownership="public", filed_on=dt.date(2024, 1, 1)
    )
    ApprovedPlacesFactory(institution=p, effective_from=dt.date(2024, 1, 1), toddler=40, older=0)
    InclusiveRecognitionFactory(institution=p, valid_from=dt.date(2024, 1, 1))
    FeeStandardFactory(institution=p, monthly_full_day=1500)
    q = InstitutionFactory(
        name="Q", township=a, kind="centre", ownership="private", filed_on=dt.date(2024, 1, 1)
    )
    ApprovedPlacesFactory(institution=q, effective_from=dt.date(2024, 1, 1), toddler=60, older=0)
    r = InstitutionFactory(name="R", township=a, kind="centre", filed_on=D + dt.timedelta(days=1))
    ApprovedPlacesFactory(
        institution=r, effective_from=D + dt.timedelta(days=1), toddler=30, older=0
    )
    accepted_report(p, enrolled=36, fee=1500)
    accepted_report(q, enrolled=50, fee=2600)
    PopulationBase.objects.create(township=a, year=2025, residents=50000, children_under_3=300)
    CityIncome.objects.create(year=2024, per_capita_disposable_income=Decimal("72000"))
    return p, q, r


def snapshots(area=A, period=M) -> dict[str, Snapshot]:
    return {s.indicator: s for s in Snapshot.objects.filter(period=period, area=area)}


def test_worked_example(worked_example):
    compute_period(M)
    s = snapshots()
    assert s["K1"].numerator == 100 and s["K1"].denominator == 300  # R is not counted yet
    assert round(s["K1"].value, 1) == Decimal("333.3")
    assert s["K3"].value == Decimal("0.4") and s["K4"].value == Decimal("0.4")
    assert s["K6"].numerator == Decimal("1500")  # P alone: inclusive
    assert s["K6"].value == Decimal("0.25")
    assert round(s["K15"].value, 3) == Decimal("0.287")
    assert s["K1"].status == "met" and s["K3"].status == "not_met" and s["K6"].status == "met"
    assert s["K15"].status == "tracked"


def test_city_equals_township_when_it_is_the_only_one(worked_example):
    compute_period(M)
    city, a = snapshots("city"), snapshots()
    for indicator in ("K1", "K3", "K4", "K6", "K15"):
        assert city[indicator].value == a[indicator].value, indicator


def test_a_fact_dated_after_the_month_end_does_not_count(worked_example):
    _p, q, _r = worked_example
    after = D + dt.timedelta(days=1)
    ApprovedPlacesFactory(institution=q, effective_from=after, toddler=200)
    InclusiveRecognitionFactory(institution=q, valid_from=after)
    compute_period(M)
    s = snapshots()
    assert s["K1"].numerator == 100
    assert s["K4"].value == Decimal("0.4")


def test_no_data_is_not_zero(worked_example):
    compute_period(M)
    empty = snapshots("330382210")  # 智仁乡: no institutions, no population row
    assert empty["K3"].value is None and empty["K3"].status == "no_data"
    assert empty["K1"].value is None and empty["K1"].status == "no_data"
    assert empty["K11"].status == "no_data"
    assert empty["K9_sessions"].value == 0  # a count is a count


def test_city_figure_is_from_totals_not_an_average_of_townships(worked_example):
    b = township("108")
    big = InstitutionFactory(township=b, filed_on=dt.date(2024, 1, 1))
    ApprovedPlacesFactory(institution=big, effective_from=dt.date(2024, 1, 1), toddler=300, older=0)
    InclusiveRecognitionFactory(institution=big, valid_from=dt.date(2024, 1, 1))
    PopulationBase.objects.create(township=b, year=2024, residents=80000, children_under_3=1000)
    compute_period(M)
    city = snapshots("city")
    # Township A: 40/100 inclusive; B: 300/300. Mean of ratios would be 0.7; totals give 340/400.
    assert city["K4"].value == Decimal("0.85")
    # B's population row is from 2024: the latest earlier year is used.
    assert city["K1"].numerator == 400 and city["K1"].denominator == 1300


def test_income_of_the_previous_year_else_the_latest_earlier(worked_example):
    CityIncome.objects.create(year=2025, per_capita_disposable_income=Decimal("90000"))
    compute_period(M)
    assert snapshots()["K6"].denominator == Decimal("6000")  # 2024's 72000 / 12, not 2025's
    CityIncome.objects.filter(year=2024).delete()
    CityIncome.objects.create(year=2022, per_capita_disposable_income=Decimal("60000"))
    compute_period(M)
    assert snapshots()["K6"].denominator == Decimal("5000")


def test_only_accepted_reports_count_for_fees_and_enrolment(worked_example):
    _p, q, _r = worked_example
    MonthlyReport.objects.filter(institution=q).update(state=MonthlyReport.State.SUBMITTED)
    compute_period(M)
    s = snapshots()
    assert s["K15"].numerator == 36
    # Submitted still counts for completeness (K14), not for K15.
    assert s["K14"].value == 1


def test_recomputing_replaces_the_month(worked_example):
    compute_period(M)
    first = Snapshot.objects.filter(period=M).count()
    compute_period(M)
    assert Snapshot.objects.filter(period=M).count() == first == 26 * 30
