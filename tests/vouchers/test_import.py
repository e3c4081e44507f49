"""Importing an application list (xlsx): every row through the services, all or nothing, and
each problem reported with the spreadsheet's row number and column, in Chinese."""

import datetime as dt
from io import BytesIO

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from vouchers.models import Child, Guardian, VoucherApplication
from vouchers.resources import ApplicationImportResource, import_applications

from .conftest import valid_id
from .helpers import TODAY

pytestmark = pytest.mark.django_db

HEADERS = [
    "监护人姓名",
    "监护人联系电话",
    "监护人身份证号码",
    "幼儿姓名",
    "幼儿身份证号码",
    "户籍所在镇街",
    "持乐清居住证",
    "特殊需要儿童",
    "申请日期",
]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def row(n: int, **overrides) -> list:
    values = {
        "监护人姓名": f"家长{n}",
        "监护人联系电话": 13900000000 + n,  # a number cell, as Excel keeps it
        "监护人身份证号码": valid_id(f"33038219900101{n:03d}"),
        "幼儿姓名": f"幼儿{n}",
        "幼儿身份证号码": valid_id(f"330382202402{n % 28 + 1:02d}{n:03d}"),
        "户籍所在镇街": "柳市镇",
        "持乐清居住证": "否",
        "特殊需要儿童": "",
        "申请日期": dt.datetime(2025, 3, 5),
    }
    values.update(overrides)
    return [values.get(header) for header in HEADERS]


def workbook(*rows, headers=HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for values in rows:
        sheet.append(values)
    output = BytesIO()
    book.save(output)
    return output.getvalue()


def upload(client, batch, body: bytes, name="名单.xlsx"):
    return client.post(
        reverse("vouchers:application_import"),
        {"batch": batch.pk, "file": SimpleUploadedFile(name, body)},
    )


def nothing_written():
    return not (
        VoucherApplication.objects.exists() or Guardian.objects.exists() or Child.objects.exists()
    )


def test_the_template_has_the_columns(client_as, bureau):
    response = client_as(bureau).get(reverse("vouchers:application_import_template"))
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert ApplicationImportResource.template_xlsx()[:2] == b"PK"


def test_a_good_list_is_imported_through_the_services(client_as, bureau, batch):
    body = workbook(row(1), row(2, **{"户籍所在镇街": "", "持乐清居住证": "是"}), row(3))
    response = upload(client_as(bureau), batch, body)
    assert response.status_code == 302
    applications = VoucherApplication.objects.order_by("pk")
    assert applications.count() == 3
    assert {a.source for a in applications} == {"import"}
    assert {a.entered_by for a in applications} == {bureau}
    assert all(a.eligible for a in applications)
    assert applications[0].applied_on == dt.date(2025, 3, 5)
    assert Child.objects.get(name__isnull=False, pk=applications[1].child_id).has_residence_permit


def test_a_bad_row_writes_nothing_and_is_named(client_as, bureau, batch):
    good = valid_id("33038220240301777")
    bad_id = good[:-1] + ("0" if good[-1] != "0" else "1")  # a wrong check character
    body = workbook(row(1), row(2, **{"幼儿身份证号码": bad_id}), row(3))
    response = upload(client_as(bureau), batch, body)
    assert response.status_code == 200
    html = response.content.decode()
    assert "没有写入任何数据" in html
    assert "第3行，幼儿身份证号码：" in html
    assert "第2行" not in html and "第4行" not in html
    assert nothing_written()


def test_several_problems_are_all_reported(batch, bureau):
    body = workbook(
        row(1, **{"监护人联系电话": "12345"}),
        row(2, **{"户籍所在镇街": "火星镇"}),
        row(3, **{"幼儿姓名": ""}),
        row(4, **{"持乐清居住证": "也许"}),
    )
    result = import_applications(body, batch=batch, actor=bureau)
    lines = ApplicationImportResource().error_messages(result)
    assert any(line.startswith("第2行，监护人联系电话：") for line in lines)
    assert any(line.startswith("第3行，户籍所在镇街：") and "火星镇" in line for line in lines)
    assert "第4行，幼儿姓名：必须填写。" in lines
    assert any(line.startswith("第5行，持乐清居住证：") for line in lines)
    assert nothing_written()


def test_a_child_listed_twice_fails_the_whole_list(client_as, bureau, batch):
    twice = row(4)
    body = workbook(row(1), twice, row(2, **{"幼儿身份证号码": twice[4]}))
    response = upload(client_as(bureau), batch, body)
    assert response.status_code == 200
    assert "第4行：该幼儿已申请过本批次托育券。" in response.content.decode()
    assert nothing_written()


def test_ineligible_rows_are_imported_with_their_reasons(batch, bureau):
    too_old = valid_id("33038220200101555")
    result = import_applications(
        workbook(row(1, **{"幼儿身份证号码": too_old})), batch=batch, actor=bureau
    )
    assert not result.has_errors() and not result.has_validation_errors()
    application = VoucherApplication.objects.get()
    assert not application.eligible
    assert "月龄" in application.eligibility_notes[0]


def test_a_missing_column_is_named(client_as, bureau, batch):
    headers = [h for h in HEADERS if h != "监护人身份证号码"]
    body = workbook(row(1)[:2] + row(1)[3:], headers=headers)
    response = upload(client_as(bureau), batch, body)
    assert "文件缺少以下列：监护人身份证号码" in response.content.decode()
    assert nothing_written()


def test_empty_rows_at_the_end_are_ignored(batch, bureau):
    result = import_applications(
        workbook(row(1), [None] * len(HEADERS), [""] * len(HEADERS)), batch=batch, actor=bureau
    )
    assert not result.has_validation_errors()
    assert VoucherApplication.objects.count() == 1


def test_only_xlsx_is_accepted(client_as, bureau, batch):
    response = upload(client_as(bureau), batch, b"a,b\n", name="名单.csv")
    assert response.status_code == 200
    assert "xlsx" in response.content.decode()
    garbage = upload(client_as(bureau), batch, b"not a workbook", name="名单.xlsx")
    assert "文件不是有效的 Excel（xlsx）文件" in garbage.content.decode()
    assert nothing_written()


@pytest.mark.parametrize("persona", ["auditor", "education"])
def test_read_only_roles_cannot_import(client_as, request, persona, batch):
    response = upload(client_as(request.getfixturevalue(persona)), batch, workbook(row(1)))
    assert response.status_code == 403
    assert nothing_written()


# --- Long lists: imported by a Celery task behind a progress page (issue #11) ------------------------


def test_a_long_list_is_imported_in_the_background_with_progress(
    client_as, bureau, batch, settings, django_capture_on_commit_callbacks
):
    from institutions.import_jobs.services import run_import
    from institutions.models import ImportJob

    settings.IMPORT_BACKGROUND_ROWS = 3
    client = client_as(bureau)
    with django_capture_on_commit_callbacks() as queued:
        response = upload(client, batch, workbook(row(1), row(2), row(3)))

    job = ImportJob.objects.get()
    page_url = reverse("vouchers:application_import_job", args=[job.pk])
    assert response["Location"] == page_url
    assert len(queued) == 1 and nothing_written()
    assert (job.model_label, job.options) == ("vouchers.voucherapplication", {"batch": batch.pk})
    html = client.get(page_url).content.decode()
    assert '<progress max="100" value="0"' in html and "data-polling" in html

    run_import(job.pk)

    applications = VoucherApplication.objects.filter(batch=batch)
    assert applications.count() == 3
    assert {a.entered_by for a in applications} == {bureau}
    html = client.get(page_url).content.decode()
    assert f"已导入3份申请到“{batch.name}”" in html and "data-polling" not in html
    state = client.get(reverse("vouchers:application_import_job_state", args=[job.pk])).json()
    assert (state["finished"], state["progress"]) == (True, 100)


def test_a_bad_row_in_a_long_list_writes_nothing_and_is_named(
    client_as, bureau, auditor, batch, settings, django_capture_on_commit_callbacks
):
    from institutions.import_jobs.services import run_import
    from institutions.models import ImportJob

    settings.IMPORT_BACKGROUND_ROWS = 2
    good = valid_id("33038220240301777")
    bad_id = good[:-1] + ("0" if good[-1] != "0" else "1")
    client = client_as(bureau)
    with django_capture_on_commit_callbacks():
        upload(client, batch, workbook(row(1), row(2, **{"幼儿身份证号码": bad_id}), row(3)))
    job = ImportJob.objects.get()

    run_import(job.pk)

    job.refresh_from_db()
    assert job.state == "failed" and nothing_written()
    assert any(line.startswith("第3行，幼儿身份证号码：") for line in job.messages)
    page_url = reverse("vouchers:application_import_job", args=[job.pk])
    html = client.get(page_url).content.decode()
    assert "没有写入任何数据" in html and "第3行，幼儿身份证号码：" in html
    # Only whoever started the import follows it.
    assert client_as(auditor).get(page_url).status_code == 404
