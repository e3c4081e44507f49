"""Issue 19's tracked indicators K18-K22 (docs/indicators.md, "tracked indicators of issue 19"),
on hand-built months with each boundary tried on both sides."""

import datetime as dt
import re
from decimal import Decimal

import pytest

from institutions.health.models import GuidanceVisit, ScreeningMonth
from institutions.models import StaffMember
from institutions.training.models import TrainingAttendance, TrainingCourse
from metrics.computation import compute_figures
from metrics.kpis import registry
from metrics.models import CITY, Snapshot
from metrics.services import compute_period
from tests.factories import (
    ApprovedPlacesFactory,
    HealthFacilityFactory,
    InstitutionFactory,
    InstructorAssignmentFactory,
    StaffMemberFactory,
    UserFactory,
    township,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, params=["set_based", "orm"])
def registry_reader(request, monkeypatch):
    """Each case through the set-based registry (PostgreSQL's path) and the ORM's (issue 21)."""
    monkeypatch.setattr(registry, "SET_BASED", [request.param == "set_based"])
    return request.param


M = dt.date(2025, 6, 1)
D = dt.date(2025, 6, 30)
A, B = "330382114", "330382108"
TRACKED = ("K18", "K19", "K20", "K21", "K22")


def institution(code=A, **fields):
    made = InstitutionFactory(township=township(code[-3:]), **fields)
    ApprovedPlacesFactory(institution=made)
    return made


def figures(period=M) -> dict:
    return {
        key: figure
        for key, figure in compute_figures(period).items()
        if key[1] in TRACKED or key[1] in ("K5",)
    }


def assign(place, effective_from, instructor="new"):
    user = UserFactory() if instructor == "new" else instructor
    return InstructorAssignmentFactory(
        institution=place, effective_from=effective_from, instructor=user
    )


def visit(place, on):
    facility = HealthFacilityFactory()
    return GuidanceVisit.objects.create(
        institution=place,
        facility=facility,
        instructor=UserFactory(),
        visited_on=on,
        advice="注意营养搭配",
    )


def course(ends_on, kind=TrainingCourse.Kind.IN_SERVICE):
    return TrainingCourse.objects.create(
        name=f"课程{ends_on}",
        provider="温州大学",
        kind=kind,
        starts_on=ends_on - dt.timedelta(days=2),
        ends_on=ends_on,
        hours=Decimal("8"),
    )


def attend(member, *courses):
    for c in courses:
        TrainingAttendance.objects.create(course=c, staff=member, hours=Decimal("8"))


# --- K18 ------------------------------------------------------------------------------------------


def test_k18_counts_an_assignment_in_force_at_d_and_not_one_ended_the_day_before():
    ended_before_d = institution()  # assigned, then ended: last day 29 June
    assign(ended_before_d, dt.date(2024, 3, 1))
    assign(ended_before_d, D, instructor=None)
    ended_on_d = institution()  # last day 30 June (the ending record is dated 1 July)
    assign(ended_on_d, dt.date(2024, 3, 1))
    assign(ended_on_d, D + dt.timedelta(days=1), instructor=None)
    institution()  # never assigned
    assigned_after_d = institution(code=B)
    assign(assigned_after_d, D + dt.timedelta(days=1))
    assigned_on_d = institution(code=B)
    assign(assigned_on_d, D)
    # Not counted at D (filed after D): its assignment is in no figure.
    assign(institution(code=B, filed_on=D + dt.timedelta(days=1)), dt.date(2024, 3, 1))

    found = figures()
    assert (found[A, "K18"].numerator, found[A, "K18"].denominator) == (1, 3)
    assert (found[B, "K18"].numerator, found[B, "K18"].denominator) == (1, 2)
    assert found[CITY, "K18"].value == Decimal(2) / Decimal(5)


# --- K19 ------------------------------------------------------------------------------------------


def test_k19_counts_visits_from_the_quarters_first_day_to_d():
    first, second = institution(), institution()
    visit(first, dt.date(2025, 4, 1))  # the quarter's first day: in
    visit(first, D)  # D: in
    visit(second, dt.date(2025, 3, 31))  # the previous quarter's last day: out
    visit(second, D + dt.timedelta(days=1))  # after D: out
    visit(second, dt.date(2025, 5, 15))  # in
    late = institution(filed_on=D + dt.timedelta(days=1))  # not counted at D
    visit(late, dt.date(2025, 5, 15))

    found = figures()
    assert (found[A, "K19"].numerator, found[A, "K19"].denominator) == (3, 2)
    assert found[A, "K19"].value == Decimal("1.5")
    # The quarter restarts in July: April to June's visits do not count for July.
    july = figures(dt.date(2025, 7, 1))
    assert july[A, "K19"].numerator == 1  # the visit of 1 July


# --- K20, K21 -------------------------------------------------------------------------------------


def test_k20_and_k21_count_care_staff_at_d_with_a_course_ending_in_the_year_to_d():
    place = institution()
    last_december = course(dt.date(2024, 12, 31))
    new_year = course(dt.date(2025, 1, 1))
    shadowing = course(dt.date(2025, 6, 30), TrainingCourse.Kind.SHADOWING)
    shadowing_last_year = course(dt.date(2024, 12, 31), TrainingCourse.Kind.SHADOWING)
    after_d = course(dt.date(2025, 7, 1), TrainingCourse.Kind.SHADOWING)

    attend(StaffMemberFactory(institution=place), last_december, shadowing_last_year, after_d)
    attend(StaffMemberFactory(institution=place), new_year)
    attend(StaffMemberFactory(institution=place), shadowing)
    StaffMemberFactory(institution=place)  # untrained
    # Not care staff (a cook), or not employed at D (left on D): in neither count.
    attend(StaffMemberFactory(institution=place, role=StaffMember.Role.COOK), new_year)
    attend(StaffMemberFactory(institution=place, left_on=D), new_year, shadowing)
    # Staff of an uncounted institution (filed after D) are not in the denominator.
    late = institution(filed_on=D + dt.timedelta(days=1))
    attend(StaffMemberFactory(institution=late), new_year, shadowing)

    found = figures()
    assert (found[A, "K20"].numerator, found[A, "K20"].denominator) == (2, 4)
    assert (found[A, "K21"].numerator, found[A, "K21"].denominator) == (1, 4)
    # The same care staff as K5's.
    assert found[A, "K20"].denominator == found[A, "K5"].denominator
    assert found[CITY, "K20"].denominator == found[CITY, "K5"].denominator == 4
    # In January the year restarts: only courses ending from 1 January 2026.
    assert figures(dt.date(2026, 1, 1))[A, "K20"].numerator == 0


# --- K22 ------------------------------------------------------------------------------------------


def test_k22_adds_the_screenings_from_january_to_m_by_the_facilitys_township():
    here, there = (
        HealthFacilityFactory(township=township(A[-3:])),
        HealthFacilityFactory(township=township(B[-3:])),
    )
    for facility, period, count in [
        (here, dt.date(2024, 12, 1), 1000),  # last year: out
        (here, dt.date(2025, 1, 1), 10),
        (here, dt.date(2025, 6, 1), 5),
        (here, dt.date(2025, 7, 1), 2000),  # after M: out
        (there, dt.date(2025, 3, 1), 7),
    ]:
        ScreeningMonth.objects.create(
            facility=facility, period=period, development_screenings=count
        )
    found = figures()
    assert found[A, "K22"].value == 15
    assert found[B, "K22"].value == 7
    assert found[CITY, "K22"].value == 22
    assert found[A, "K22"].denominator is None


# --- No data is not zero --------------------------------------------------------------------------


def test_zero_denominators_give_no_value_not_zero():
    institution()  # counted in A, no care staff
    found = figures()
    assert found[A, "K18"].value == 0  # one institution, no instructor: 0%
    assert found[A, "K19"].value == 0
    assert (found[A, "K20"].denominator, found[A, "K20"].value) == (0, None)
    assert found[A, "K21"].value is None
    # B has no counted institution at all.
    for indicator in ("K18", "K19", "K20", "K21"):
        assert found[B, indicator].value is None
    compute_period(M)
    stored = Snapshot.objects.get(period=M, area=B, indicator="K18")
    assert stored.value is None and stored.status == Snapshot.Status.NO_DATA


# --- Stored, shown, served -------------------------------------------------------------------------


def test_the_five_are_tracked_snapshots_on_the_dashboard_the_drilldown_and_the_api(
    client_as, bureau
):
    place = institution()
    assign(place, dt.date(2024, 3, 1))
    visit(place, dt.date(2025, 5, 2))
    attend(StaffMemberFactory(institution=place), course(dt.date(2025, 3, 1)))
    uninstructed = institution()
    facility = HealthFacilityFactory(township=township(A[-3:]))
    ScreeningMonth.objects.create(facility=facility, period=M, development_screenings=12)
    compute_period(M)

    rows = {
        s.indicator: s for s in Snapshot.objects.filter(period=M, area=CITY, indicator__in=TRACKED)
    }
    assert set(rows) == set(TRACKED)
    assert all(s.status == Snapshot.Status.TRACKED and s.target is None for s in rows.values())
    assert rows["K19"].value == Decimal("0.5")

    client = client_as(bureau)
    page = client.get("/zhibiao/", {"month": "2025-06"}).content.decode()
    for name in (
        "健康指导员覆盖率",
        "季度每机构指导次数",
        "托育从业人员年度培训覆盖率",
        "医育跟诊参与率",
    ):
        assert name in page
    assert "早期发育筛查人次" in page

    def listed(indicator, area=A):
        response = client.get(f"/zhibiao/{area}/{indicator}/", {"month": "2025-06"})
        assert response.status_code == 200
        return response.content.decode()

    k18 = listed("K18")
    assert set(map(int, re.findall(r'data-institution="(\d+)"', k18))) == {
        place.pk,
        uninstructed.pk,
    }
    assert "已指派" in k18 and "未指派" in k18
    # K20 lists the institutions with care staff only.
    k20 = listed("K20", "city")
    assert set(map(int, re.findall(r'data-institution="(\d+)"', k20))) == {place.pk}
    k22 = listed("K22")
    assert f'data-facility="{facility.pk}"' in k22 and "2025-06" in k22
    assert f'data-facility="{facility.pk}"' not in listed("K22", B)

    api = client.get("/api/v1/kpis/", {"period": "2025-06"}).json()
    served = {row["indicator"]: row for row in api}
    assert served["K22"]["value"] is not None and Decimal(served["K22"]["value"]) == 12
    assert served["K18"]["status"] == "tracked" and served["K18"]["target"] is None
