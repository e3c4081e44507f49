"""Who sees a support case, through the pages and the API: the bureau, the case's institution's
operators and the supporting facility's users; nobody else (404 for a case outside one's scope,
403 for a role that never reads cases, the login page for the anonymous)."""

import pytest
from django.urls import reverse

from institutions.inclusive.models import SupportCase
from portal.roles import scope

SEES = ["bureau", "bureau_admin", "operator_a", "health_a"]
OWN_SCOPE_ONLY = ["operator_b", "health_b"]  # read cases, but not this one
NEVER = ["inspector", "education", "auditor", "family"]


@pytest.fixture
def persona(request, operator_a, operator_b, health_a, health_b):
    return request.getfixturevalue(request.param)


@pytest.mark.parametrize("persona", SEES, indirect=True)
def test_case_page_and_api_for_those_who_see_it(persona, case_a, client_as, api_as):
    page = client_as(persona).get(reverse("inclusive:case_detail", args=[case_a.pk]))
    assert page.status_code == 200
    listing = client_as(persona).get(reverse("inclusive:case_list"))
    assert reverse("inclusive:case_detail", args=[case_a.pk]) in listing.content.decode()
    api = api_as(persona).get(reverse("v1:support-case-detail", args=[case_a.pk]))
    assert api.status_code == 200
    assert api.json()["child_name"] == "张**"
    ids = [
        row["id"] for row in api_as(persona).get(reverse("v1:support-case-list")).json()["results"]
    ]
    assert ids == [case_a.pk]


@pytest.mark.parametrize("persona", OWN_SCOPE_ONLY, indirect=True)
def test_another_institution_or_facility_gets_404_and_an_empty_list(
    persona, case_a, client_as, api_as
):
    page = client_as(persona).get(reverse("inclusive:case_detail", args=[case_a.pk]))
    assert page.status_code == 404
    listing = client_as(persona).get(reverse("inclusive:case_list"))
    assert listing.status_code == 200
    assert reverse("inclusive:case_detail", args=[case_a.pk]) not in listing.content.decode()
    api = api_as(persona).get(reverse("v1:support-case-detail", args=[case_a.pk]))
    assert api.status_code == 404
    assert api_as(persona).get(reverse("v1:support-case-list")).json()["results"] == []
    assert not SupportCase.objects.filter(accesses__user=persona).exists()


@pytest.mark.parametrize("persona", NEVER, indirect=False)
def test_city_wide_roles_other_than_the_bureau_never_read_cases(
    persona, request, case_a, client_as, api_as
):
    user = request.getfixturevalue(persona)
    assert not scope(user, SupportCase).exists()
    for name, args in (("case_list", []), ("case_detail", [case_a.pk])):
        assert client_as(user).get(reverse(f"inclusive:{name}", args=args)).status_code == 403
    assert api_as(user).get(reverse("v1:support-case-list")).status_code == 403
    assert api_as(user).get(reverse("v1:support-case-detail", args=[case_a.pk])).status_code in {
        403,
        404,
    }
    assert not case_a.accesses.exists()


def test_anonymous_is_sent_to_sign_in(case_a, client, api_client):
    response = client.get(reverse("inclusive:case_detail", args=[case_a.pk]))
    assert response.status_code == 302 and response["Location"].startswith("/denglu/")
    assert api_client.get(reverse("v1:support-case-list")).status_code in {401, 403}


def test_a_facility_sees_only_the_cases_it_supports(
    institution_a, facility_a, facility_b, health_a, health_b, case_a
):
    from .conftest import make_case

    other = make_case(institution_a, facility_b, name="赵小四")
    assert list(scope(health_a, SupportCase)) == [case_a]
    assert list(scope(health_b, SupportCase)) == [other]


def test_operator_writes_own_case_and_not_another(
    case_a, operator_a, operator_b, client_as, api_as
):
    url = reverse("inclusive:case_plan", args=[case_a.pk])
    assert client_as(operator_b).post(url, {"need": "autism", "plan": "x"}).status_code == 404
    response = client_as(operator_a).post(url, {"need": "autism", "plan": "新的计划"})
    assert response.status_code == 302
    case_a.refresh_from_db()
    assert (case_a.need, case_a.plan) == ("autism", "新的计划")


def test_health_user_opens_a_case_for_its_facility_only(
    institution_a, facility_a, facility_b, health_a, client_as
):
    data = {
        "institution": institution_a.pk,
        "child_name": "钱小五",
        "child_birth_date": "2023-05-01",
        "child_id_number": "",
        "need": "speech",
        "plan": "言语训练",
        "opened_on": "2025-04-01",
    }
    refused = client_as(health_a).post(
        reverse("inclusive:case_open"), data | {"facility": facility_b.pk}
    )
    assert refused.status_code == 400
    assert not SupportCase.objects.exists()
    response = client_as(health_a).post(
        reverse("inclusive:case_open"), data | {"facility": facility_a.pk}
    )
    assert response.status_code == 302
    case = SupportCase.objects.get()
    assert (case.facility, case.created_by) == (facility_a, health_a)


def test_api_create_refuses_another_institution(institution_b, facility_a, operator_a, api_as):
    data = {
        "institution": institution_b.pk,
        "facility": facility_a.pk,
        "child_name": "孙小六",
        "child_birth_date": "2023-05-01",
        "need": "other",
        "plan": "计划",
        "opened_on": "2025-04-01",
    }
    assert api_as(operator_a).post(reverse("v1:support-case-list"), data).status_code == 403
    assert not SupportCase.objects.exists()


def test_api_create_masks_the_answer(institution_a, facility_a, operator_a, api_as):
    data = {
        "institution": institution_a.pk,
        "facility": facility_a.pk,
        "child_name": "孙小六",
        "child_birth_date": "2023-05-01",
        "child_id_number": "330382202301010011",
        "need": "other",
        "plan": "计划",
        "opened_on": "2025-04-01",
    }
    response = api_as(operator_a).post(reverse("v1:support-case-list"), data, format="json")
    assert response.status_code == 201, response.content
    body = response.content.decode()
    assert "孙小六" not in body and "330382202301010011" not in body
    case = SupportCase.objects.get()
    assert case.child_name.reveal() == "孙小六"


def test_the_header_links_the_cases_for_those_who_read_them(operator_a, inspector, client_as):
    url = reverse("inclusive:case_list")
    home = reverse("role_home")
    assert f'href="{url}"' in client_as(operator_a).get(home, follow=True).content.decode()
    assert f'href="{url}"' not in client_as(inspector).get(home, follow=True).content.decode()


def test_pages_in_english(case_a, bureau, client_as):
    client = client_as(bureau)
    listing = client.get(reverse("inclusive:case_list"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Inclusive care support cases" in listing.content.decode()
    detail = client.get(
        reverse("inclusive:case_detail", args=[case_a.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Support case: 张**" in detail and "Developmental delay" in detail


def test_api_review_for_own_cases_only_and_not_before_opening(case_a, health_a, health_b, api_as):
    from institutions.inclusive.models import SupportReview

    url = reverse("v1:support-review-list")
    data = {"case": case_a.pk, "reviewed_on": "2025-03-01", "progress": "进步明显"}
    assert api_as(health_b).post(url, data, format="json").status_code == 400  # not its case
    early = api_as(health_a).post(url, data | {"reviewed_on": "2025-02-28"}, format="json")
    assert early.status_code == 400
    assert not SupportReview.objects.exists()
    response = api_as(health_a).post(url, data, format="json")
    assert response.status_code == 201, response.content
    assert SupportReview.objects.get().reviewer == health_a
