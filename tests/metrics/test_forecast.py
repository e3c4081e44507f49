"""Forecast and gap: the trend, the pipeline, and the gap per township from the Target table."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from metrics import forecast
from metrics.models import PopulationBase, Snapshot, Target
from metrics.services import compute_period
from tests.factories import (
    ApprovedPlacesFactory,
    CertificateFactory,
    InclusiveRecognitionFactory,
    InstitutionFactory,
    StaffMemberFactory,
    township,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 6, 15)
A, B, EMPTY = "330382114", "330382108", "330382210"


@pytest.fixture(autouse=True)
def _default_targets(db):
    """The plan's targets, as the data migration loads them (a transactional test elsewhere in
    the suite may have emptied the table)."""
    from metrics.defaults import load_default_targets

    load_default_targets(Target)


@pytest.fixture
def growing():
    """Township A, 1,000 children under 3: 100 places in March, 110 in April, 120 in May (K1
    100, 110, 120 per 1000: ten a month), 40 of them inclusive; four care staff, one certified."""
    a = township("114")
    PopulationBase.objects.create(township=a, year=2025, residents=100000, children_under_3=1000)
    centre = InstitutionFactory(name="增长托育中心", township=a, filed_on=dt.date(2025, 3, 1))
    for month, places in ((3, 100), (4, 110), (5, 120)):
        ApprovedPlacesFactory(
            institution=centre, effective_from=dt.date(2025, month, 1), toddler=places, older=0
        )
    inclusive = InstitutionFactory(name="普惠托育点", township=a, filed_on=dt.date(2025, 3, 1))
    ApprovedPlacesFactory(
        institution=inclusive, effective_from=dt.date(2025, 3, 1), toddler=0, older=0
    )
    staff = [StaffMemberFactory(institution=centre, hired_on=dt.date(2025, 1, 1)) for _ in range(4)]
    CertificateFactory(staff=staff[0], issued_on=dt.date(2024, 1, 1))
    for month in (3, 4, 5):
        compute_period(dt.date(2025, month, 1))
    return {"centre": centre, "inclusive": inclusive}


def k1(result) -> forecast.Projection:
    return next(p for p in result.projections if p.indicator == "K1")


def gap(result, area) -> forecast.GapRow:
    return next(row for row in result.gaps if row.area == area)


def test_least_squares_line():
    slope, intercept = forecast.least_squares([(1, 3), (2, 5), (3, 7)])
    assert (round(slope, 9), round(intercept, 9)) == (2, 1)
    assert forecast.least_squares([(1, 3)]) is None


def test_the_trend_projects_a_hand_built_series_to_the_date(growing):
    # June (still running on TODAY) is left out: its figure is not final.
    ApprovedPlacesFactory(
        institution=growing["centre"], effective_from=dt.date(2025, 6, 1), toddler=900, older=0
    )
    compute_period(dt.date(2025, 6, 1))
    # Ten per 1000 a month from 120 at the end of May: 150 at the end of August, 190 in December.
    result = forecast.forecast(to=dt.date(2025, 8, 31), today=TODAY)
    assert k1(result).trend == Decimal("150") and k1(result).trend_points == 3
    result = forecast.forecast(to=dt.date(2025, 12, 31), today=TODAY)
    assert k1(result).trend == Decimal("190")
    assert k1(result).trend_status == "not_met"  # the target is 280
    # Half a month on: half a step.
    result = forecast.forecast(to=dt.date(2025, 6, 15), today=TODAY)
    assert k1(result).trend == Decimal("125")


def test_the_trend_reads_only_the_last_twelve_months(growing):
    computed_at = Snapshot.objects.first().computed_at
    for month in range(1, 13):  # 2023: flat at 999, more than twelve months before May 2025
        Snapshot.objects.create(
            period=dt.date(2023, month, 1),
            area="city",
            indicator="K1",
            value=Decimal(999),
            status="met",
            computed_at=computed_at,
        )
    result = forecast.forecast(to=dt.date(2025, 8, 31), today=TODAY)
    assert k1(result).trend == Decimal("150") and k1(result).trend_points == 3


def test_pipeline_institutions_recognitions_and_places_are_added(growing):
    a = township("114")
    # Filed after today, before the date: counted then.
    new = InstitutionFactory(name="在建托育中心", township=a, filed_on=dt.date(2025, 10, 1))
    ApprovedPlacesFactory(institution=new, effective_from=dt.date(2025, 10, 1), toddler=50, older=0)
    # Approved places effective in the future, and a recognition valid from then.
    ApprovedPlacesFactory(
        institution=growing["inclusive"], effective_from=dt.date(2025, 9, 1), toddler=80, older=0
    )
    InclusiveRecognitionFactory(institution=growing["inclusive"], valid_from=dt.date(2025, 9, 1))
    # After the date: not counted.
    late = InstitutionFactory(name="明年托育中心", township=a, filed_on=dt.date(2026, 3, 1))
    ApprovedPlacesFactory(institution=late, effective_from=dt.date(2026, 3, 1), toddler=500)

    result = forecast.forecast(to=dt.date(2025, 12, 31), today=TODAY)
    # 120 + 50 + 80 places for 1,000 children.
    assert k1(result).pipeline == Decimal("250")
    k4 = next(p for p in result.projections if p.indicator == "K4")
    assert k4.pipeline == Decimal(80) / Decimal(250)
    assert result.added_places == 130 and result.added_inclusive_places == 80
    assert [i.name for i in result.new_institutions] == ["在建托育中心"]
    assert [i.name for i in result.new_recognitions] == ["普惠托育点"]
    assert [(c.institution.name, c.change) for c in result.place_changes] == [
        ("普惠托育点", 80),
        ("在建托育中心", 50),
    ]
    # The gap once the pipeline has landed: 280 x 1000 / 1000 - 250.
    assert gap(result, A).places_after.amount == 30
    # A projection that does not come from the registry has no pipeline value.
    k6 = next(p for p in result.projections if p.indicator == "K6")
    assert not k6.is_registry and k6.pipeline_display == "—"


def test_gap_per_township_follows_the_target_table(growing):
    result = forecast.forecast(to=dt.date(2025, 12, 31), today=TODAY)
    # Latest month (May): 120 places of 120 + 0 inclusive; 1,000 children; 1 of 4 staff certified.
    row = gap(result, A)
    assert (row.places.status, row.places.amount) == ("gap", 160)  # 280 - 120
    # K4 at 90%: 108 of the 120 places recognised, or 1,080 new inclusive places.
    assert (row.inclusive.amount, row.inclusive.alternative) == (108, 1080)
    # K5 at 90%: 3.6 - 1 -> 3 staff certified, or 26 new certified staff.
    assert (row.certified.amount, row.certified.alternative) == (3, 26)
    assert gap(result, EMPTY).places.display == "无数据"
    assert gap(result, EMPTY).inclusive.display == "无数据"

    Target.objects.filter(indicator="K1").update(value=Decimal("300"))
    Target.objects.filter(indicator="K5").update(value=Decimal("0.25"))
    Target.objects.filter(indicator="K4").update(value=Decimal("0"))
    result = forecast.forecast(to=dt.date(2025, 12, 31), today=TODAY)
    row = gap(result, A)
    assert row.places.amount == 180  # 300 - 120
    assert row.certified.display == "已达标"  # 1 of 4 meets 25%
    assert row.inclusive.display == "已达标"


def test_year_to_date_indicators_are_not_projected_into_another_year(growing):
    result = forecast.forecast(to=dt.date(2026, 12, 31), today=TODAY)
    k9 = next(p for p in result.projections if p.indicator == "K9_sessions")
    assert k9.trend is None and k9.trend_display == "数据不足"


@pytest.mark.urls("tests.metrics.urls_dashboard")
def test_forecast_page_shows_projections_and_gaps(client_as, bureau, growing):
    response = client_as(bureau).get("/zhibiao/yuce/", {"to": "2025-12-31"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "预测与差距" in html and "各镇街差距" in html
    assert '<tr data-area="330382114">' in html
    assert "已达标" not in html.split('<tr data-area="330382114">')[1].split("</tr>")[0]
    assert "无数据" in html.split(f'<tr data-area="{EMPTY}">')[1].split("</tr>")[0]
    bad = client_as(bureau).get("/zhibiao/yuce/", {"to": "1999-01-01"})
    assert bad.status_code == 200 and "请选择" in bad.content.decode()


def test_default_horizon_is_the_pilots_end_date(settings):
    settings.PILOT_END_DATE = dt.date(2026, 6, 30)
    assert forecast.default_date() == dt.date(2026, 6, 30)


@pytest.mark.urls("tests.metrics.urls_dashboard")
def test_forecast_page_defaults_to_the_pilots_end_date(client_as, bureau, settings):
    settings.PILOT_END_DATE = dt.date(2026, 6, 30)
    with time_machine.travel(dt.datetime(2025, 8, 10, 9, tzinfo=dt.UTC), tick=False):
        response = client_as(bureau).get("/zhibiao/yuce/")
    assert response.status_code == 200
    assert response.context["to"] == dt.date(2026, 6, 30)
    assert 'value="2026-06-30"' in response.content.decode()
