"""Task 3: the education bureau's department writes its kindergartens' childcare-class places
through the registry's service, with history; other departments and read-only roles do not."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from institutions.models import ApprovedPlaces, Institution
from programme.kindergartens import kindergarten_places_record
from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def kindergarten(db):
    return InstitutionFactory(kind=Institution.Kind.KINDERGARTEN, name="乐成幼儿园")


def _post(client, kindergarten, **extra):
    return client.post(
        "/zhuanban/tuoban/",
        {
            "institution": kindergarten.pk,
            "effective_from": "2025-09-01",
            "infant": 0,
            "toddler": 15,
            "older": 20,
            "mixed": 0,
            **extra,
        },
    )


def test_education_department_records_places_with_history(client_as, education_dept, kindergarten):
    assert _post(client_as(education_dept), kindergarten).status_code == 302
    places = ApprovedPlaces.objects.get(institution=kindergarten)
    assert places.total == 35
    assert places.history.get().history_user == education_dept
    page = client_as(education_dept).get("/zhuanban/tuoban/").content.decode()
    assert "乐成幼儿园" in page and "35" in page


def test_the_registry_rules_apply(education_dept, kindergarten):
    fields = dict(effective_from="2025-09-01", infant=0, toddler=1, older=0, mixed=0)
    kindergarten_places_record(institution=kindergarten, actor=education_dept, **fields)
    with pytest.raises(ValidationError):  # one record per day, as in the registry
        kindergarten_places_record(institution=kindergarten, actor=education_dept, **fields)


def test_other_departments_and_read_only_roles_may_not(
    client_as, civil_dept, education, kindergarten
):
    assert _post(client_as(civil_dept), kindergarten).status_code == 403
    assert _post(client_as(education), kindergarten).status_code == 403
    assert not ApprovedPlaces.objects.exists()


def test_only_kindergartens(education_dept):
    centre = InstitutionFactory(kind=Institution.Kind.CENTRE)
    with pytest.raises(PermissionDenied):
        kindergarten_places_record(
            institution=centre,
            actor=education_dept,
            effective_from="2025-09-01",
            infant=1,
            toddler=0,
            older=0,
            mixed=0,
        )


def test_an_education_bureau_user_of_the_lead_department_writes_task_3_only(
    client_as, education, auditor, kindergarten
):
    """The education bureau's own staff (role 教育局, read-only elsewhere) write task 3's places
    once they are members of 市教育局, task 3's lead; not before, and an auditor never."""
    from programme.models import Department

    assert _post(client_as(education), kindergarten).status_code == 403
    lead = Department.objects.get(name="市教育局")
    lead.users.add(education)
    assert _post(client_as(education), kindergarten).status_code == 302
    assert ApprovedPlaces.objects.get(institution=kindergarten).history.get().history_user == (
        education
    )
    lead.users.add(auditor)
    assert _post(client_as(auditor), kindergarten, effective_from="2025-10-01").status_code == 403
    # Read-only everywhere else: the registry's own pages still refuse the same user.
    response = client_as(education).post(f"/jigou/{kindergarten.pk}/staff/add/", {})
    assert response.status_code == 403
