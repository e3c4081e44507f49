"""The audit search (审计查询): bureau admins and auditors find who changed what and when across
every record's history and the admin's log, with one query for the page whatever the tables."""

import datetime as dt

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from institutions import services as registry
from institutions.models import StaffMember
from portal import audit

pytestmark = pytest.mark.django_db
URL = reverse("audit_search")


@pytest.fixture
def writes(operator_a, bureau, institution_a):
    staff = registry.staff_hire(
        institution=institution_a,
        actor=operator_a,
        name="王五",
        id_number="11010519491231002X",
        role="caregiver",
        hired_on=dt.date(2025, 1, 2),
    )
    registry.staff_update(staff=staff, actor=bureau, name="王五六")
    LogEntry.objects.log_actions(
        bureau.pk,
        [staff],
        ADDITION,
        change_message="导出 1 行（xlsx）",
        single_object=True,
    )
    return staff


def _rows(client, **query):
    response = client.get(URL, query)
    assert response.status_code == 200
    return response.context["rows"]


def test_search_by_user_model_and_action_across_every_history(client_as, bureau_admin, writes):
    client = client_as(bureau_admin)
    everything = _rows(client)
    staff_rows = [row for row in everything if row["label"].endswith("从业人员")]
    assert {(row["username"], row["action"]) for row in staff_rows} >= {
        ("operator_a", "新增"),
        ("bureau", "修改"),
    }
    by_bureau = _rows(client, username="bureau", label="institutions.staffmember")
    assert [(row["action"], row["object_key"]) for row in by_bureau] == [("修改", str(writes.pk))]
    assert by_bureau[0]["history_url"] == reverse(
        "admin:institutions_staffmember_history", args=[writes.pk]
    )
    created = _rows(client, label="institutions.staffmember", action="+")
    assert [row["username"] for row in created] == ["operator_a"]
    # Newest first.
    assert everything == sorted(everything, key=lambda row: row["at"], reverse=True)
    # The name and ID number are in the history tables but never on this page.
    html = client.get(URL).content.decode()
    assert "王五" not in html and "11010519491231002X" not in html


def test_the_admin_log_of_exports_is_searchable(client_as, auditor, writes):
    rows = _rows(client_as(auditor), label=audit.ADMIN_LOG)
    assert [(row["username"], row["note"]) for row in rows] == [("bureau", "导出 1 行（xlsx）")]


def test_a_date_range_and_a_record_number_narrow_the_search(client_as, bureau_admin, writes):
    client = client_as(bureau_admin)
    today = timezone.localdate()
    assert _rows(client, since=today.isoformat(), object_key=str(writes.pk))
    assert not _rows(client, until=(today - dt.timedelta(days=1)).isoformat())
    response = client.get(URL, {"since": today.isoformat(), "until": "2020-01-01"})
    assert "起始日期不能晚于截止日期。" in response.content.decode()
    assert response.context["rows"] == []


def test_only_bureau_admins_and_auditors_search(client_as, bureau, operator_a, inspector, auditor):
    assert client_as(auditor).get(URL).status_code == 200
    assert client_as(bureau).get(URL).status_code == 403
    assert client_as(inspector).get(URL).status_code == 403
    assert client_as(operator_a).get(URL)["Location"].startswith("/admin/login/")
    assert "审计查询" in client_as(auditor).get(reverse("admin:index")).content.decode()
    assert "审计查询" not in client_as(bureau).get(reverse("admin:index")).content.decode()


def test_one_query_for_the_page_and_one_for_the_count(
    client_as, bureau_admin, writes, django_assert_num_queries
):
    client = client_as(bureau_admin)
    client.get(URL)  # warm the session and the content types
    ContentType.objects.clear_cache()
    with django_assert_num_queries(QUERIES):
        client.get(URL, {"username": "bureau"})
    # More tables written do not mean more queries.
    for n in range(3):
        StaffMember.objects.filter(pk=writes.pk).update(name=f"名字{n}")
    with django_assert_num_queries(QUERIES):
        client.get(URL)


# Session, user, roles, the count, the page (one UNION ALL over every history table and the
# admin log), the admin template's two permission reads and the header's unread notifications.
QUERIES = 8


def test_an_inspections_autosave_is_one_line_in_chinese_with_the_persons_name(
    client_as, bureau_admin, institution_a, inspector
):
    """Each checklist item answered writes a history row ("answered"): the page shows one line,
    counted, with the reason in Chinese and the inspector's name beside the login."""
    from inspections import services as inspection_services
    from tests.inspections.factories import make_inspection

    inspector.first_name = "林海燕"
    inspector.save()
    draft = make_inspection(institution=institution_a, inspectors=[inspector], complete=False)
    rows = list(draft.results.order_by("order", "pk"))
    inspection_services.inspection_save_results(
        inspection=draft,
        actor=inspector,
        results={row.pk: {"result": "pass"} for row in rows},
    )
    lines = [
        line
        for line in _rows(client_as(bureau_admin), label="inspections.inspectionresult")
        if line["username"] == "inspector"
    ]
    answered = [line for line in lines if line["note"] == "填写检查项"]
    assert len(answered) == 1 and answered[0]["count"] == len(rows) > 1
    assert answered[0]["name"] == "林海燕"
    html = client_as(bureau_admin).get(URL, {"label": "inspections.inspectionresult"})
    text = html.content.decode()
    assert f"共 {len(rows)} 条" in text and "answered" not in text


def test_a_records_admin_history_speaks_chinese(client_as, bureau_admin, writes):
    """django-simple-history's list in the admin: no "Changes" header, no "None" reason."""
    response = client_as(bureau_admin).get(
        reverse("admin:institutions_staffmember_history", args=[writes.pk])
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "变更内容" in text and ">Changes<" not in text
    assert "None" not in text
