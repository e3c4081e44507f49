"""The lecturer team (讲师团): membership dated with both ends included, the database's checks,
the sessions' forms naming lecturers, the team's page (masked mobiles) and its API."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from institutions.lecturers import services
from institutions.models import LecturerMember, ParentingSession

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 5)
SESSIONS = reverse("health:sessions")
TEAM = reverse("health:lecturers")
API = "/api/v1/lecturers/"


def _member(name="张医生", **extra) -> LecturerMember:
    values = {
        "name": name,
        "profession": "paediatrician",
        "organisation": "乐清市人民医院",
        "mobile": "13957712345",
        "joined_on": dt.date(2025, 1, 1),
        **extra,
    }
    return services.member_save(member=LecturerMember(**values))


def _form(facility, lecturer, **extra):
    return {
        "facility": facility.pk,
        "held_on": DAY.isoformat(),
        "topic": "婴幼儿科学喂养",
        "venue": "community",
        "community": "",
        "families_reached": "12",
        "mobiles": "",
        "lecturers": [lecturer.pk],
        **extra,
    }


@pytest.mark.parametrize(
    ("joined_on", "left_on", "accepted"),
    [
        (DAY, None, True),  # joined on the session's day: a member that day
        (DAY + dt.timedelta(days=1), None, False),  # joined the day after
        (dt.date(2025, 1, 1), DAY, True),  # left on the session's day: still a member that day
        (dt.date(2025, 1, 1), DAY - dt.timedelta(days=1), False),  # left the day before
    ],
)
def test_a_session_names_only_members_on_its_day(
    client_as, health_a, facility_a, joined_on, left_on, accepted
):
    lecturer = _member(joined_on=joined_on, left_on=left_on)
    response = client_as(health_a).post(SESSIONS, _form(facility_a, lecturer))
    if accepted:
        assert response.status_code == 302
        assert list(ParentingSession.objects.get().lecturers.all()) == [lecturer]
    else:
        assert response.status_code == 400
        assert "不是讲师团成员" in response.content.decode()
        assert not ParentingSession.objects.exists()


def _session(facility, day=DAY):
    return ParentingSession.objects.create(
        held_on=day,
        organiser_kind="health_centre",
        organiser_name=facility.name,
        facility=facility,
        township=facility.township,
        topic="主题",
        families_reached=3,
    )


def test_the_database_refuses_a_lecturer_outside_membership(facility_a):
    lecturer = _member(joined_on=dt.date(2025, 1, 1), left_on=DAY - dt.timedelta(days=1))
    session = _session(facility_a)
    through = ParentingSession.lecturers.through
    with pytest.raises(IntegrityError), transaction.atomic():
        through.objects.create(parentingsession=session, lecturermember=lecturer)
    member = _member(name="李营养师", left_on=DAY)
    through.objects.create(parentingsession=session, lecturermember=member)  # the last day is in
    assert list(session.lecturers.all()) == [member]


def test_the_service_refuses_a_lecturer_outside_membership(facility_a):
    from django.core.exceptions import ValidationError

    session = _session(facility_a)
    late = _member(joined_on=DAY + dt.timedelta(days=1))
    with pytest.raises(ValidationError):
        services.session_lecturers_set(session=session, lecturers=[late])
    assert not session.lecturers.exists()


def test_the_database_requires_a_facility_or_an_organisation(facility_a):
    base = {"name": "王老师", "profession": "other", "joined_on": DAY}
    with pytest.raises(IntegrityError), transaction.atomic():
        LecturerMember.objects.create(**base, organisation="")
    LecturerMember.objects.create(**base, facility=facility_a)
    LecturerMember.objects.create(**base, organisation="温州大学")


def test_the_database_refuses_leaving_before_joining():
    base = {"name": "王老师", "profession": "other", "organisation": "温州大学", "joined_on": DAY}
    with pytest.raises(IntegrityError), transaction.atomic():
        LecturerMember.objects.create(**base, left_on=DAY - dt.timedelta(days=1))
    LecturerMember.objects.create(**base, left_on=DAY)  # one day of membership


def test_a_member_cannot_leave_before_a_session_they_led(facility_a):
    from django.core.exceptions import ValidationError

    lecturer = _member()
    session = _session(facility_a)
    services.session_lecturers_set(session=session, lecturers=[lecturer])
    lecturer.left_on = DAY - dt.timedelta(days=1)
    with pytest.raises(ValidationError):
        services.member_save(member=lecturer)
    lecturer.left_on = DAY
    services.member_save(member=lecturer)


def test_the_bureau_names_lecturers_on_its_session_form(client_as, bureau, facility_a):
    lecturer = _member(left_on=DAY - dt.timedelta(days=1))
    form = {
        "organiser_kind": "health_centre",
        "facility": facility_a.pk,
        "held_on": DAY.isoformat(),
        "topic": "亲子阅读",
        "families_reached": "8",
        "venue": "hospital",
        "lecturers": [lecturer.pk],
    }
    url = reverse("reports:sessions")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.utils.timezone.localdate", lambda *a: dt.date(2026, 4, 1))
        refused = client_as(bureau).post(url, form)
        assert refused.status_code == 400 and "不是讲师团成员" in refused.content.decode()
        assert not ParentingSession.objects.exists()
        lecturer.left_on = DAY
        services.member_save(member=lecturer)
        assert client_as(bureau).post(url, form).status_code == 302
    session = ParentingSession.objects.get()
    assert (session.venue, list(session.lecturers.all())) == ("hospital", [lecturer])


def test_the_team_page_masks_mobiles_and_lists_the_years_sessions(
    client_as, bureau, health_a, facility_a, operator_a
):
    lecturer = _member()
    session = _session(facility_a)
    services.session_lecturers_set(session=session, lecturers=[lecturer])
    _session(facility_a, day=dt.date(2025, 6, 1)).lecturers.add(lecturer)
    for user in (bureau, health_a):
        page = client_as(user).get(TEAM, {"year": 2026}).content.decode()
        assert "张医生" in page and "139****2345" in page and "13957712345" not in page
        assert "03-05" in page and "06-01" not in page
    assert client_as(operator_a).get(TEAM).status_code == 403


def test_the_team_page_reads_in_the_same_number_of_queries_for_1_and_5_members(
    client_as, bureau, facility_a
):
    client = client_as(bureau)
    client.get(TEAM)  # warm the session and caches

    def count():
        with CaptureQueriesContext(transaction.get_connection()) as queries:
            assert client.get(TEAM, {"year": 2026}).status_code == 200
        return len(queries)

    session = _session(facility_a)
    session.lecturers.add(_member())
    one = count()
    for n in range(4):
        _session(facility_a).lecturers.add(_member(name=f"讲师{n}"))
    assert count() == one


def test_the_api_lets_the_bureau_write_and_health_centres_read(
    api_as, bureau, health_a, operator_a
):
    created = api_as(bureau).post(
        API,
        {
            "name": "赵专家",
            "profession": "childcare_expert",
            "organisation": "市托育综合服务中心",
            "mobile": "13800001111",
            "joined_on": "2026-01-01",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["mobile"] == "138****1111"
    member = LecturerMember.objects.get()
    assert member.mobile.reveal() == "13800001111"
    listed = api_as(health_a).get(API)
    assert listed.status_code == 200 and listed.json()["count"] == 1
    assert "13800001111" not in listed.content.decode()
    assert api_as(health_a).post(API, {}, format="json").status_code == 403
    assert api_as(operator_a).get(API).status_code == 403
    # Sending the mask back keeps the stored number.
    url = f"{API}{member.pk}/"
    assert api_as(bureau).patch(url, {"mobile": "138****1111"}, format="json").status_code == 200
    member.refresh_from_db()
    assert member.mobile.reveal() == "13800001111"
    refused = api_as(bureau).patch(url, {"left_on": "2025-12-31"}, format="json")
    assert refused.status_code == 400


def test_a_health_centre_names_lecturers_through_the_api(api_as, health_a, facility_a):
    member = _member(left_on=DAY)
    gone = _member(name="离开的讲师", left_on=DAY - dt.timedelta(days=1))
    body = {
        "facility": facility_a.pk,
        "held_on": DAY.isoformat(),
        "topic": "亲子游戏",
        "venue": "community",
        "families_reached": 5,
    }
    client = api_as(health_a)
    refused = client.post(
        "/api/v1/health/sessions/", body | {"lecturers": [gone.pk]}, format="json"
    )
    assert refused.status_code == 400 and not ParentingSession.objects.exists()
    created = client.post(
        "/api/v1/health/sessions/", body | {"lecturers": [member.pk]}, format="json"
    )
    assert created.status_code == 201, created.json()
    assert created.json()["lecturers"] == [member.pk]
