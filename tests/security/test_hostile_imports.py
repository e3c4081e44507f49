"""Hostile spreadsheets through the admin import: every one is refused with a message in Chinese
that says what is wrong, and nothing is written (no row, no history record, no confirm button)."""

import datetime as dt
import io
import zipfile
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from institutions.models import Institution, StaffMember
from tests.factories import InstitutionFactory
from tests.institutions.test_import import (
    CSV,
    INSTITUTION_COLUMNS,
    XLSX,
    confirm,
    credit_code,
    csv_upload,
    preview,
    xlsx_upload,
)


def institution_rows(count: int, start: int = 1) -> list[list]:
    return [
        [f"测试托育园{n}", credit_code(n), "托育机构（中心）", "民办", "柳市镇", "2024-03-01"]
        for n in range(start, start + count)
    ]


def written() -> tuple[int, int]:
    return Institution.objects.count(), Institution.history.count()


def refused(response) -> str:
    """The page of a refused upload: no confirm button; its text, for the message."""
    assert response.status_code == 200
    assert response.context.get("confirm_form") is None
    return response.content.decode()


def file_error(response) -> str:
    # filesizeformat puts a no-break space between number and unit.
    return " ".join(response.context["form"].errors["import_file"]).replace("\xa0", " ")


@pytest.fixture
def existing(db):
    """One institution already registered, so that "nothing written" is not just "still empty"."""
    InstitutionFactory(name="原有托育园", credit_code=credit_code(900))
    return written()


# --- Columns --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_file_missing_two_columns_names_both_and_writes_nothing(client_as, bureau, existing):
    columns = ["机构统一社会信用代码", "姓名", "岗位"]
    upload = xlsx_upload(columns, [[credit_code(900), "张三", "保育人员"]])

    page = refused(preview(client_as(bureau), StaffMember, upload, XLSX))

    assert "文件缺少以下列：身份证号码、入职日期。" in page
    assert StaffMember.objects.count() == 0
    assert written() == existing


@pytest.mark.django_db
def test_a_file_of_other_data_names_every_required_column(client_as, bureau, existing):
    upload = csv_upload(["序号", "品名", "金额"], [[1, "奶粉", "25.00"]])

    page = refused(preview(client_as(bureau), Institution, upload, CSV))

    assert "文件缺少以下列：机构名称、统一社会信用代码、机构类型、举办性质、所属镇街。" in page
    assert written() == existing


# --- Formulas -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_formula_cells_in_xlsx_are_refused_naming_the_cells(client_as, bureau, existing):
    rows = institution_rows(3)
    rows[1][0] = "=1+1"  # openpyxl writes a string starting with = as a formula: row 3, column A
    rows[2][5] = '=HYPERLINK("http://evil.example","点我")'  # row 4, column F

    response = preview(client_as(bureau), Institution, xlsx_upload(INSTITUTION_COLUMNS, rows), XLSX)

    refused(response)
    assert file_error(response) == (
        "以下单元格是公式：A3、F4。导入不计算公式，请复制这些单元格，“选择性粘贴—数值”后再导入。"
    )
    assert written() == existing


@pytest.mark.django_db
def test_formula_like_text_in_csv_is_stored_as_text_and_exported_escaped(
    client_as, bureau, existing
):
    rows = institution_rows(2)
    rows[0][0] = "=1+1"
    rows[1][0] = "@SUM(A1:A9)"
    client = client_as(bureau)

    response = preview(client, Institution, csv_upload(INSTITUTION_COLUMNS, rows), CSV)
    assert response.context["confirm_form"] is not None
    assert confirm(client, Institution, response).status_code == 302

    # Never evaluated: the text as typed, not 2.
    assert Institution.objects.get(credit_code=credit_code(1)).name == "=1+1"
    assert Institution.objects.get(credit_code=credit_code(2)).name == "@SUM(A1:A9)"

    from institutions.resources import InstitutionResource
    from tests.institutions.test_import import export

    text = export(client, Institution, InstitutionResource, CSV).content.decode("utf-8-sig")
    assert "\n'=1+1," in text
    assert "\n'@SUM(A1:A9)," in text
    exported = export(client, Institution, InstitutionResource, XLSX).content
    sheet = load_workbook(io.BytesIO(exported)).active
    names = {row[0].value: row[0].data_type for row in sheet.iter_rows(min_row=2)}
    assert names["'=1+1"] == "s"  # a text cell, not a formula
    assert names["'@SUM(A1:A9)"] == "s"

    # The exported file imports back unchanged: the apostrophe is taken off again.
    upload = SimpleUploadedFile("导出.xlsx", exported)
    response = preview(client, Institution, upload, XLSX)
    assert response.context["confirm_form"] is not None
    assert confirm(client, Institution, response).status_code == 302
    assert Institution.objects.get(credit_code=credit_code(1)).name == "=1+1"


# --- Size and rows --------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("file_format", [XLSX, CSV])
def test_file_over_import_max_bytes_is_refused_before_reading(
    client_as, bureau, existing, settings, file_format
):
    upload = (xlsx_upload if file_format == XLSX else csv_upload)(
        INSTITUTION_COLUMNS, institution_rows(200)
    )
    settings.IMPORT_MAX_BYTES = upload.size - 1

    response = preview(client_as(bureau), Institution, upload, file_format)

    refused(response)
    assert file_error(response).startswith("文件太大（")
    assert "请拆分成几个文件分别导入" in file_error(response)
    # Refused by the form, before the file is saved for confirming or parsed: no preview result.
    assert response.context.get("result") is None
    assert written() == existing


@pytest.mark.django_db
@pytest.mark.parametrize("file_format", [XLSX, CSV])
def test_file_over_import_max_rows_is_refused(client_as, bureau, existing, settings, file_format):
    settings.IMPORT_MAX_ROWS = 3
    make = xlsx_upload if file_format == XLSX else csv_upload
    client = client_as(bureau)

    response = preview(
        client, Institution, make(INSTITUTION_COLUMNS, institution_rows(4)), file_format
    )

    refused(response)
    assert file_error(response) == "文件超过 3 行数据，请拆分成几个文件分别导入。"
    assert written() == existing

    # At the limit is fine.
    response = preview(
        client, Institution, make(INSTITUTION_COLUMNS, institution_rows(3)), file_format
    )
    assert response.context["confirm_form"] is not None


@pytest.mark.django_db
def test_blank_formatted_rows_do_not_count_towards_the_row_limit(client_as, bureau, settings):
    settings.IMPORT_MAX_ROWS = 2
    rows = institution_rows(2) + [[None] * len(INSTITUTION_COLUMNS)] * 50

    response = preview(client_as(bureau), Institution, xlsx_upload(INSTITUTION_COLUMNS, rows), XLSX)

    assert response.context["confirm_form"] is not None


# --- Encodings and files that are not spreadsheets ------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-8-sig", "utf-8", "utf-16"])
def test_csv_from_chinese_office_software_is_decoded(client_as, bureau, encoding):
    client = client_as(bureau)
    upload = csv_upload(INSTITUTION_COLUMNS, institution_rows(2), encoding=encoding)

    response = preview(client, Institution, upload, CSV)
    assert response.context["confirm_form"] is not None
    assert confirm(client, Institution, response).status_code == 302

    assert sorted(Institution.objects.values_list("name", "township__name")) == [
        ("测试托育园1", "柳市镇"),
        ("测试托育园2", "柳市镇"),
    ]


@pytest.mark.django_db
def test_csv_rows_with_missing_or_extra_cells_are_read_by_the_headers(client_as, bureau):
    """Hand-edited csv lose their trailing empty cells; unnamed extra cells are not columns."""
    lines = [
        ",".join([*INSTITUTION_COLUMNS, "地址"]),
        "甲园," + credit_code(1) + ",托育机构（中心）,民办,柳市镇",  # no 备案日期, no 地址
        "乙园," + credit_code(2) + ",托育机构（中心）,民办,柳市镇,2024-03-01,城东路1号,多余,多余",
    ]
    upload = SimpleUploadedFile("导入.csv", "\r\n".join(lines).encode("gb18030"))
    client = client_as(bureau)

    response = preview(client, Institution, upload, CSV)
    assert response.context["confirm_form"] is not None
    assert confirm(client, Institution, response).status_code == 302

    assert sorted(Institution.objects.values_list("name", "filed_on", "address")) == [
        ("乙园", dt.date(2024, 3, 1), "城东路1号"),
        ("甲园", None, ""),
    ]


@pytest.mark.django_db
def test_csv_in_an_unknown_encoding_is_refused(client_as, bureau, existing):
    # Big5 bytes of 机构名称 are not valid UTF-8, nor valid GB18030 at the end of the line.
    body = "\r\n".join(
        [",".join(INSTITUTION_COLUMNS), ",".join(str(v) for v in institution_rows(1)[0])]
    )
    upload = SimpleUploadedFile("导入.csv", body.encode("utf-8") + b"\x81\r\n\x00\xff")

    response = preview(client_as(bureau), Institution, upload, CSV)

    refused(response)
    assert file_error(response).startswith("文件无法按文本读取：不是 CSV 文件，或编码无法识别。")
    assert written() == existing


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 500, id="exe"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + b"\x00" * 500, id="png"),
        pytest.param("机构名称,统一社会信用代码\r\n甲,1\r\n".encode(), id="csv"),
        pytest.param(b"PK\x03\x04" + b"\x00" * 100, id="broken-zip"),
    ],
)
def test_a_file_that_is_not_a_spreadsheet_renamed_xlsx_is_refused(
    client_as, bureau, existing, content
):
    upload = SimpleUploadedFile("机构名单.xlsx", content)

    response = preview(client_as(bureau), Institution, upload, XLSX)

    refused(response)
    assert file_error(response).startswith("文件不是有效的 Excel（xlsx）文件。")
    assert written() == existing


@pytest.mark.django_db
def test_a_zip_that_is_not_a_workbook_is_refused(client_as, bureau, existing):
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("readme.txt", "不是工作簿")

    upload = SimpleUploadedFile("机构名单.xlsx", output.getvalue())
    response = preview(client_as(bureau), Institution, upload, XLSX)

    refused(response)
    assert file_error(response).startswith("文件不是有效的 Excel（xlsx）文件。")
    assert written() == existing


@pytest.mark.django_db
def test_an_xlsx_chosen_as_csv_says_so(client_as, bureau, existing):
    upload = xlsx_upload(INSTITUTION_COLUMNS, institution_rows(1))

    response = preview(client_as(bureau), Institution, upload, CSV)

    refused(response)
    assert file_error(response) == (
        "这是一个 Excel（xlsx）文件，不是 CSV 文件：请将格式选为 xlsx 后再导入。"
    )
    assert written() == existing


@pytest.mark.django_db
def test_an_xlsx_that_unpacks_to_far_more_than_its_size_is_refused(client_as, bureau, existing):
    workbook = Workbook()
    workbook.active.append(INSTITUTION_COLUMNS)
    workbook.active.append(institution_rows(1)[0])
    output = io.BytesIO()
    workbook.save(output)
    # A real workbook with one more member: 50 MB of zeros that deflate to about 50 kB.
    with zipfile.ZipFile(output, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\x00" * (50 * 2**20))
    upload = SimpleUploadedFile("机构名单.xlsx", output.getvalue())
    assert upload.size < 200_000

    response = preview(client_as(bureau), Institution, upload, XLSX)

    refused(response)
    assert file_error(response).startswith("文件解压后异常庞大（50.0 MB）")
    assert written() == existing


@pytest.mark.django_db
def test_a_refused_file_is_not_confirmable_by_a_forged_confirm(client_as, bureau, existing):
    """The confirm step reads only a file the preview saved; a refused file was never saved."""
    client = client_as(bureau)
    upload = SimpleUploadedFile("机构名单.xlsx", b"MZ" + b"\x00" * 100)
    refused(preview(client, Institution, upload, XLSX))

    response = client.post(
        reverse("admin:institutions_institution_process_import"),
        {
            "import_file_name": "../../etc/passwd",
            "original_file_name": "机构名单.xlsx",
            "format": XLSX,
            "resource": "0",
        },
    )

    assert response.status_code == 302
    assert written() == existing


# --- The course page's sign-in sheet import (/peixun/<id>/daoru/) ---------------------------------
# The same hostile files through the training page, as the bureau and as the course's provider's
# user: refused with the reason in Chinese, nothing written (no row, no history record).

SHEET_COLUMNS = ["课程编号", "身份证号码", "机构统一社会信用代码", "参训学时", "是否结业"]


@dataclass
class SheetImport:
    user: object
    course: object
    rows: list[list]

    @property
    def url(self) -> str:
        return reverse("training:import", args=[self.course.pk])


@pytest.fixture(params=["bureau", "provider"])
def sheet(request, db, bureau):
    """A course of a provider, three staff members of an institution on its sign-in sheet, one
    attendance already recorded; the importing user is the bureau or the provider's user."""
    from institutions.models import TrainingAttendance, TrainingCourse, TrainingProvider
    from portal.roles import Role
    from tests.factories import StaffMemberFactory, UserFactory

    provider = TrainingProvider.objects.create(name="乐清市婴幼儿照护服务指导中心")
    course = TrainingCourse.objects.create(
        name="回应性照护",
        provider=provider.name,
        provider_org=provider,
        kind="in_service",
        starts_on=dt.date(2026, 3, 2),
        ends_on=dt.date(2026, 3, 3),
        hours=8,
    )
    institution = InstitutionFactory(credit_code=credit_code(901))
    people = [StaffMemberFactory(institution=institution) for _n in range(4)]
    TrainingAttendance.objects.create(course=course, staff=people.pop(), hours=8)
    user = bureau
    if request.param == "provider":
        user = UserFactory(username="provider_a", role=Role.TRAINING_PROVIDER)
        provider.users.add(user)
    rows = [[course.pk, p.id_number.reveal(), institution.credit_code, 8, "是"] for p in people]
    return SheetImport(user=user, course=course, rows=rows)


def attendance_written() -> tuple[int, int]:
    from institutions.models import TrainingAttendance

    return TrainingAttendance.objects.count(), TrainingAttendance.history.count()


def page_refused(client, sheet: SheetImport, upload) -> str:
    """Upload on the page: refused (400, nothing written); the reason(s) shown."""
    before = attendance_written()
    response = client.post(sheet.url, {"file": upload})
    assert response.status_code == 400, response.status_code
    assert attendance_written() == before
    lines = list(response.context["errors"]) + list(response.context["form"].errors.get("file", []))
    return " ".join(lines).replace("\xa0", " ")


def sheet_upload(file_format: str, columns, rows, name: str = "签到表"):
    make = xlsx_upload if file_format == XLSX else csv_upload
    upload = make(columns, rows)
    upload.name = f"{name}.{'xlsx' if file_format == XLSX else 'csv'}"
    return upload


@pytest.mark.django_db
def test_page_import_refuses_formula_cells_naming_them(client_as, sheet):
    rows = [list(row) for row in sheet.rows]
    rows[1][3] = "=4+4"  # row 3, column D (参训学时)
    rows[2][4] = '=HYPERLINK("http://evil.example","是")'  # row 4, column E

    text = page_refused(client_as(sheet.user), sheet, sheet_upload(XLSX, SHEET_COLUMNS, rows))

    assert text == (
        "以下单元格是公式：D3、E4。导入不计算公式，请复制这些单元格，“选择性粘贴—数值”后再导入。"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("file_format", [XLSX, CSV])
def test_page_import_refuses_a_file_over_import_max_bytes(client_as, sheet, settings, file_format):
    upload = sheet_upload(file_format, SHEET_COLUMNS, sheet.rows * 50)
    settings.IMPORT_MAX_BYTES = upload.size - 1

    text = page_refused(client_as(sheet.user), sheet, upload)

    assert text.startswith("文件太大（") and "请拆分成几个文件分别导入" in text


@pytest.mark.django_db
@pytest.mark.parametrize("file_format", [XLSX, CSV])
def test_page_import_refuses_more_rows_than_import_max_rows_and_takes_the_limit(
    client_as, sheet, settings, file_format
):
    settings.IMPORT_MAX_ROWS = 2
    client = client_as(sheet.user)

    text = page_refused(client, sheet, sheet_upload(file_format, SHEET_COLUMNS, sheet.rows))

    assert text == "文件超过 2 行数据，请拆分成几个文件分别导入。"
    # At the limit: imported.
    response = client.post(
        sheet.url, {"file": sheet_upload(file_format, SHEET_COLUMNS, sheet.rows[:2])}
    )
    assert response.status_code == 302
    assert attendance_written()[0] == 3


@pytest.mark.django_db
@pytest.mark.parametrize("file_format", [XLSX, CSV])
def test_page_import_names_every_missing_column(client_as, sheet, file_format):
    columns = ["课程编号", "身份证号码", "是否结业"]
    rows = [[row[0], row[1], row[4]] for row in sheet.rows]

    text = page_refused(client_as(sheet.user), sheet, sheet_upload(file_format, columns, rows))

    assert "文件缺少以下列：机构统一社会信用代码、参训学时。" in text


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["签到表.xls", "签到表.exe", "签到表.txt", "签到表"])
def test_page_import_takes_xlsx_and_csv_files_only(client_as, sheet, name):
    upload = SimpleUploadedFile(name, b"MZ\x90\x00" + b"\x00" * 100)

    text = page_refused(client_as(sheet.user), sheet, upload)

    assert text == "请上传 xlsx 或 csv 文件。"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 500, id="exe"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + b"\x00" * 500, id="png"),
        pytest.param("课程编号,身份证号码\r\n1,1\r\n".encode(), id="csv"),
        pytest.param(b"PK\x03\x04" + b"\x00" * 100, id="broken-zip"),
    ],
)
def test_page_import_refuses_a_file_that_is_not_a_spreadsheet_renamed_xlsx(
    client_as, sheet, content
):
    upload = SimpleUploadedFile("签到表.xlsx", content)

    text = page_refused(client_as(sheet.user), sheet, upload)

    assert text.startswith("文件不是有效的 Excel（xlsx）文件。")


@pytest.mark.django_db
def test_page_import_refuses_an_xlsx_renamed_csv(client_as, sheet):
    upload = sheet_upload(XLSX, SHEET_COLUMNS, sheet.rows)
    upload.name = "签到表.csv"

    text = page_refused(client_as(sheet.user), sheet, upload)

    assert text.startswith("这是一个 Excel（xlsx）文件，不是 CSV 文件")


@pytest.mark.django_db
def test_page_import_takes_the_same_sheet_when_it_is_clean(client_as, sheet):
    """The control: the fixture's sheet itself imports (so the refusals above are the files')."""
    response = client_as(sheet.user).post(
        sheet.url, {"file": sheet_upload(XLSX, SHEET_COLUMNS, sheet.rows)}
    )
    assert response.status_code == 302
    assert attendance_written()[0] == 4
