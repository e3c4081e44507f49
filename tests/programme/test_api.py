"""The programme API: the same scoping as the pages; a department files progress on its own
tasks only."""

from __future__ import annotations

import pytest

from programme.models import ProgressUpdate, Task
from tests.inspections.factories import pdf_upload

pytestmark = pytest.mark.django_db
UPDATES = "/api/v1/programme-updates/"


def test_department_files_progress_on_its_own_task_with_evidence(api_as, education_dept):
    response = api_as(education_dept).post(
        UPDATES,
        {"task": 3, "sub_item": 1, "text": "新增托班 2 个", "evidence": [pdf_upload()]},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["task"] == 3 and body["sub_item"] == 1 and body["department"] == "市教育局"
    assert len(body["evidence"]) == 1


def test_department_may_not_file_on_another_departments_task(api_as, civil_dept):
    response = api_as(civil_dept).post(UPDATES, {"task": 3, "text": "x"}, format="json")
    assert response.status_code == 403
    assert not ProgressUpdate.objects.exists()


@pytest.mark.parametrize("persona", ["education", "auditor", "operator_a", "family", "inspector"])
def test_other_roles_may_not_file(api_as, persona, request):
    user = request.getfixturevalue(persona)
    response = api_as(user).post(UPDATES, {"task": 3, "text": "x"}, format="json")
    assert response.status_code == 403
    assert not ProgressUpdate.objects.exists()


def test_office_files_for_any_task(api_as, bureau):
    response = api_as(bureau).post(UPDATES, {"task": 8, "text": "节前联合检查"}, format="json")
    assert response.status_code == 201
    assert response.json()["department"] == "市卫健局"


def test_readers_list_tasks_and_updates_outsiders_do_not(
    api_as, civil_dept, education, operator_a, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        tasks = api_as(civil_dept).get("/api/v1/programme-tasks/")
    assert tasks.status_code == 200
    results = tasks.json()["results"] if "results" in tasks.json() else tasks.json()
    assert [t["number"] for t in results] == list(range(1, 9))
    task3 = next(t for t in results if t["number"] == 3)
    assert task3["lead"] == "市教育局" and len(task3["sub_items"]) == 2
    detail = api_as(education).get(f"/api/v1/programme-tasks/{Task.objects.get(number=6).pk}/")
    assert detail.status_code == 200 and "市民政局" in detail.json()["co_responsible"]
    assert api_as(operator_a).get("/api/v1/programme-tasks/").status_code == 403
    assert api_as(operator_a).get(UPDATES).status_code == 403
    assert api_as(civil_dept).get("/api/v1/programme-funds/").status_code == 200
    assert api_as(civil_dept).get("/api/v1/programme-catalogue/").status_code == 200
