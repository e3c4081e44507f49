"""The three-level network page runs a fixed number of queries whatever the number of facilities
and contracts, and draws the township facilities a page at a time under a summary of them all
with their counts (issue 21: a province has thousands of contracted institutions)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from institutions.health import views
from tests.factories import (
    CareContractFactory,
    HealthFacilityFactory,
    InstitutionFactory,
    InstructorAssignmentFactory,
    UserFactory,
    township,
)

pytestmark = pytest.mark.django_db
NETWORK = reverse("health:network")
# Pinned: the session, the user and the page's shared reads (roles, the header's notifications),
# then the township facilities with their counts, the county level, the page's contracts with
# their institutions and townships, the instructors as of today and their users.
QUERIES = 9


def contract(facility, name, *, instructor=None):
    institution = InstitutionFactory(name=name, township=facility.township)
    CareContractFactory(
        institution=institution, valid_to=None, facility=facility, health_facility=facility.name
    )
    if instructor:
        InstructorAssignmentFactory(institution=institution, instructor=instructor)
    return institution


def network(client, page=None):
    with CaptureQueriesContext(connection) as captured:
        answer = client.get(NETWORK, {"page": page} if page else {})
    assert answer.status_code == 200
    return answer.content.decode(), len(captured)


def test_the_network_runs_the_same_queries_for_one_and_five(client_as, bureau):
    instructor = UserFactory(username="instructor1", first_name="指导员甲")
    first = HealthFacilityFactory(name="网络测试中心1", township=township("114"))
    HealthFacilityFactory(name="乐清市妇幼保健院", level="county", kind="maternal_child",
                          township=township("114"))  # fmt: skip
    contract(first, "网络托育园0", instructor=instructor)
    CareContractFactory(valid_to=None, health_facility="某某诊所")  # names no facility
    client = client_as(bureau)
    html, one = network(client)
    assert "网络托育园0" in html and "指导员甲" in html and "某某诊所" in html
    for n in range(1, 5):
        contract(first, f"网络托育园{n}", instructor=instructor)
        CareContractFactory(valid_to=None, health_facility=f"某某诊所{n}")
    for n in range(2, 4):  # within one page of facilities
        contract(HealthFacilityFactory(name=f"网络测试中心{n}", township=township("114")),
                 f"其他托育园{n}", instructor=instructor)  # fmt: skip
    html, five = network(client)
    assert all(f"网络托育园{n}" in html for n in range(5)) and "其他托育园3" in html
    assert one == five == QUERIES


def test_the_facilities_are_drawn_a_page_at_a_time_under_the_summary(
    client_as, bureau, monkeypatch
):
    monkeypatch.setattr(views, "NETWORK_FACILITIES", 2)
    facilities = [
        HealthFacilityFactory(name=f"网络测试中心{n}", township=township("114")) for n in range(3)
    ]
    for n, facility in enumerate(facilities):
        for k in range(n + 1):
            contract(facility, f"托育园{n}-{k}")
    client = client_as(bureau)
    first, _n = network(client)
    second, _n = network(client, page=2)
    for html in (first, second):
        # The summary names every facility, its count and the page it is drawn on.
        assert "共 3 家镇街级医疗卫生机构，有效签约托育机构 6 家。" in html
        assert f'?page=2#facility-{facilities[2].pk}"' in html
        assert f'?page=1#facility-{facilities[0].pk}"' in html
    assert f'id="facility-{facilities[0].pk}"' in first and "托育园1-1" in first
    assert f'id="facility-{facilities[2].pk}"' not in first and "托育园2-0" not in first
    assert f'id="facility-{facilities[2].pk}"' in second and "托育园2-2" in second
    assert "托育园0-0" not in second and "托育园1-1" not in second


def test_a_health_centre_sees_only_its_own_facility(client_as, health_b, facility_a, facility_b):
    contract(facility_a, "甲方托育园")
    contract(facility_b, "乙方托育园")
    html, _n = network(client_as(health_b))
    assert "乙方托育园" in html and "甲方托育园" not in html
    assert "共 1 家镇街级医疗卫生机构，有效签约托育机构 1 家。" in html
