"""Two health facilities' users side by side: facility B's user never sees facility A's guidance
visits, screening months or "1+1" contract services, on the pages or through the API (a list
leaves them out, a detail is a 404 as if they did not exist), while it sees its own. The
guidance records have no detail or edit page (only /weisheng/zhidao/), so the list is what a page
could show."""

import datetime as dt

import pytest
from django.urls import reverse

from institutions.health import services
from institutions.models import GuidanceVisit

pytestmark = pytest.mark.django_db

API = "/api/v1/health"


@pytest.fixture
def records(health_a, health_b, facility_a, facility_b, linked_a, linked_b):
    """Each facility's guidance visit, screening month and contract service month."""
    made = {}
    for key, user, facility, institution, figure in (
        ("a", health_a, facility_a, linked_a, 111),
        ("b", health_b, facility_b, linked_b, 222),
    ):
        made[key] = {
            "guidance": services.guidance_save(
                visit=GuidanceVisit(
                    institution=institution,
                    facility=facility,
                    instructor=user,
                    visited_on=dt.date(2026, 3, 2),
                    topics=["nutrition"],
                    advice=f"{institution.name}的指导意见",
                ),
                actor=user,
            ),
            "screening": services.screening_save(
                facility=facility,
                period=dt.date(2026, 2, 1),
                figures={"development_screenings": figure},
                actor=user,
            ),
            "service": services.contract_service_save(
                contract=institution.care_contracts.get(),
                period=dt.date(2026, 2, 1),
                figures={"vaccination_checks": figure},
                actor=user,
            ),
        }
    return made


def _table(client, name: str) -> str:
    return client.get(reverse(name)).content.decode().split("<table")[-1]


def test_the_guidance_page_lists_only_the_own_facilitys_visits(
    client_as, health_a, health_b, linked_a, linked_b, records
):
    other = _table(client_as(health_b), "health:guidance")
    assert f"{linked_b.name}的指导意见" in other
    assert f"{linked_a.name}的指导意见" not in other and linked_a.name not in other
    own = _table(client_as(health_a), "health:guidance")
    assert f"{linked_a.name}的指导意见" in own and linked_b.name not in own


def test_the_screening_and_contract_pages_list_only_the_own_facilitys_months(
    client_as, health_b, facility_a, facility_b, linked_a, linked_b, records
):
    screening = _table(client_as(health_b), "health:screening")
    assert facility_b.name in screening and '"发育筛查">222</td>' in screening
    assert facility_a.name not in screening and '"发育筛查">111</td>' not in screening
    services_page = _table(client_as(health_b), "health:contract_services")
    assert linked_b.name in services_page and '"疫苗查验">222</td>' in services_page
    assert linked_a.name not in services_page and '"疫苗查验">111</td>' not in services_page


@pytest.mark.parametrize(
    ("endpoint", "record"),
    [
        ("guidance-visits", "guidance"),
        ("screenings", "screening"),
        ("contract-services", "service"),
    ],
)
def test_the_api_leaves_out_another_facilitys_records_and_404s_their_detail(
    api_as, health_a, health_b, records, endpoint, record
):
    mine, theirs = records["b"][record], records["a"][record]
    other = api_as(health_b)
    listed = [row["id"] for row in other.get(f"{API}/{endpoint}/").json()["results"]]
    assert listed == [mine.pk]
    assert other.get(f"{API}/{endpoint}/{theirs.pk}/").status_code == 404
    assert other.get(f"{API}/{endpoint}/{mine.pk}/").status_code == 200
    assert api_as(health_a).get(f"{API}/{endpoint}/{theirs.pk}/").status_code == 200
