"""The admin writes support cases and reviews through the services, as the pages and the API do:
who opened the case and who reviewed it is the signed-in bureau user, the service's rules are
errors next to the admin's fields, a stored case keeps its institution and facility, a case is
closed on its page only, a closed case is read only and a review is added, never changed."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from institutions.inclusive.models import SupportCase, SupportReview

TODAY = timezone.localdate()
ADD = "admin:institutions_supportcase_add"
CHANGE = "admin:institutions_supportcase_change"
REVIEW_ADD = "admin:institutions_supportreview_add"
REVIEW_CHANGE = "admin:institutions_supportreview_change"


def _case_form(institution, facility, **values) -> dict:
    return {
        "institution": institution.pk,
        "facility": facility.pk,
        "child_name": "赵小宝",
        "child_birth_date": "2024-01-02",
        "child_id_number": "",
        "need": SupportCase.Need.DEVELOPMENTAL_DELAY,
        "plan": "每周一次个别化训练",
        "opened_on": TODAY.isoformat(),
        **values,
    }


def test_a_case_opened_in_the_admin_is_the_bureau_users_through_the_service(
    institution_a, facility_a, bureau_admin, client_as
):
    client = client_as(bureau_admin)
    response = client.post(reverse(ADD), _case_form(institution_a, facility_a))
    assert response.status_code == 302, response.content.decode()[:2000]
    case = SupportCase.objects.get()
    assert case.created_by == bureau_admin
    assert case.history.get().history_user == bureau_admin
    assert case.opened_on == TODAY  # today itself is allowed


def test_a_case_opened_tomorrow_is_refused_next_to_its_field_and_nothing_is_written(
    institution_a, facility_a, bureau_admin, client_as
):
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    response = client_as(bureau_admin).post(
        reverse(ADD), _case_form(institution_a, facility_a, opened_on=tomorrow)
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["opened_on"] == ["开案日期不能晚于今天。"]
    assert not SupportCase.objects.exists()


def test_the_admin_changes_the_plan_but_not_the_institution_nor_the_closing(
    case_a, institution_b, facility_b, bureau_admin, client_as
):
    client = client_as(bureau_admin)
    data = _case_form(
        institution_b,
        facility_b,
        plan="改为每周两次",
        closed_on=TODAY.isoformat(),
        opened_on="2025-03-01",
    )
    response = client.post(reverse(CHANGE, args=[case_a.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    case_a.refresh_from_db()
    assert case_a.plan == "改为每周两次"
    assert (case_a.institution_id, case_a.facility_id) != (institution_b.pk, facility_b.pk)
    assert case_a.closed_on is None  # closed on the case's page, by case_close's rules
    assert case_a.history.latest().history_user == bureau_admin


def test_a_closed_case_is_read_only_in_the_admin(case_a, bureau_admin, client_as):
    SupportCase.objects.filter(pk=case_a.pk).update(closed_on=TODAY)
    client = client_as(bureau_admin)
    page = client.get(reverse(CHANGE, args=[case_a.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    data = _case_form(case_a.institution, case_a.facility, plan="结案后再改")
    assert client.post(reverse(CHANGE, args=[case_a.pk]), data).status_code == 403
    case_a.refresh_from_db()
    assert case_a.plan != "结案后再改"


def _review_form(case, **values) -> dict:
    return {
        "case": case.pk,
        "reviewed_on": TODAY.isoformat(),
        "progress": "能独立行走",
        "next_step": "",
        "next_review_by": "",
        **values,
    }


def test_a_review_added_in_the_admin_names_the_bureau_user(case_a, bureau_admin, client_as):
    response = client_as(bureau_admin).post(reverse(REVIEW_ADD), _review_form(case_a))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert SupportReview.objects.get().reviewer == bureau_admin


def test_a_review_of_a_closed_case_or_dated_tomorrow_is_refused(case_a, bureau_admin, client_as):
    client = client_as(bureau_admin)
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    response = client.post(reverse(REVIEW_ADD), _review_form(case_a, reviewed_on=tomorrow))
    assert response.context["adminform"].form.errors["reviewed_on"] == ["评估日期不能晚于今天。"]
    SupportCase.objects.filter(pk=case_a.pk).update(closed_on=TODAY)
    response = client.post(reverse(REVIEW_ADD), _review_form(case_a))
    assert response.status_code == 200
    assert "个案已结案，不能再登记评估。" in response.content.decode()
    assert not SupportReview.objects.exists()


def test_a_review_is_not_changed_in_the_admin(case_a, institution_a, bureau_admin, client_as):
    review = SupportReview.objects.create(
        case=case_a, reviewed_on=case_a.opened_on, progress="初评", reviewer=bureau_admin
    )
    client = client_as(bureau_admin)
    url = reverse(REVIEW_CHANGE, args=[review.pk])
    assert client.post(url, _review_form(case_a, progress="改过")).status_code == 403
    review.refresh_from_db()
    assert review.progress == "初评"
