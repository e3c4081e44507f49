"""A health facility's user lands on a home (/wode/) with what waits for the facility: last month's
screening figures and "1+1" services not yet entered, institutions under contract without a
guidance visit this quarter, and this year's sessions without an attendance list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from institutions.health.selectors import facility_work
from institutions.models import (
    CareContract,
    ContractServiceMonth,
    GuidanceVisit,
    ParentingSession,
    ScreeningMonth,
    SessionAttendance,
)
from portal.personal_data import keyed_hash
from tests.factories import CareContractFactory, InstitutionFactory

pytestmark = pytest.mark.django_db
HOME = "/wode/"
MAY = dt.date(2025, 5, 1)
# Pinned (12 on the province-scale data too): what every home reads (session, user, roles,
# notifications) and facility_work's six reads.
QUERIES = 12


def work_of(user, today):
    return facility_work(user, today=today)[0]


def session(facility, held_on, **fields):
    return ParentingSession.objects.create(
        held_on=held_on,
        organiser_kind=ParentingSession.OrganiserKind.HEALTH_CENTRE,
        organiser_name=facility.name,
        facility=facility,
        township=facility.township,
        topic="科学喂养",
        families_reached=10,
        **fields,
    )


def test_a_health_centre_user_lands_on_its_home(client_as, health_a, linked_a, today):
    response = client_as(health_a).get(HOME)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="home-health"' in html and "乐清市柳市镇社区卫生服务中心" in html
    assert "2025年5月筛查数据" in html and "柳市甲托育园" in html


def test_last_months_screening_is_missing_until_entered(health_a, facility_a, today):
    assert work_of(health_a, today).screening_missing
    ScreeningMonth.objects.create(facility=facility_a, period=dt.date(2025, 4, 1))
    assert work_of(health_a, today).screening_missing  # April is not last month
    ScreeningMonth.objects.create(facility=facility_a, period=MAY)
    assert not work_of(health_a, today).screening_missing


def test_contract_services_are_asked_for_contracts_valid_last_month(
    health_a, facility_a, linked_a, today
):
    contract = CareContract.objects.get(institution=linked_a)
    CareContract.objects.filter(pk=contract.pk).update(valid_from=dt.date(2024, 1, 1))
    ended = CareContractFactory(
        institution=InstitutionFactory(name="已于四月解约园"),
        valid_from=dt.date(2024, 1, 1),
        valid_to=dt.date(2025, 4, 30),
        facility=facility_a,
    )
    last_day = CareContractFactory(
        institution=InstitutionFactory(name="五月末签约园"),
        valid_from=dt.date(2025, 5, 31),
        valid_to=None,
        facility=facility_a,
    )
    missing = {c.pk for c in work_of(health_a, today).services_missing}
    assert missing == {contract.pk, last_day.pk}  # valid on May's last day counts; April's not
    assert ended.pk not in missing
    ContractServiceMonth.objects.create(contract=contract, period=MAY)
    assert {c.pk for c in work_of(health_a, today).services_missing} == {last_day.pk}


def test_guidance_is_asked_once_per_quarter(health_a, facility_a, linked_a, today):
    assert [i.pk for i in work_of(health_a, today).without_guidance] == [linked_a.pk]
    visit = dict(
        institution=linked_a, facility=facility_a, instructor=health_a, advice="注意辅食添加"
    )
    GuidanceVisit.objects.create(visited_on=dt.date(2025, 3, 31), **visit)  # last quarter
    assert work_of(health_a, today).without_guidance
    GuidanceVisit.objects.create(
        visited_on=dt.date(2025, 4, 1), **visit
    )  # this quarter's first day
    assert work_of(health_a, today).without_guidance == []


def test_sessions_without_a_list_are_counted_for_this_year(health_a, facility_a, today):
    session(facility_a, dt.date(2024, 12, 31))  # last year
    listed = session(facility_a, dt.date(2025, 1, 1))
    SessionAttendance.objects.create(session=listed, family_hash=keyed_hash("13812345678"))
    session(facility_a, dt.date(2025, 6, 5))  # today
    session(facility_a, dt.date(2025, 6, 6))  # tomorrow
    assert work_of(health_a, today).sessions_without_list == 1


def test_another_facilitys_work_is_not_shown(client_as, health_a, health_b, linked_b, today):
    html = client_as(health_a).get(HOME).content.decode()
    assert "北白象乙托育园" not in html and "乐清市北白象镇中心卫生院" not in html


def test_the_health_home_runs_the_same_queries_for_one_or_five(
    client_as, health_a, facility_a, linked_a, today
):
    client = client_as(health_a)
    client.get(HOME)
    with CaptureQueriesContext(connection) as one:
        client.get(HOME)
    for number in range(4):
        institution = InstitutionFactory(name=f"签约园{number}")
        CareContractFactory(institution=institution, valid_to=None, facility=facility_a)
        session(facility_a, dt.date(2025, 2, 1 + number))
    with CaptureQueriesContext(connection) as five:
        html = client.get(HOME).content.decode()
    assert all(f"签约园{number}" in html for number in range(4))
    assert len(five) == len(one) == QUERIES
