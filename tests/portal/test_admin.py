import re

import pytest

pytestmark = pytest.mark.django_db


def test_bureau_staff_read_who_changed_what(client_as, bureau, institution_a):
    client = client_as(bureau)
    url = f"/admin/institutions/institution/{institution_a.pk}/change/"
    # Every inline's management form as the page has it (the dated records' lists included).
    prefixes = re.findall(r'name="([\w-]+)-TOTAL_FORMS"', client.get(url).content.decode())
    assert "approved_places" in prefixes
    response = client.post(
        url,
        {
            "name": "甲托育中心（更名）",
            "credit_code": institution_a.credit_code,
            "kind": institution_a.kind,
            "ownership": institution_a.ownership,
            "township": institution_a.township_id,
            "filed_on": "2024-03-01",
            **{
                f"{prefix}-{field}": 0
                for prefix in prefixes
                for field in ("TOTAL_FORMS", "INITIAL_FORMS")
            },
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    history = client.get(f"/admin/institutions/institution/{institution_a.pk}/history/")
    assert history.status_code == 200
    page = history.content.decode()
    assert "bureau" in page
    assert "甲托育中心（更名）" in page


def test_auditor_can_read_the_admin_but_not_change(client_as, auditor, institution_a):
    client = client_as(auditor)
    url = f"/admin/institutions/institution/{institution_a.pk}/change/"
    assert client.get("/admin/institutions/institution/").status_code == 200
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "改不了"})
    assert response.status_code == 403
    institution_a.refresh_from_db()
    assert institution_a.name == "甲托育中心"


def test_operator_cannot_enter_the_admin(client_as, operator_a):
    response = client_as(operator_a).get("/admin/institutions/institution/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_admin_staff_list_shows_masked_id_numbers(client_as, bureau):
    from tests.factories import StaffMemberFactory

    StaffMemberFactory(id_number="11010519491231002X")
    page = client_as(bureau).get("/admin/institutions/staffmember/").content.decode()
    assert "110105********002X" in page
    assert "11010519491231002X" not in page
