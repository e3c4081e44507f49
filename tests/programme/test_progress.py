"""A department user updates only its own tasks' progress (pages; the API in test_api.py), with
evidence files checked like every other upload."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from programme import services
from programme.models import ProgressUpdate, Task
from tests.inspections.factories import pdf_upload

pytestmark = pytest.mark.django_db


def _post(client, number, **data):
    return client.post(
        f"/zhuanban/renwu/{number}/", {"action": "progress", "text": "已召开协调会", **data}
    )


def test_lead_department_files_an_update_with_evidence(client_as, education_dept):
    response = _post(client_as(education_dept), 3, evidence=[pdf_upload()], status="in_progress")
    assert response.status_code == 302
    update = ProgressUpdate.objects.get()
    assert update.department.name == "市教育局" and update.created_by == education_dept
    assert update.evidence.count() == 1
    task = Task.objects.get(number=3)
    assert task.status == "in_progress"
    assert task.history.first().history_user == education_dept
    page = client_as(education_dept).get("/zhuanban/renwu/3/").content.decode()
    assert "已召开协调会" in page and "佐证材料1" in page
    evidence = client_as(education_dept).get(f"/zhuanban/zhengju/{update.evidence.get().pk}/")
    assert evidence.status_code == 200 and evidence["Content-Type"] == "application/pdf"


def test_co_responsible_department_may_update_its_task(client_as, civil_dept):
    assert _post(client_as(civil_dept), 6).status_code == 302


def test_department_may_not_update_another_departments_task(client_as, civil_dept):
    assert _post(client_as(civil_dept), 3).status_code == 403
    assert not ProgressUpdate.objects.exists()
    page = client_as(civil_dept).get("/zhuanban/renwu/3/").content.decode()
    assert "填报进展" not in page


def test_read_only_roles_and_outsiders_may_not_update(client_as, education, auditor, operator_a):
    assert _post(client_as(education), 3).status_code == 403
    assert _post(client_as(auditor), 3).status_code == 403
    assert _post(client_as(operator_a), 3).status_code == 403
    assert client_as(operator_a).get("/zhuanban/").status_code == 403
    assert not ProgressUpdate.objects.exists()


def test_office_files_for_any_task(client_as, bureau):
    assert _post(client_as(bureau), 8).status_code == 302
    assert ProgressUpdate.objects.get().department.name == "市卫健局"


def test_service_refuses_another_departments_task(civil_dept):
    with pytest.raises(PermissionDenied):
        services.progress_update_create(task=Task.objects.get(number=3), actor=civil_dept, text="x")


def test_evidence_is_type_sniffed_not_trusted_by_name(education_dept):
    fake = SimpleUploadedFile("report.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError) as error:
        services.progress_update_create(
            task=Task.objects.get(number=3), actor=education_dept, text="x", files=[fake]
        )
    assert "格式不支持" in str(error.value)
    assert not ProgressUpdate.objects.exists()


def test_evidence_size_cap_both_sides(education_dept, settings):
    from inspections.validators import EVIDENCE_MAX_BYTES

    settings.UPLOAD_MAX_BYTES = EVIDENCE_MAX_BYTES
    body = b"%PDF-1.4\n"
    at_cap = SimpleUploadedFile("a.pdf", body + b"0" * (EVIDENCE_MAX_BYTES - len(body)))
    over = SimpleUploadedFile("b.pdf", body + b"0" * (EVIDENCE_MAX_BYTES - len(body) + 1))
    task = Task.objects.get(number=3)
    services.progress_update_create(task=task, actor=education_dept, text="x", files=[at_cap])
    with pytest.raises(ValidationError):
        services.progress_update_create(task=task, actor=education_dept, text="y", files=[over])
    assert ProgressUpdate.objects.count() == 1


def test_empty_text_is_refused_on_the_page(client_as, education_dept):
    response = client_as(education_dept).post(
        "/zhuanban/renwu/3/", {"action": "progress", "text": " "}
    )
    assert response.status_code == 400
    assert not ProgressUpdate.objects.exists()


def test_a_department_user_lands_on_a_home_with_its_tasks_after_sign_in(client, civil_dept):
    response = client.post(
        "/denglu/", {"username": "dept_civil", "password": "correct-horse-battery"}
    )
    # The one sign-in page sends everyone to /wode/: a department's home lists its tasks and
    # links to the board.
    assert response.status_code == 302 and response["Location"] == "/wode/"
    home = client.get(response["Location"])
    assert home.status_code == 200
    assert 'id="home-tasks"' in home.content.decode()
    assert 'href="/zhuanban/"' in home.content.decode()
