"""Coverage: which counted institutions still need their patrol (month), guidance (quarter) and
annual inspection (year), by township and by health instructor, on a hand-built March 2025."""

import datetime as dt

import pytest
from django.urls import reverse

from inspections.models import InspectionKind
from inspections.selectors import (
    CoveragePeriods,
    completed_inspections,
    coverage_by_instructor,
    coverage_by_township,
    coverage_total,
    period_bounds,
    still_needed,
)
from tests.bulk import make_registry
from tests.factories import InstitutionFactory, InstructorAssignmentFactory, township

from .factories import bulk_inspections, make_inspection

pytestmark = pytest.mark.django_db

MARCH = CoveragePeriods(dt.date(2025, 3, 14))
PATROL, GUIDANCE, ANNUAL = InspectionKind.PATROL, InspectionKind.GUIDANCE, InspectionKind.ANNUAL


@pytest.fixture
def month(inspector, inspector2):
    east, liushi = township("001"), township("114")
    filed = dt.date(2024, 1, 1)
    a1 = InstitutionFactory(name="A1", township=east, filed_on=filed)
    a2 = InstitutionFactory(name="A2", township=east, filed_on=filed)
    b1 = InstitutionFactory(name="B1", township=liushi, filed_on=filed)
    b2 = InstitutionFactory(name="B2", township=liushi, filed_on=dt.date(2025, 3, 31))
    InstitutionFactory(name="N", township=liushi, filed_on=dt.date(2025, 4, 1))  # not yet
    closed = InstitutionFactory(
        name="C", township=east, filed_on=filed, closed_on=dt.date(2025, 3, 15)
    )
    for institution in (a1, a2):
        InstructorAssignmentFactory(
            institution=institution, instructor=inspector, effective_from=filed
        )
    InstructorAssignmentFactory(institution=b1, instructor=inspector2, effective_from=filed)

    def visit(institution, kind, day, *, complete=True):
        make_inspection(
            institution=institution,
            inspectors=[inspector],
            kind=kind,
            inspected_on=day,
            complete=complete,
        )

    visit(a1, PATROL, dt.date(2025, 3, 5))
    visit(a2, PATROL, dt.date(2025, 2, 27))  # last month: does not count for March
    visit(a2, PATROL, dt.date(2025, 3, 10), complete=False)  # a draft does not count
    visit(b1, PATROL, dt.date(2025, 3, 31))  # the last day counts
    visit(closed, PATROL, dt.date(2025, 3, 2))  # closed by the month's end: not counted
    visit(a1, GUIDANCE, dt.date(2025, 1, 15))  # same quarter
    visit(b1, GUIDANCE, dt.date(2024, 12, 20))  # last quarter
    visit(b2, ANNUAL, dt.date(2025, 3, 31))
    return {"a1": a1, "a2": a2, "b1": b1, "b2": b2, "closed": closed}


def test_periods():
    assert period_bounds("month", dt.date(2025, 2, 14)) == (
        dt.date(2025, 2, 1),
        dt.date(2025, 2, 28),
    )
    assert period_bounds("quarter", dt.date(2025, 5, 3)) == (
        dt.date(2025, 4, 1),
        dt.date(2025, 6, 30),
    )
    assert period_bounds("year", dt.date(2024, 2, 29)) == (
        dt.date(2024, 1, 1),
        dt.date(2024, 12, 31),
    )
    assert MARCH.bounds(GUIDANCE) == (dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    assert MARCH.counted_at == dt.date(2025, 3, 31)


def test_by_township(month):
    rows = {row.key.code[-3:]: row for row in coverage_by_township(MARCH)}
    assert len(rows) == 25
    east, liushi = rows["001"], rows["114"]
    assert (east.counted, east.done) == (2, {PATROL: 1, GUIDANCE: 1, ANNUAL: 0})
    assert (liushi.counted, liushi.done) == (2, {PATROL: 1, GUIDANCE: 0, ANNUAL: 1})
    assert rows["101"].counted == 0 and rows["101"].share(PATROL) is None  # no data, not zero
    total = coverage_total(list(rows.values()))
    assert (total.counted, total.done) == (4, {PATROL: 2, GUIDANCE: 1, ANNUAL: 1})
    assert total.share(PATROL) == 0.5


def test_by_instructor(month, inspector, inspector2):
    rows = {row.key: row for row in coverage_by_instructor(MARCH)}
    assert (rows[inspector].counted, rows[inspector].done) == (
        2,
        {PATROL: 1, GUIDANCE: 1, ANNUAL: 0},
    )
    assert (rows[inspector2].counted, rows[inspector2].done) == (
        1,
        {PATROL: 1, GUIDANCE: 0, ANNUAL: 0},
    )
    assert (rows[None].counted, rows[None].done) == (1, {PATROL: 0, GUIDANCE: 0, ANNUAL: 1})


def test_still_needed(month, inspector):
    names = lambda qs: sorted(i.name for i in qs)  # noqa: E731
    assert names(still_needed(MARCH, kind=PATROL)) == ["A2", "B2"]
    assert names(still_needed(MARCH, kind=GUIDANCE)) == ["A2", "B1", "B2"]
    assert names(still_needed(MARCH, kind=ANNUAL)) == ["A1", "A2", "B1"]
    assert names(still_needed(MARCH)) == ["A1", "A2", "B1", "B2"]
    assert names(still_needed(MARCH, kind=PATROL, instructor_id=inspector.pk)) == ["A2"]
    assert names(still_needed(MARCH, township_id=township("114").pk)) == ["B1", "B2"]


def test_completed_inspections_for_the_indicators(month):
    patrols = completed_inspections(
        kind=PATROL, start=dt.date(2025, 3, 1), end=dt.date(2025, 3, 31)
    )
    assert sorted(i.institution.name for i in patrols) == ["A1", "B1", "C"]


def test_coverage_page_for_bureau_not_operators(month, client_as, bureau, operator_a):
    url = reverse("inspections:coverage") + "?month=2025-03"
    response = client_as(bureau).get(url)
    assert response.status_code == 200
    assert response.context["total"].done == {PATROL: 2, GUIDANCE: 1, ANNUAL: 1}
    # operator_a's institution (filed 2024, in 柳市) is counted too and has had no inspection.
    still = [i.name for i in response.context["page"].object_list]
    assert still == ["A1", "A2", "B1", "B2", "甲托育中心"]
    assert client_as(operator_a).get(url).status_code == 403


@pytest.mark.parametrize("count", [100, 1000])
def test_coverage_page_runs_a_bounded_number_of_queries(
    count, client_as, bureau, inspector, django_assert_max_num_queries
):
    institutions = make_registry(count)
    bulk_inspections(
        institutions[::2], inspector=inspector, kind=PATROL, inspected_on=dt.date(2025, 3, 3)
    )
    client = client_as(bureau)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("inspections:coverage") + "?month=2025-03")
    assert response.status_code == 200
    assert response.context["total"].counted == count
    assert response.context["total"].done[PATROL] == (count + 1) // 2
