"""A health facility's user records its own facility's session with an attendance list, a
guidance visit and a month's screening figures on the pages, and sees nothing of another
facility's; the bureau links free-text records and reads the network."""

import datetime as dt

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from institutions.health import services
from institutions.models import (
    CareContract,
    ContractServiceMonth,
    GuidanceVisit,
    HealthFacility,
    Institution,
    ParentingSession,
    ScreeningMonth,
    SessionAttendance,
)
from portal.roles import scope
from tests.factories import CareContractFactory, InstitutionFactory

pytestmark = pytest.mark.django_db

SESSIONS = reverse("health:sessions")
GUIDANCE = reverse("health:guidance")
SCREENING = reverse("health:screening")
MOBILES = "13957700001\n139-5770-0002\n13957700001"


def _session_form(facility, **extra):
    return {
        "facility": facility.pk,
        "held_on": "2026-03-05",
        "topic": "婴幼儿科学喂养",
        "venue": "community",
        "community": "",
        "families_reached": "",
        "mobiles": MOBILES,
        **extra,
    }


def test_scope_gives_a_health_centre_its_facility_and_linked_institutions_only(
    health_a, facility_a, facility_b, linked_a, linked_b
):
    assert list(scope(health_a, HealthFacility)) == [facility_a]
    assert list(scope(health_a, Institution, facility_links=True)) == [linked_a]
    assert list(scope(health_a, CareContract)) == list(linked_a.care_contracts.all())
    # The registry's pages do not ask for linked institutions: nothing of theirs by default.
    assert not scope(health_a, Institution).exists()


def test_a_health_centre_never_reads_an_institutions_registry_pages(client_as, health_a, linked_a):
    for url in (
        reverse("institutions:institution_detail", args=[linked_a.pk]),
        reverse("institutions:staff_list", args=[linked_a.pk]),
        reverse("reports:report_form", args=[linked_a.pk, "2026-03"]),
    ):
        assert client_as(health_a).get(url).status_code == 404, url


def test_an_expired_contract_no_longer_links_the_institution(health_a, facility_a):
    institution = InstitutionFactory()
    CareContractFactory(institution=institution, facility=facility_a, valid_to=dt.date(2025, 1, 1))
    linked = scope(health_a, Institution, facility_links=True)
    assert not linked.filter(pk=institution.pk).exists()


def test_a_health_centre_records_a_session_with_its_attendance_list(
    client_as, health_a, facility_a
):
    response = client_as(health_a).post(SESSIONS, _session_form(facility_a))
    assert response.status_code == 302
    session = ParentingSession.objects.get()
    assert session.facility == facility_a
    assert session.organiser_kind == "health_centre"
    assert session.organiser_name == facility_a.name
    assert session.township == facility_a.township
    assert session.venue == "community"
    assert session.families_reached == 2  # two distinct numbers
    assert SessionAttendance.objects.filter(session=session).count() == 2
    page = client_as(health_a).get(SESSIONS).content.decode()
    assert "婴幼儿科学喂养" in page and "13957700001" not in page


def test_a_bad_number_refuses_the_whole_list_and_is_not_echoed(client_as, health_a, facility_a):
    response = client_as(health_a).post(
        SESSIONS, _session_form(facility_a, mobiles="13957700001\n1234567\n13957700003")
    )
    assert response.status_code == 400
    assert not ParentingSession.objects.exists()
    assert "第2个号码" in response.content.decode()
    assert "1234567" not in response.content.decode().split("<textarea")[0]


def test_a_health_centre_cannot_record_for_another_facility(client_as, health_a, facility_b):
    response = client_as(health_a).post(SESSIONS, _session_form(facility_b))
    assert response.status_code == 400  # not a choice
    assert not ParentingSession.objects.exists()


def test_another_facility_never_sees_the_session_nor_its_list(
    client_as, health_a, health_b, facility_a
):
    session = services.health_session_save(
        session=ParentingSession(held_on=dt.date(2026, 3, 1), topic="生长发育", venue="hospital"),
        facility=facility_a,
        mobiles=["13957700001"],
        actor=health_a,
    )
    assert "生长发育" not in client_as(health_b).get(SESSIONS).content.decode()
    url = reverse("health:attendance", args=[session.pk])
    assert client_as(health_b).get(url).status_code == 404
    assert client_as(health_b).post(url, {"mobiles": "13957700009"}).status_code == 404
    assert client_as(health_a).get(url).status_code == 200


def test_the_attendance_page_replaces_the_list(client_as, health_a, facility_a):
    session = services.health_session_save(
        session=ParentingSession(held_on=dt.date(2026, 3, 1), topic="心理", families_reached=9),
        facility=facility_a,
        actor=health_a,
    )
    url = reverse("health:attendance", args=[session.pk])
    assert client_as(health_a).post(url, {"mobiles": MOBILES}).status_code == 302
    assert session.attendance.count() == 2
    session.refresh_from_db()
    assert session.families_reached == 2


def test_a_health_centre_records_guidance_at_a_linked_institution_only(
    client_as, health_a, facility_a, linked_a, linked_b
):
    form = {
        "facility": facility_a.pk,
        "institution": linked_a.pk,
        "visited_on": "2026-03-02",
        "instructor": health_a.pk,
        "mode": "visit",
        "topics": ["nutrition", "growth", "mental_health"],
        "advice": "调整辅食添加顺序。",
        "follow_up": "两周后复查",
        "follow_up_by": "2026-03-16",
    }
    assert client_as(health_a).post(GUIDANCE, form).status_code == 302
    visit = GuidanceVisit.objects.get()
    assert (visit.institution, visit.instructor, visit.facility) == (
        linked_a,
        health_a,
        facility_a,
    )
    assert visit.topics == ["nutrition", "growth", "mental_health"]
    response = client_as(health_a).post(GUIDANCE, {**form, "institution": linked_b.pk})
    assert response.status_code == 400
    assert GuidanceVisit.objects.count() == 1


def test_guidance_needs_a_topic(client_as, health_a, facility_a, linked_a):
    form = {
        "facility": facility_a.pk,
        "institution": linked_a.pk,
        "visited_on": "2026-03-02",
        "mode": "visit",
        "advice": "x",
    }
    assert client_as(health_a).post(GUIDANCE, form).status_code == 400


def test_a_health_centre_enters_a_month_once_and_corrects_it(
    client_as, health_a, health_b, facility_a, facility_b
):
    form = {
        "facility": facility_a.pk,
        "period": "2026-02",
        "development_screenings": 120,
        "risk_assessments": 80,
        "positive_cases": 3,
        "home_visits": 3,
    }
    assert client_as(health_a).post(SCREENING, form).status_code == 302
    assert client_as(health_a).post(SCREENING, {**form, "home_visits": 2}).status_code == 302
    row = ScreeningMonth.objects.get()
    assert (row.period, row.home_visits) == (dt.date(2026, 2, 1), 2)
    own = client_as(health_a).get(SCREENING).content.decode().split("<table")[-1]
    assert facility_a.name in own and '"阳性个案">3</td>' in own
    assert '"家访">2</td>' in own and '"家访">3</td>' not in own  # the correction, once
    services.screening_save(
        facility=facility_b, period=dt.date(2026, 2, 1), figures={"development_screenings": 77}
    )
    other = client_as(health_b).get(SCREENING).content.decode().split("<table")[-1]
    assert facility_b.name in other and '"发育筛查">77</td>' in other
    assert facility_a.name not in other and '"发育筛查">120</td>' not in other
    assert client_as(health_b).post(SCREENING, form).status_code == 400
    assert ScreeningMonth.objects.filter(facility=facility_a).count() == 1


def test_the_database_keeps_one_row_per_facility_and_month(facility_a):
    ScreeningMonth.objects.create(facility=facility_a, period=dt.date(2026, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        ScreeningMonth.objects.create(facility=facility_a, period=dt.date(2026, 1, 1))


@pytest.mark.parametrize("persona", ["operator_a", "family", "anonymous"])
def test_others_cannot_use_the_health_pages(client_as, persona, request):
    user = request.getfixturevalue(persona)
    response = client_as(user).get(SESSIONS)
    assert response.status_code in (302, 403)


def test_read_only_roles_read_but_get_no_form(client_as, auditor, facility_a):
    response = client_as(auditor).get(SESSIONS)
    assert response.status_code == 200 and response.context["form"] is None


def test_the_network_draws_county_township_and_institutions_with_instructors(
    client_as, bureau, health_b, facility_a, linked_a, linked_b
):
    HealthFacility.objects.create(
        name="乐清市妇幼保健院", level="county", kind="maternal_child", township=facility_a.township
    )
    page = client_as(bureau).get(reverse("health:network")).content.decode()
    assert "乐清市妇幼保健院" in page and linked_a.name in page and linked_b.name in page
    own = client_as(health_b).get(reverse("health:network")).content.decode()
    assert linked_b.name in own and linked_a.name not in own


def test_the_bureau_links_free_text_by_name_and_one_by_one(client_as, bureau, facility_a):
    matched = CareContractFactory(health_facility="柳市镇社区卫生服务中心", valid_to=None)
    other = CareContractFactory(health_facility="某某诊所", valid_to=None)
    url = reverse("health:unlinked")
    page = client_as(bureau).get(url).content.decode()
    assert "某某诊所" in page
    assert client_as(bureau).post(url, {"match": "1"}).status_code == 302
    matched.refresh_from_db()
    other.refresh_from_db()
    assert matched.facility == facility_a and other.facility is None
    response = client_as(bureau).post(
        url, {"kind": "contract", "record": other.pk, "facility": facility_a.pk}
    )
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.facility == facility_a


def test_only_bureau_staff_who_write_link(client_as, auditor, health_a, facility_a):
    contract = CareContractFactory(health_facility="某某诊所", valid_to=None)
    url = reverse("health:unlinked")
    form = {"kind": "contract", "record": contract.pk, "facility": facility_a.pk}
    assert client_as(auditor).post(url, form).status_code == 403
    assert client_as(health_a).get(url).status_code == 403
    contract.refresh_from_db()
    assert contract.facility is None


def test_no_mobile_number_reaches_the_database_or_the_logs(
    client_as, api_as, health_a, facility_a, caplog
):
    caplog.set_level("DEBUG")
    client_as(health_a).post(SESSIONS, _session_form(facility_a, mobiles="13957700071"))
    api_as(health_a).post(
        "/api/v1/health/sessions/",
        {
            "facility": facility_a.pk,
            "held_on": "2026-04-02",
            "topic": "x",
            "venue": "hospital",
            "mobiles": ["13957700072"],
        },
        format="json",
    )
    assert SessionAttendance.objects.count() == 2
    tables = [
        model._meta.db_table
        for model in apps.get_app_config("institutions").get_models()
        if "session" in model._meta.db_table
    ]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'SELECT CAST(t AS text) FROM "{table}" t')  # noqa: S608 - our names
            dump = " ".join(row[0] for row in cursor.fetchall())
            assert "1395770007" not in dump, table
    assert "1395770007" not in caplog.text


def test_a_health_centre_user_starts_at_its_home_which_leads_to_its_sessions(client_as, health_a):
    response = client_as(health_a).get(reverse("role_home"))
    assert response.status_code == 200  # the facility's work (tests/home/test_health_home.py)
    assert f'href="{SESSIONS}"' in response.content.decode()


def test_a_health_centre_records_what_it_delivered_under_its_contract(
    client_as, api_as, health_a, health_b, facility_a, linked_a, linked_b, operator_a
):
    contract = linked_a.care_contracts.get()
    form = {
        "contract": contract.pk,
        "period": "2026-02",
        "health_education": 2,
        "vaccination_checks": 35,
        "growth_monitoring": 40,
        "notes": "",
    }
    url = reverse("health:contract_services")
    assert client_as(health_a).post(url, form).status_code == 302
    assert client_as(health_a).post(url, {**form, "growth_monitoring": 38}).status_code == 302
    row = ContractServiceMonth.objects.get()
    assert (row.period, row.growth_monitoring) == (dt.date(2026, 2, 1), 38)
    own = client_as(health_a).get(url).content.decode().split("<table")[-1]
    assert linked_a.name in own and '"生长监测">38</td>' in own
    assert '"生长监测">40</td>' not in own  # the correction replaced the first entry
    assert client_as(health_b).post(url, form).status_code == 400  # not its contract
    services.contract_service_save(
        contract=linked_b.care_contracts.get(),
        period=dt.date(2026, 2, 1),
        figures={"growth_monitoring": 17},
    )
    other = client_as(health_b).get(url).content.decode().split("<table")[-1]
    assert linked_b.name in other and '"生长监测">17</td>' in other
    assert linked_a.name not in other and '"生长监测">38</td>' not in other
    api = "/api/v1/health/contract-services/"
    body = {"contract": contract.pk, "period": "2026-03", "health_education": 1}
    assert api_as(health_b).post(api, body, format="json").status_code == 400  # out of scope
    assert api_as(health_a).post(api, body, format="json").status_code == 201
    assert len(api_as(operator_a).get(api).json()["results"]) == 0  # not operator_a's
    assert ContractServiceMonth.objects.filter(contract=contract).count() == 2


def test_a_month_outside_the_contract_is_refused(health_a, facility_a):
    contract = CareContractFactory(
        facility=facility_a, valid_from=dt.date(2025, 1, 1), valid_to=dt.date(2025, 6, 30)
    )
    with pytest.raises(ValidationError):
        services.contract_service_save(
            contract=contract, period=dt.date(2025, 7, 1), figures={}, actor=health_a
        )
    services.contract_service_save(
        contract=contract, period=dt.date(2025, 6, 1), figures={}, actor=health_a
    )  # its last month
