"""K9_families as kpis.md defines it: distinct families (one keyed hash of the parent's mobile
number) over the attendance lists of the sessions held from 1 January of Y to D, plus the head
count of each session that has no list. Hand-built cases, each checked against the reference
implementation (tests/metrics/reference/kpis.py) too."""

import datetime as dt
from decimal import Decimal

import pytest

from institutions.health import services
from institutions.models import ParentingSession, SessionAttendance, Township
from metrics.computation import compute_figures
from metrics.models import CITY
from metrics.selectors import session_lists
from metrics.services import compute_period
from tests.metrics.reference import kpis

pytestmark = pytest.mark.django_db

JUNE = dt.date(2025, 6, 1)
D = dt.date(2025, 6, 30)
LIUSHI, HONGQIAO = "330382101", "330382102"
PARENT, OTHER, THIRD = "13957700001", "13957700002", "13957700003"


def township(code: str) -> Township:
    return Township.objects.get(code=code)


def session(held_on, *, families=0, mobiles=(), code=LIUSHI) -> ParentingSession:
    row = ParentingSession.objects.create(
        held_on=held_on,
        organiser_kind="health_centre",
        organiser_name="柳市镇社区卫生服务中心",
        township=township(code),
        topic="科学喂养",
        families_reached=families,
    )
    if mobiles:
        services.attendance_replace(session=row, mobiles=list(mobiles))
    return row


def portal(period=JUNE) -> dict:
    figures = compute_figures(period)
    return {key: figure.value for key, figure in figures.items() if key[1].startswith("K9")}


def reference(period=JUNE) -> dict:
    values = kpis.figures(kpis.load(), period)
    return {key: value for key, value in values.items() if key[1].startswith("K9")}


def test_one_family_at_three_sessions_counts_once():
    for day in (dt.date(2025, 2, 3), dt.date(2025, 4, 7), dt.date(2025, 6, 9)):
        session(day, mobiles=[PARENT])
    found = portal()
    assert found[CITY, "K9_sessions"] == 3
    assert found[CITY, "K9_families"] == 1
    assert found[LIUSHI, "K9_families"] == 1
    assert found == reference()


def test_a_session_without_a_list_adds_its_head_count():
    session(dt.date(2025, 3, 1), mobiles=[PARENT, OTHER])
    session(dt.date(2025, 3, 8), mobiles=[OTHER, THIRD])
    session(dt.date(2025, 5, 1), families=7)  # no list
    found = portal()
    assert found[CITY, "K9_families"] == 3 + 7
    assert found[CITY, "K9_sessions"] == 3
    assert found == reference()


def test_a_family_in_two_townships_counts_once_for_the_city():
    session(dt.date(2025, 3, 1), mobiles=[PARENT, OTHER])
    session(dt.date(2025, 4, 1), mobiles=[PARENT], code=HONGQIAO)
    found = portal()
    assert found[LIUSHI, "K9_families"] == 2
    assert found[HONGQIAO, "K9_families"] == 1
    assert found[CITY, "K9_families"] == 2
    assert found == reference()


def test_the_year_runs_from_1_january_to_d_both_included():
    session(dt.date(2024, 12, 31), families=50, mobiles=[THIRD])  # last year
    session(dt.date(2025, 1, 1), mobiles=[PARENT])  # first day: in
    session(D, families=4)  # D: in
    session(D + dt.timedelta(days=1), families=90, mobiles=[OTHER])  # after D: out
    found = portal()
    assert found[CITY, "K9_sessions"] == 2
    assert found[CITY, "K9_families"] == Decimal(1 + 4)
    assert found == reference()


def test_the_same_number_typed_twice_or_spaced_is_one_family():
    row = session(dt.date(2025, 5, 5), mobiles=[PARENT, "139 5770 0001", OTHER])
    assert SessionAttendance.objects.filter(session=row).count() == 2
    row.refresh_from_db()
    assert row.families_reached == 2  # the head count follows the list


def test_removing_a_list_falls_back_to_the_head_count():
    row = session(dt.date(2025, 5, 5), mobiles=[PARENT, OTHER, THIRD])
    services.attendance_replace(session=row, mobiles=[])
    assert portal()[CITY, "K9_families"] == 3  # the head count the list left


def test_the_dashboard_note_says_what_share_of_sessions_have_a_list():
    session(dt.date(2025, 2, 1), mobiles=[PARENT])
    session(dt.date(2025, 3, 1), families=5)
    session(dt.date(2025, 4, 1), families=5)
    session(dt.date(2024, 4, 1), mobiles=[OTHER])  # last year: not counted
    assert session_lists(D) == {"sessions": 3, "listed": 1, "share": "33.3%"}


def test_no_number_is_stored_in_clear():
    session(dt.date(2025, 5, 5), mobiles=[PARENT])
    stored = list(SessionAttendance.objects.values_list("family_hash", flat=True))
    assert stored and PARENT not in stored[0] and len(stored[0]) == 64


def test_the_dashboard_shows_the_share_of_sessions_with_a_list(client_as, bureau):
    session(dt.date(2025, 2, 1), mobiles=[PARENT])
    session(dt.date(2025, 3, 1), families=5)
    compute_period(JUNE)
    html = client_as(bureau).get("/zhibiao/", {"month": "2025-06"}).content.decode()
    assert 'id="k9-lists"' in html and "50.0%" in html
