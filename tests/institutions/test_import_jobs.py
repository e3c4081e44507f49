"""Large imports run as Celery tasks behind a progress page (issue #11): the confirm step keeps the
file encrypted in a job, a real worker imports it with the same all-or-nothing rules, and the
page shows a progress bar and then the result."""

import time
from types import SimpleNamespace

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from institutions.import_jobs import services
from institutions.models import ImportJob, Institution, StaffMember
from institutions.tasks import run_import_job
from portal.personal_data import keyed_hash
from portal.roles import Role
from tests.factories import InstitutionFactory, UserFactory
from tests.institutions.test_import import (
    CSV,
    INSTITUTION_COLUMNS,
    STAFF_COLUMNS,
    XLSX,
    confirm,
    credit_code,
    csv_upload,
    preview,
    resident_id,
    wrong_check_char,
    xlsx_upload,
)


def _institution_rows(count: int) -> list[list]:
    return [
        [f"第{n}托育园", credit_code(n), "托育机构（中心）", "民办", "柳市镇", "2024-03-01"]
        for n in range(1, count + 1)
    ]


def _job_url(model, job, view="import_job") -> str:
    return reverse(f"admin:institutions_{model._meta.model_name}_{view}", args=[job.pk])


def _queued(user, rows) -> ImportJob:
    """An institution import queued as the confirm step queues it (without the preview)."""
    return services.queue_import(
        model_label="institutions.institution",
        user=user,
        data=xlsx_upload(INSTITUTION_COLUMNS, rows).read(),
        format_index=int(XLSX),
        file_name="机构.xlsx",
    )


@pytest.fixture
def background_from_two_rows(settings):
    settings.IMPORT_BACKGROUND_ROWS = 2


@pytest.mark.django_db
def test_a_short_file_is_still_imported_in_the_request(client_as, bureau, settings):
    settings.IMPORT_BACKGROUND_ROWS = 4
    client = client_as(bureau)
    response = preview(
        client, Institution, xlsx_upload(INSTITUTION_COLUMNS, _institution_rows(3)), XLSX
    )
    response = confirm(client, Institution, response)
    assert response["Location"] == reverse("admin:institutions_institution_changelist")
    assert Institution.objects.count() == 3
    assert not ImportJob.objects.exists()


@pytest.mark.django_db
def test_confirm_queues_a_job_and_the_page_shows_its_progress(
    client_as, bureau, background_from_two_rows, django_capture_on_commit_callbacks
):
    institution = InstitutionFactory(credit_code=credit_code(1))
    rows = [
        [credit_code(1), f"员工{n}", resident_id(n), "保育人员", "2024-03-01"] for n in (1, 2, 3)
    ]
    client = client_as(bureau)
    response = preview(client, StaffMember, csv_upload(STAFF_COLUMNS, rows), CSV)

    with django_capture_on_commit_callbacks() as queued:
        response = confirm(client, StaffMember, response)

    job = ImportJob.objects.get()
    assert response["Location"] == _job_url(StaffMember, job)
    assert len(queued) == 1  # the task is sent once the job row is committed
    assert (job.state, job.created_by, job.model_label) == (
        "queued",
        bureau,
        "institutions.staffmember",
    )
    # The file holds ID numbers: kept encrypted, not in the clear.
    assert resident_id(1).encode() not in bytes(job.payload)
    assert StaffMember.objects.count() == 0

    page = client.get(response["Location"])
    html = page.content.decode()
    assert '<progress max="100" value="0"' in html
    assert (
        f'data-progress-url="{_job_url(StaffMember, job, "import_job_state")}" data-polling' in html
    )
    assert "已排队，等待后台处理" in html
    state = client.get(_job_url(StaffMember, job, "import_job_state")).json()
    assert (state["finished"], state["progress"], state["state"]) == (False, 0, "queued")

    services.run_import(job.pk)

    job.refresh_from_db()
    assert (job.state, job.total_rows, job.processed_rows, job.totals) == ("done", 3, 3, {"new": 3})
    assert bytes(job.payload) == b""  # erased once done
    staff = StaffMember.objects.get(id_number_hash=keyed_hash(resident_id(2)))
    assert (staff.institution, staff.name) == (institution, "员工2")
    assert {record.history_user for record in StaffMember.history.all()} == {bureau}
    assert LogEntry.objects.filter(user=bureau, content_type__model="staffmember").count() == 3
    state = client.get(_job_url(StaffMember, job, "import_job_state")).json()
    assert (state["finished"], state["progress"], state["text"]) == (True, 100, "导入完成。")
    html = client.get(_job_url(StaffMember, job)).content.decode()
    assert "新增：3" in html and "data-polling" not in html


@pytest.mark.django_db
def test_a_bad_row_in_a_background_import_writes_nothing_and_is_named(bureau):
    rows = _institution_rows(3)
    rows[1][1] = wrong_check_char(rows[1][1])
    job = _queued(bureau, rows)

    services.run_import(job.pk)

    job.refresh_from_db()
    assert job.state == "failed"
    assert any(line.startswith("第3行：统一社会信用代码校验位不正确") for line in job.messages)
    assert Institution.objects.count() == 0
    assert bytes(job.payload) == b""


@pytest.mark.django_db
def test_a_job_is_shown_only_to_whoever_started_it(client_as, bureau, operator_a, auditor):
    job = ImportJob.objects.create(
        model_label="institutions.institution", created_by=bureau, file_name="机构.xlsx"
    )
    colleague = UserFactory(username="bureau2", role=Role.BUREAU_STAFF)
    assert client_as(bureau).get(_job_url(Institution, job)).status_code == 200
    assert client_as(colleague).get(_job_url(Institution, job)).status_code == 404
    assert client_as(auditor).get(_job_url(Institution, job)).status_code == 403
    assert client_as(operator_a).get(_job_url(Institution, job)).status_code == 302  # to login
    # A job of another model's import is not reachable through this admin.
    assert client_as(bureau).get(_job_url(StaffMember, job)).status_code == 404


@pytest.mark.django_db
def test_a_job_held_by_a_live_worker_is_not_run_twice_but_a_stale_one_is(bureau):
    job = _queued(bureau, _institution_rows(2))
    ImportJob.objects.filter(pk=job.pk).update(state="running", started_at=timezone.now())
    assert services.run_import(job.pk).state == "running"
    assert Institution.objects.count() == 0
    # The worker died an hour ago (its transaction rolled back): the redelivered task runs it.
    ImportJob.objects.filter(pk=job.pk).update(
        started_at=timezone.now() - timezone.timedelta(hours=1)
    )
    assert services.run_import(job.pk).state == "done"
    assert Institution.objects.count() == 2


def test_a_real_worker_imports_the_confirmed_file(
    client_as, bureau, background_from_two_rows, celery_worker_process, monkeypatch
):
    monkeypatch.setattr(
        run_import_job,
        "delay",
        lambda *args: run_import_job.apply_async(args, queue=celery_worker_process),
    )
    client = client_as(bureau)
    response = preview(
        client, Institution, xlsx_upload(INSTITUTION_COLUMNS, _institution_rows(5)), XLSX
    )
    response = confirm(client, Institution, response)
    job = ImportJob.objects.get()
    assert response["Location"] == _job_url(Institution, job)

    state_url = _job_url(Institution, job, "import_job_state")
    deadline = time.monotonic() + 60
    while not (state := client.get(state_url).json())["finished"]:
        assert time.monotonic() < deadline, state
        time.sleep(0.3)

    assert state["state"] == "done", state
    assert Institution.objects.count() == 5
    assert {record.history_user for record in Institution.history.all()} == {bureau}


@pytest.mark.django_db
def test_previewed_files_wait_in_the_portals_folder_and_old_ones_are_purged(
    client_as, bureau, settings, tmp_path
):
    import os
    from pathlib import Path

    from institutions.tasks import purge_import_files

    settings.IMPORT_TMP_DIR = str(tmp_path / "imports")
    rows = [[credit_code(1), "张三", resident_id(1), "保育人员", "2024-03-01"]]
    InstitutionFactory(credit_code=credit_code(1))
    response = preview(client_as(bureau), StaffMember, csv_upload(STAFF_COLUMNS, rows), CSV)
    name = response.context["confirm_form"].initial["import_file_name"]
    waiting = Path(settings.IMPORT_TMP_DIR) / name
    assert waiting.is_file()  # previewed, not confirmed: the staff list waits here
    assert oct(Path(settings.IMPORT_TMP_DIR).stat().st_mode & 0o777) == "0o700"
    fresh = Path(settings.IMPORT_TMP_DIR) / "import-fresh"
    fresh.write_bytes(b"x")
    a_day_ago = time.time() - 25 * 3600
    os.utime(waiting, (a_day_ago, a_day_ago))

    assert purge_import_files() == 1

    assert not waiting.exists() and fresh.exists()


@pytest.mark.django_db
def test_jobs_confirmed_while_the_broker_was_down_are_queued_again(
    bureau, django_capture_on_commit_callbacks, monkeypatch
):
    from institutions.tasks import requeue_waiting_imports

    with django_capture_on_commit_callbacks(execute=False):
        job = _queued(bureau, _institution_rows(2))  # its message never reached the queue
    assert requeue_waiting_imports() == 0  # not yet: it may still be on its way
    ImportJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - timezone.timedelta(hours=1)
    )
    sent = []
    # Where the message goes is the broker's business: record what the sweep sends.
    monkeypatch.setattr(
        run_import_job, "delay", lambda *args: sent.append(args) or SimpleNamespace(id="sent")
    )
    assert requeue_waiting_imports() == 1
    assert sent == [(job.pk,)]
