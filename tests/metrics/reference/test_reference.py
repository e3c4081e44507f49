"""The portal's indicators against kpis.md written out in plain Python (kpis.py).

Every indicator, for the city and every township, value (to four places) and status, on
hand-built months and on small generated registries full of boundary dates (Hypothesis, a
bounded number of derandomized examples, so `make test` runs the same cases every time).
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings

from inspections.models import ChecklistTemplate, Inspection
from institutions.models import (
    ApprovedPlaces,
    CareContract,
    Certificate,
    InclusiveRecognition,
    Institution,
    MonthlyReport,
    ParentingSession,
    StaffMember,
    Township,
)
from metrics.computation import compute_figures
from metrics.models import CityIncome, PopulationBase, Snapshot, Target
from metrics.services import compute_period, status_for

from . import kpis
from .cities import build, cities

pytestmark = pytest.mark.django_db

# Indicators once computed without the second sentence of kpis.md's counting rule ("A
# kindergarten that runs no childcare class (托班) has no places; it counts only for K7"). The
# rule is applied now (metrics/kpis/registry.py, COUNTED), so none is excused: every indicator
# must equal kpis.md read with the rule, and the comparison fails if the rule is removed.
AWAITING_COUNTING_RULE: frozenset[str] = frozenset()
# Readings kpis.md leaves open, reported to the spec's owner and accepted either way until it
# is settled (test_k15_reads_every_accepted_report, strict xfail, shows the difference):
# K15 is "children enrolled in accepted reports for M" and says nothing of counted
# institutions (K6 does); the portal reads only the counted institutions' reports.
UNSETTLED_READINGS = {"K15": {"k15_counted_only": True}}
# The snapshot keeps six decimal places; both sides are compared at four.
SIX, FOUR = Decimal("0.000001"), Decimal("0.0001")
EXAMPLES = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

M = dt.date(2025, 6, 1)
D = dt.date(2025, 6, 30)
A = "330382114"


def _four(value):
    return None if value is None else Decimal(value).quantize(SIX).quantize(FOUR)


def _portal(period: dt.date, *, stored: bool) -> dict:
    """The portal's {(area, indicator): (value, status)} for kpis.md's indicators: from the
    snapshots compute_period writes, or straight from compute_figures and the status rule it
    applies (no writes). Issue 19's tracked indicators (K18-K22) are not kpis.md's: their
    definitions are docs/indicators.md's, checked in tests/metrics/kpis/test_tracked_19.py."""
    if stored:
        compute_period(period)
        return {
            (s.area, s.indicator): (_four(s.value), str(s.status))
            for s in Snapshot.objects.filter(period=period, indicator__in=kpis.INDICATORS)
        }
    targets = {target.indicator: target for target in Target.objects.all()}
    return {
        (area, indicator): (
            _four(figure.value),
            str(status_for(figure.value, targets.get(indicator), period)),
        )
        for (area, indicator), figure in compute_figures(period).items()
        if indicator in kpis.INDICATORS
    }


def _alternatives(awaiting: frozenset, unsettled: dict) -> dict[str, list[dict]]:
    """The other readings of kpis.md each indicator may match for now."""
    alternatives = {indicator: [{"kindergarten_rule": False}] for indicator in awaiting}
    for indicator, reading in unsettled.items():
        alternatives.setdefault(indicator, []).append(reading)
        if awaiting:
            alternatives[indicator].append({**reading, "kindergarten_rule": False})
    return alternatives


def disagreements(
    periods, *, awaiting=AWAITING_COUNTING_RULE, unsettled=UNSETTLED_READINGS, stored=False
) -> list[str]:
    """Every (month, area, indicator) whose value or status differs from kpis.md's, as lines."""
    found = []
    alternatives = _alternatives(awaiting, unsettled)
    for period in periods:
        portal = _portal(period, stored=stored)
        rows = kpis.load()
        readings = {}

        def reading(options: dict, period=period, rows=rows, readings=readings) -> dict:
            key = tuple(sorted(options.items()))
            if key not in readings:
                readings[key] = {
                    k: (_four(value), status)
                    for k, (value, status) in kpis.snapshot(rows, period, **options).items()
                }
            return readings[key]

        expected = reading({})
        for key in sorted(expected.keys() | portal.keys()):
            got, want = portal.get(key), expected.get(key)
            if got == want or any(
                got == reading(options).get(key) for options in alternatives.get(key[1], ())
            ):
                continue
            found.append(f"{period:%Y-%m} {key[0]} {key[1]}: portal {got}, kpis.md {want}")
    return found


def _institution(name, *, kind="centre", filed_on=dt.date(2024, 1, 1), places=0, **fields):
    institution = Institution.objects.create(
        name=name,
        kind=kind,
        ownership="private",
        township=Township.objects.get(code=A),
        filed_on=filed_on,
        **fields,
    )
    if places:
        ApprovedPlaces.objects.create(
            institution=institution, effective_from=filed_on, toddler=places
        )
    return institution


def _accepted(institution, *, enrolled, fee, submitted=dt.datetime(2025, 7, 5, 10)):
    MonthlyReport.objects.create(
        institution=institution,
        period=M,
        state="accepted",
        enrolled_toddler=enrolled,
        fee_full_day=Decimal(fee),
        first_submitted_at=timezone.make_aware(submitted),
    )


@pytest.fixture
def worked_example():
    """kpis.md's worked example, in township A (柳市镇)."""
    p = _institution("P", kind="kindergarten", places=40)
    InclusiveRecognition.objects.create(institution=p, valid_from=dt.date(2024, 1, 1))
    q = _institution("Q", places=60)
    _institution("R", filed_on=D + dt.timedelta(days=1), places=30)
    _accepted(p, enrolled=36, fee=1500)
    _accepted(q, enrolled=50, fee=2600)
    a = Township.objects.get(code=A)
    PopulationBase.objects.create(township=a, year=2025, residents=50000, children_under_3=300)
    CityIncome.objects.create(year=2024, per_capita_disposable_income=Decimal(72000))


def test_the_reference_gives_the_worked_example(worked_example):
    values = kpis.figures(kpis.load(), M)
    for area in (A, kpis.CITY):
        assert round(values[area, "K1"], 1) == Decimal("333.3")
        assert values[area, "K3"] == Decimal("0.4") and values[area, "K4"] == Decimal("0.4")
        assert values[area, "K6"] == Decimal("0.25")
        assert round(values[area, "K15"], 3) == Decimal("0.287")
    assert values["330382210", "K1"] is None  # 智仁乡: no population row, no data


def test_the_portal_agrees_on_the_worked_example(worked_example):
    assert disagreements([M], stored=True) == []


@pytest.fixture
def kindergarten_without_class():
    _kindergarten_without_class()


def _kindergarten_without_class():
    """An inclusive kindergarten running no childcare class, with everything else a counted
    institution has, next to a centre with places and none of it."""
    kindergarten = _institution(
        "幼儿园",
        kind="kindergarten",
        is_inclusive_kindergarten=True,
        panic_alarm_installed_on=dt.date(2024, 1, 1),
    )
    InclusiveRecognition.objects.create(institution=kindergarten, valid_from=dt.date(2024, 1, 1))
    CareContract.objects.create(
        institution=kindergarten, valid_from=dt.date(2024, 1, 1), health_facility="卫生院"
    )
    teacher = StaffMember.objects.create(
        institution=kindergarten,
        name="老师",
        id_number="11010519491231002X",
        role="teacher",
        hired_on=dt.date(2024, 1, 1),
    )
    Certificate.objects.create(
        staff=teacher, kind="kindergarten_teacher", issued_on=dt.date(2020, 1, 1)
    )
    _accepted(kindergarten, enrolled=5, fee=1000)
    for kind, day in (("patrol", D), ("guidance", M), ("annual", M)):
        Inspection.objects.create(
            institution=kindergarten,
            kind=kind,
            template=ChecklistTemplate.objects.filter(kind=kind).first(),
            inspected_on=day,
            state="completed",
            score=Decimal(95),
            outcome="pass",
            completed_at=timezone.now(),
        )
    _institution("中心", places=20)
    CityIncome.objects.create(year=2024, per_capita_disposable_income=Decimal(72000))


def test_a_kindergarten_without_a_class_counts_only_for_k7(kindergarten_without_class):
    values = kpis.figures(kpis.load(), M)
    assert values[A, "K7"] == 0  # a filed inclusive kindergarten, running no class
    for indicator in ("K5", "K6"):
        assert values[A, indicator] is None, indicator  # the centre has no staff, no report
    for indicator in ("K11", "K12a", "K12b", "K12c", "K14", "K14_timely", "K17"):
        assert values[A, indicator] == 0, indicator  # 0 of 1: the centre alone
    before = kpis.figures(kpis.load(), M, kindergarten_rule=False)
    assert before[A, "K11"] == Decimal("0.5") and before[A, "K6"] is not None


def test_the_portal_agrees_on_a_kindergarten_without_a_class_but_for_the_rule(
    kindergarten_without_class,
):
    assert disagreements([M]) == []


def test_reference_agrees_including_counting_rule(db):
    with transaction.atomic():
        _kindergarten_without_class()
        found = disagreements([M], awaiting=frozenset())
        transaction.set_rollback(True)
    assert found == [], "\n".join(found)
    # The generated cities are held to the rule by test_reference_agrees_with_the_portal, now
    # that nothing awaits it.


@pytest.mark.xfail(
    strict=True,
    reason="kpis.md's K15 reads every accepted report for M, the portal only those of counted "
    "institutions: a reading for the spec's owner to settle (UNSETTLED_READINGS)",
)
def test_k15_reads_every_accepted_report():
    """An institution closed on D filed an accepted report for M: kpis.md's words count its
    children in K15; the portal does not (it is not a counted institution at D)."""
    closed = _institution("停办", places=20, closed_on=D)
    _accepted(closed, enrolled=3, fee=1500)
    a = Township.objects.get(code=A)
    PopulationBase.objects.create(township=a, year=2025, residents=50000, children_under_3=300)
    assert kpis.figures(kpis.load(), M)[A, "K15"] == Decimal("0.01")
    found = disagreements([M], unsettled={}, stored=True)
    assert found == [], "\n".join(found)


def _compare(city, *, awaiting=AWAITING_COUNTING_RULE) -> None:
    """Build the city, compare its months, and roll it back, whatever happens."""
    with transaction.atomic():
        build(city)
        found = disagreements(city.months, awaiting=awaiting)
        transaction.set_rollback(True)
    assert found == [], "\n".join(found)


@EXAMPLES
@given(city=cities())
def test_reference_agrees_with_the_portal(db, city):
    _compare(city)


def test_k9_families_reads_attendance_lists_where_there_are_some():
    """The reference counts attendance lists as kpis.md says (distinct families over the lists,
    plus the head count of each session without one), whatever rows hold them; the portal's
    lists (institutions.SessionAttendance) are compared with it in tests/metrics/kpis/
    test_k9_families.py."""
    a = Township.objects.get(code=A)
    sessions = [
        ParentingSession.objects.create(
            held_on=day,
            organiser_kind="health_centre",
            organiser_name="卫生院",
            township=township,
            topic="喂养",
            families_reached=families,
        )
        for day, township, families in [
            (dt.date(2025, 3, 1), a, 9),
            (dt.date(2025, 4, 1), Township.objects.get(code="330382001"), 9),
            (dt.date(2025, 5, 1), a, 7),
            (dt.date(2024, 12, 31), a, 50),  # last year
        ]
    ]
    rows = kpis.load()
    assert rows.attendance == {}
    rows.attendance = {sessions[0].pk: {"x", "y"}, sessions[1].pk: {"y", "z"}}
    values = kpis.figures(rows, M)
    assert values[A, "K9_sessions"] == 2 and values[kpis.CITY, "K9_sessions"] == 3
    assert values[A, "K9_families"] == 2 + 7
    assert values["330382001", "K9_families"] == 2
    assert values[kpis.CITY, "K9_families"] == 3 + 7  # "y" attended in both townships: once
