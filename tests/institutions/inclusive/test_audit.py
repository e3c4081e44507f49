"""Every read of a case writes one access row per case, in one insert per request: pages (list
and detail), API (list and retrieve), admin (changelist, change and history pages)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from institutions.inclusive.models import SupportCaseAccess, SupportReview

TABLE = SupportCaseAccess._meta.db_table


def _inserts(context) -> int:
    return sum(1 for q in context.captured_queries if q["sql"].startswith(f'INSERT INTO "{TABLE}"'))


def _rows(user, channel, action):
    return list(
        SupportCaseAccess.objects.filter(user=user, channel=channel, action=action)
        .order_by("case_id")
        .values_list("case_id", flat=True)
    )


def test_page_list_of_three_writes_three_rows_in_one_insert(three_cases, operator_a, client_as):
    client = client_as(operator_a)
    with CaptureQueriesContext(connection) as context:
        assert client.get(reverse("inclusive:case_list")).status_code == 200
    assert _inserts(context) == 1
    assert _rows(operator_a, "page", "list") == sorted(c.pk for c in three_cases)
    assert SupportCaseAccess.objects.count() == 3


def test_page_detail_writes_one_row(three_cases, health_a, client_as):
    case = three_cases[1]
    client_as(health_a).get(reverse("inclusive:case_detail", args=[case.pk]))
    assert _rows(health_a, "page", "detail") == [case.pk]
    assert SupportCaseAccess.objects.count() == 1


def test_api_list_and_retrieve(three_cases, bureau, api_as):
    client = api_as(bureau)
    with CaptureQueriesContext(connection) as context:
        assert client.get(reverse("v1:support-case-list")).status_code == 200
    assert _inserts(context) == 1
    assert _rows(bureau, "api", "list") == sorted(c.pk for c in three_cases)
    client.get(reverse("v1:support-case-detail", args=[three_cases[0].pk]))
    assert _rows(bureau, "api", "detail") == [three_cases[0].pk]
    assert SupportCaseAccess.objects.count() == 4


def test_api_review_list_audits_each_case_once(three_cases, operator_a, bureau, api_as):
    for day in (5, 6):
        SupportReview.objects.create(
            case=three_cases[0],
            reviewed_on=three_cases[0].opened_on.replace(day=day),
            progress="进步",
            reviewer=bureau,
        )
    api_as(operator_a).get(reverse("v1:support-review-list"))
    assert _rows(operator_a, "api", "list") == [three_cases[0].pk]


def test_admin_changelist_change_and_history(three_cases, bureau_admin, client_as):
    client = client_as(bureau_admin)
    with CaptureQueriesContext(connection) as context:
        response = client.get(reverse("admin:institutions_supportcase_changelist"))
    assert response.status_code == 200
    assert _inserts(context) == 1
    assert _rows(bureau_admin, "admin", "list") == sorted(c.pk for c in three_cases)
    case = three_cases[2]
    assert (
        client.get(reverse("admin:institutions_supportcase_change", args=[case.pk])).status_code
        == 200
    )
    client.get(reverse("admin:institutions_supportcase_history", args=[case.pk]))
    assert _rows(bureau_admin, "admin", "detail") == [case.pk, case.pk]


@pytest.mark.parametrize("persona", ["inspector", "auditor", "education"])
def test_admin_is_the_bureau_only(persona, request, case_a, client_as):
    client = client_as(request.getfixturevalue(persona))
    for url in (
        reverse("admin:institutions_supportcase_changelist"),
        reverse("admin:institutions_supportcase_change", args=[case_a.pk]),
        reverse("admin:institutions_supportcaseaccess_changelist"),
    ):
        assert client.get(url).status_code in {302, 403, 404}
    assert not SupportCaseAccess.objects.exists()


def test_bureau_reads_the_access_log_operator_does_not(
    case_a, bureau, operator_a, health_a, client_as
):
    client_as(health_a).get(reverse("inclusive:case_detail", args=[case_a.pk]))
    url = reverse("inclusive:case_accesses", args=[case_a.pk])
    assert client_as(operator_a).get(url).status_code == 403
    response = client_as(bureau).get(url)
    assert response.status_code == 200
    assert "health_a" in response.content.decode()


def _review(case, reviewer):
    return SupportReview.objects.create(
        case=case, reviewed_on=case.opened_on, progress="进步", reviewer=reviewer
    )


def test_admin_history_versions_write_one_row_per_case(case_a, bureau_admin, client_as):
    """simple_history's page of one past version shows the case as the change page does."""
    client = client_as(bureau_admin)
    version = case_a.history.get()
    url = reverse("admin:institutions_supportcase_simple_history", args=[case_a.pk, version.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert "每周两次个别化训练" in response.content.decode()
    assert _rows(bureau_admin, "admin", "detail") == [case_a.pk]
    review = _review(case_a, bureau_admin)
    version = review.history.get()
    url = reverse("admin:institutions_supportreview_simple_history", args=[review.pk, version.pk])
    assert client.get(url).status_code == 200
    assert _rows(bureau_admin, "admin", "detail") == [case_a.pk, case_a.pk]
    assert SupportCaseAccess.objects.count() == 2


@pytest.mark.parametrize("persona", ["inspector", "auditor", "education"])
def test_admin_history_versions_refused_unaudited_to_other_staff(
    persona, request, case_a, bureau, client_as
):
    review = _review(case_a, bureau)
    client = client_as(request.getfixturevalue(persona))
    for model, record in (("supportcase", case_a), ("supportreview", review)):
        version = record.history.get()
        url = reverse(f"admin:institutions_{model}_simple_history", args=[record.pk, version.pk])
        assert client.get(url).status_code == 403
    assert not SupportCaseAccess.objects.exists()


def test_browsable_api_review_form_lists_no_case(three_cases, operator_a, bureau, client_as):
    """The HTML form of /api/v1/support-reviews/ takes the case's number (no select of the cases
    in scope); the page shows the reviews' cases only as numbers, and audits what it lists."""
    _review(three_cases[0], bureau)
    response = client_as(operator_a).get(reverse("v1:support-review-list"), HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert 'name="case"' in body  # the form is there, as a plain input
    assert not [name for name in ("张**", "李**", "王**", "发育迟缓") if name in body]
    assert _rows(operator_a, "api", "list") == [three_cases[0].pk]
    assert SupportCaseAccess.objects.count() == 1


def test_browsable_api_case_list_audits_what_it_shows(three_cases, operator_a, client_as):
    response = client_as(operator_a).get(reverse("v1:support-case-list"), HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert _rows(operator_a, "api", "list") == sorted(c.pk for c in three_cases)
    assert SupportCaseAccess.objects.count() == 3


def test_admin_access_log_names_cases_by_number_only(case_a, bureau, bureau_admin, client_as):
    """Reading who read a case is not a read of the case: no masked name, no need."""
    client_as(bureau).get(reverse("inclusive:case_detail", args=[case_a.pk]))
    access = SupportCaseAccess.objects.get()
    client = client_as(bureau_admin)
    for url in (
        reverse("admin:institutions_supportcaseaccess_changelist"),
        reverse("admin:institutions_supportcaseaccess_change", args=[access.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        body = response.content.decode()
        assert "bureau" in body
        assert "张**" not in body and "发育迟缓" not in body, url
    assert SupportCaseAccess.objects.count() == 1
