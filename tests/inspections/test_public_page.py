"""The public results page (一公开): results, findings in plain words and rectification state,
and the published draws with their seeds; never a person's name, ID number or phone."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from inspections import services
from inspections.models import InspectionKind
from inspections.selectors import public_results_for
from institutions import disclosure
from portal.roles import Role
from tests.bulk import make_registry
from tests.factories import StaffMemberFactory, UserFactory

from .factories import bulk_inspections, make_inspection

pytestmark = pytest.mark.django_db

URL = "/gongshi/jiancha/"
ID_NUMBER = re.compile(r"\d{17}[\dX]")
MOBILE = re.compile(r"1[3-9]\d{9}")


@pytest.fixture
def named_inspectors(db):
    return [
        UserFactory(username="zhang_jc", first_name="张检查", role=Role.INSPECTOR),
        UserFactory(username="li_jc", first_name="李督导", role=Role.INSPECTOR),
    ]


@pytest.fixture
def results(institution_a, institution_b, named_inspectors, operator_a, bureau):
    institution_a.contact_phone = "13912345678"
    institution_a.save()
    staff = StaffMemberFactory(institution=institution_a, name="王保育")
    day = dt.date(2025, 5, 6)
    annual = make_inspection(
        institution=institution_a,
        inspectors=named_inspectors,
        kind=InspectionKind.ANNUAL,
        inspected_on=day,
        fail=(0, 1),
    )
    first = annual.findings.order_by("pk").first()
    services.finding_update(
        finding=first, actor=named_inspectors[0], detail=f"保育员{staff.name}，电话13812345678"
    )
    services.rectification_submit(finding=first, actor=operator_a, action_taken="已整改")
    with time_machine.travel(dt.datetime(2025, 5, 9, 3, tzinfo=dt.UTC), tick=False):
        services.rectification_review(finding=first, actor=named_inspectors[0], accept=True)
    patrol = make_inspection(
        institution=institution_b,
        inspectors=named_inspectors[:1],
        kind=InspectionKind.PATROL,
        inspected_on=day,
        fail=(0,),
    )
    draw = services.draw_perform(
        actor=bureau, title="五月双随机抽查", drawn_on=day, sample_size=1, seed=31415926
    )
    services.draw_publish(draw=draw, actor=bureau)
    unpublished = services.draw_perform(
        actor=bureau, title="尚未公示的抽查", drawn_on=day, sample_size=1, seed=27182818
    )
    return {"annual": annual, "patrol": patrol, "staff": staff, "draw": draw, "hidden": unpublished}


def test_anonymous_sees_results_and_published_draws(results, client):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    annual = results["annual"]
    first, second = annual.findings.order_by("pk")
    assert "甲托育中心" in html
    assert "2025-05-06" in html and "年检" in html and "限期整改" in html
    assert first.title in html and second.title in html  # plain words
    assert "已按期整改" in html and "逾期未整改" in html  # rectification state
    assert "31415926" in html and "五月双随机抽查" in html
    assert "27182818" not in html and "尚未公示的抽查" not in html
    # A patrol is not published; institution B has no public result.
    assert "乙托育中心" not in html.split('id="results"')[1]


def test_no_personal_data(results, client, named_inspectors):
    html = client.get(URL).content.decode()
    for user in named_inspectors:
        assert user.first_name not in html
        assert user.username not in html
    assert results["staff"].name not in html
    assert "发现问题" not in html  # the inspector's note is internal
    assert not ID_NUMBER.search(html)
    assert not MOBILE.search(html)
    draw_json = client.get(reverse("inspections:public_draw_json", args=[results["draw"].pk]))
    text = draw_json.content.decode()
    assert not MOBILE.search(text) and not ID_NUMBER.search(text)
    for user in named_inspectors:
        assert user.first_name not in text and user.username not in text


def test_selector_reads_only_public_kinds(results):
    annual, patrol = results["annual"], results["patrol"]
    found = public_results_for([annual.institution_id, patrol.institution_id])
    assert list(found) == [annual.institution_id]
    [item] = found[annual.institution_id]
    assert item.kind_label == "年检"
    assert len(item.findings) == 2
    assert not hasattr(item, "inspectors")


def test_include_renders_for_the_registry_page(results):
    from django.template.loader import render_to_string

    found = public_results_for([results["annual"].institution_id])
    html = render_to_string(
        "inspections/_public_results.html", {"results": found[results["annual"].institution_id]}
    )
    assert "年检" in html and "已按期整改" in html
    assert "暂无公示" in render_to_string("inspections/_public_results.html", {"results": []})


def test_the_registry_disclosure_page_shows_the_results_inspections_hands_it(results, client):
    """The registry's page (/gongshi/) cannot import inspections; inspections registers its
    results with it in AppConfig.ready (institutions.disclosure)."""
    assert public_results_for in disclosure._providers
    response = client.get(reverse("institutions:public_list"))
    assert response.status_code == 200
    cards = {i.pk: i.public_results for i in response.context["page"].object_list}
    annual, patrol = results["annual"], results["patrol"]
    assert [item.kind_label for item in cards[annual.institution_id]] == ["年检"]
    assert cards[patrol.institution_id] == []
    html = response.content.decode()
    assert "2025-05-06" in html and "已按期整改" in html


@pytest.mark.parametrize("count", [100, 1000])
def test_bounded_queries(
    count, client, inspector, inspector2, bureau, django_assert_max_num_queries
):
    institutions = make_registry(count)
    bulk_inspections(institutions, inspector=inspector, inspected_on=dt.date(2025, 4, 1))
    draw = services.draw_perform(
        actor=bureau, title="抽查", drawn_on=dt.date(2025, 4, 2), sample_size=10, seed=1
    )
    services.draw_perform(
        actor=bureau, title="抽查2", drawn_on=dt.date(2025, 4, 2), sample_size=10, seed=2
    )
    for published in (draw,):
        services.draw_publish(draw=published, actor=bureau)
    with django_assert_max_num_queries(9):
        response = client.get(URL)
    assert response.status_code == 200
    assert response.context["page"].paginator.count == count
    html = response.content.decode()
    assert "王小明" not in html and not MOBILE.search(html)  # the bulk notes carry both
    with django_assert_max_num_queries(2):
        results = public_results_for([i.pk for i in institutions])
    assert len(results) == count
