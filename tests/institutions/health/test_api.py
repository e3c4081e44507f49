"""The same rules through the API: a health facility's user records its own facility's session
with an attendance list, a guidance visit and a month's screening figures, and sees nothing of
another facility's. Attendance lists are written, never read back."""

import datetime as dt

import pytest

from institutions.health import services
from institutions.models import GuidanceVisit, ParentingSession, ScreeningMonth

pytestmark = pytest.mark.django_db

API = "/api/v1/health"


def test_a_health_centre_records_a_session_with_its_list(api_as, health_a, facility_a):
    response = api_as(health_a).post(
        f"{API}/sessions/",
        {
            "facility": facility_a.pk,
            "held_on": "2026-04-02",
            "topic": "生长发育监测",
            "venue": "hospital",
            "mobiles": ["13957700001", "13957700002", "13957700001"],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["families_on_list"] == 2 and body["families_reached"] == 2
    assert "mobiles" not in body and "13957700001" not in response.content.decode()
    session = ParentingSession.objects.get()
    assert session.facility == facility_a and session.created_by == health_a


def test_a_bad_number_refuses_the_session(api_as, health_a, facility_a):
    response = api_as(health_a).post(
        f"{API}/sessions/",
        {
            "facility": facility_a.pk,
            "held_on": "2026-04-02",
            "topic": "x",
            "venue": "community",
            "mobiles": ["13957700001", "0577-1234"],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "0577-1234" not in response.content.decode()
    assert not ParentingSession.objects.exists()


def test_a_health_centre_cannot_write_for_another_facility(api_as, health_a, facility_b):
    client = api_as(health_a)
    session = {"facility": facility_b.pk, "held_on": "2026-04-02", "topic": "x"}
    session |= {"venue": "community", "families_reached": 3}
    assert client.post(f"{API}/sessions/", session, format="json").status_code == 403
    month = {"facility": facility_b.pk, "period": "2026-03", "development_screenings": 1}
    assert client.post(f"{API}/screenings/", month, format="json").status_code == 403
    assert not ParentingSession.objects.exists() and not ScreeningMonth.objects.exists()


def test_another_facility_sees_nothing_and_cannot_touch_the_list(
    api_as, health_a, health_b, facility_a
):
    session = services.health_session_save(
        session=ParentingSession(held_on=dt.date(2026, 3, 1), topic="喂养", venue="community"),
        facility=facility_a,
        mobiles=["13957700001"],
        actor=health_a,
    )
    other = api_as(health_b)
    assert other.get(f"{API}/sessions/").json()["results"] == []
    assert other.get(f"{API}/sessions/{session.pk}/").status_code == 404
    answer = other.post(f"{API}/sessions/{session.pk}/attendance/", {"mobiles": []}, format="json")
    assert answer.status_code == 404
    assert session.attendance.count() == 1
    own = api_as(health_a).post(
        f"{API}/sessions/{session.pk}/attendance/",
        {"mobiles": ["13957700002", "13957700003"]},
        format="json",
    )
    assert own.status_code == 200 and own.json()["families_on_list"] == 2


def test_guidance_through_the_api(api_as, health_a, health_b, facility_a, linked_a, linked_b):
    visit = {
        "facility": facility_a.pk,
        "institution": linked_a.pk,
        "visited_on": "2026-04-01",
        "topics": ["nutrition", "mental_health"],
        "advice": "增加户外活动时间。",
    }
    response = api_as(health_a).post(f"{API}/guidance-visits/", visit, format="json")
    assert response.status_code == 201, response.json()
    assert GuidanceVisit.objects.get().instructor == health_a
    # An institution not linked to the facility is not a choice (404-like: not in scope).
    response = api_as(health_a).post(
        f"{API}/guidance-visits/", {**visit, "institution": linked_b.pk}, format="json"
    )
    assert response.status_code == 400
    assert api_as(health_b).get(f"{API}/guidance-visits/").json()["results"] == []
    bad = api_as(health_a).post(
        f"{API}/guidance-visits/", {**visit, "topics": ["astrology"]}, format="json"
    )
    assert bad.status_code == 400


def test_screening_figures_through_the_api(api_as, health_a, health_b, facility_a, operator_a):
    month = {
        "facility": facility_a.pk,
        "period": "2026-03",
        "development_screenings": 40,
        "risk_assessments": 30,
        "positive_cases": 2,
        "home_visits": 2,
    }
    assert api_as(health_a).post(f"{API}/screenings/", month, format="json").status_code == 201
    again = api_as(health_a).post(f"{API}/screenings/", {**month, "home_visits": 1}, format="json")
    assert again.status_code == 201
    assert ScreeningMonth.objects.get().home_visits == 1
    assert api_as(health_b).get(f"{API}/screenings/").json()["results"] == []
    assert api_as(operator_a).get(f"{API}/screenings/").status_code == 403


def test_facilities_are_scoped(api_as, health_a, bureau, facility_a, facility_b):
    names = [row["name"] for row in api_as(health_a).get(f"{API}/facilities/").json()["results"]]
    assert names == [facility_a.name]
    assert len(api_as(bureau).get(f"{API}/facilities/").json()["results"]) == 2
