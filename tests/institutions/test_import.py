"""Spreadsheet import and export through the admin: preview then confirm, all or nothing, row
errors in Chinese, saves through the services with the importing user, masked ID numbers out."""

import datetime as dt
import io
import os

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from institutions.import_jobs.storage import ImportTempStorage
from institutions.models import Certificate, Institution, StaffMember
from institutions.resources import CertificateResource, InstitutionResource, StaffMemberResource
from portal.personal_data import keyed_hash
from portal.validators import credit_code_check_char, resident_id_check_char
from tests.factories import InstitutionFactory, StaffMemberFactory

# Indexes of the admin's import and export formats.
XLSX, CSV = "0", "1"

INSTITUTION_COLUMNS = [
    "机构名称",
    "统一社会信用代码",
    "机构类型",
    "举办性质",
    "所属镇街",
    "备案日期",
]
STAFF_COLUMNS = ["机构统一社会信用代码", "姓名", "身份证号码", "岗位", "入职日期"]
CERTIFICATE_COLUMNS = [
    "身份证号码",
    "机构统一社会信用代码",
    "证书类型",
    "证书编号",
    "发证日期",
    "有效期至",
]


def credit_code(serial: int) -> str:
    body = f"52330382MJ{serial:07d}"
    return body + credit_code_check_char(body)


def resident_id(serial: int) -> str:
    first17 = f"33038219900517{serial:03d}"
    return first17 + resident_id_check_char(first17)


def wrong_check_char(code: str) -> str:
    return code[:-1] + ("1" if code[-1] != "1" else "2")


def xlsx_upload(columns, rows, name="导入.xlsx"):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(columns)
    for row in rows:
        sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return SimpleUploadedFile(name, output.getvalue())


def csv_upload(columns, rows, *, encoding="utf-8-sig", name="导入.csv"):
    lines = [",".join(columns)] + [",".join(str(value) for value in row) for row in rows]
    return SimpleUploadedFile(name, ("\r\n".join(lines) + "\r\n").encode(encoding))


def preview(client, model, upload, file_format):
    url = reverse(f"admin:institutions_{model._meta.model_name}_import")
    return client.post(url, {"resource": "0", "format": file_format, "import_file": upload})


def confirm(client, model, response):
    data = response.context["confirm_form"].initial
    url = reverse(f"admin:institutions_{model._meta.model_name}_process_import")
    return client.post(url, data)


# --- Institutions ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_institution_xlsx_is_written_only_after_preview_and_confirm(client_as, bureau):
    rows = [
        [
            "柳市甲托育中心",
            credit_code(1),
            "托育机构（中心）",
            "民办",
            "柳市镇",
            dt.datetime(2024, 3, 1),
        ],
        [
            "城东社区托育点",
            credit_code(2).lower(),
            "community",
            "public",
            "330382001",
            "2024/05/06",
        ],
    ]
    client = client_as(bureau)

    response = preview(client, Institution, xlsx_upload(INSTITUTION_COLUMNS, rows), XLSX)

    assert response.status_code == 200
    assert response.context["confirm_form"] is not None
    assert Institution.objects.count() == 0
    assert Institution.history.count() == 0

    confirm_data = response.context["confirm_form"].initial
    response = confirm(client, Institution, response)

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:institutions_institution_changelist")
    # Confirming twice (a double click) imports once: the file is gone after the first.
    again = client.post(reverse("admin:institutions_institution_process_import"), confirm_data)
    assert again["Location"] == reverse("admin:institutions_institution_import")
    assert Institution.objects.count() == 2
    first = Institution.objects.get(credit_code=credit_code(1))
    assert (first.name, first.kind, first.ownership) == ("柳市甲托育中心", "centre", "private")
    assert (first.township.name, first.filed_on) == ("柳市镇", dt.date(2024, 3, 1))
    second = Institution.objects.get(credit_code=credit_code(2))
    assert (second.kind, second.township.name, second.filed_on) == (
        "community",
        "城东街道",
        dt.date(2024, 5, 6),
    )
    records = Institution.history.all()
    assert records.count() == 2
    assert {record.history_user for record in records} == {bureau}


@pytest.mark.django_db
def test_institution_import_updates_the_institution_with_the_same_credit_code(client_as, bureau):
    existing = InstitutionFactory(name="旧名称", credit_code=credit_code(7))
    rows = [["新名称", credit_code(7), "托育机构（中心）", "民办", "柳市镇", "2024-03-01"]]
    client = client_as(bureau)

    response = confirm(
        client,
        Institution,
        preview(client, Institution, xlsx_upload(INSTITUTION_COLUMNS, rows), XLSX),
    )

    assert response.status_code == 302
    assert Institution.objects.count() == 1
    existing.refresh_from_db()
    assert existing.name == "新名称"
    assert existing.history.latest().history_user == bureau


@pytest.mark.django_db
def test_one_bad_row_among_good_ones_writes_nothing_and_names_the_row(client_as, bureau):
    rows = [
        ["甲园", credit_code(1), "托育机构（中心）", "民办", "柳市镇", "2024-03-01"],
        [
            "乙园",
            wrong_check_char(credit_code(2)),
            "托育机构（中心）",
            "民办",
            "柳市镇",
            "2024-03-01",
        ],
        ["丙园", credit_code(3), "托育机构（中心）", "民办", "不存在镇", "2024-03-01"],
        ["丁园", credit_code(4), "托育机构（中心）", "民办", "柳市镇", "2024-03-01"],
    ]
    client = client_as(bureau)

    response = preview(client, Institution, xlsx_upload(INSTITUTION_COLUMNS, rows), XLSX)

    assert response.status_code == 200
    assert response.context.get("confirm_form") is None  # nothing to confirm
    content = response.content.decode()
    # Spreadsheet rows: the headers are row 1, so the second data row is row 3.
    assert "第3行：统一社会信用代码校验位不正确" in content
    assert "第4行：所属镇街“不存在镇”不存在" in content
    assert "第2行" not in content and "第5行" not in content
    assert Institution.objects.count() == 0
    assert Institution.history.count() == 0


@pytest.mark.django_db
def test_forged_confirm_of_a_file_with_a_bad_row_writes_nothing(client_as, bureau):
    """The confirm button is not offered for a file with errors; posting the confirm step anyway
    (or after the data changed) still writes nothing, because the import rolls back."""
    rows = [
        ["甲园", credit_code(1), "托育机构（中心）", "民办", "柳市镇", "2024-03-01"],
        ["乙园", credit_code(2), "托育机构（中心）", "民办", "柳市镇", "2024-03-01"],
        ["丙园", credit_code(3), "不是类型", "民办", "柳市镇", "2024-03-01"],
    ]
    storage = ImportTempStorage(read_mode="rb")
    storage.save(xlsx_upload(INSTITUTION_COLUMNS, rows).read())
    client = client_as(bureau)

    response = client.post(
        reverse("admin:institutions_institution_process_import"),
        {
            "import_file_name": storage.name,
            "original_file_name": "x.xlsx",
            "format": XLSX,
            "resource": "0",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:institutions_institution_import")
    messages = [str(message) for message in get_messages(response.wsgi_request)]
    assert "导入未完成，没有写入任何数据。" in messages
    assert any(m.startswith("第4行：机构类型：“不是类型”不是可选的值") for m in messages), messages
    assert Institution.objects.count() == 0
    assert Institution.history.count() == 0


@pytest.mark.django_db
def test_a_ten_digit_mobile_contact_number_is_refused_on_its_row(client_as, bureau):
    columns = [*INSTITUTION_COLUMNS, "联系电话"]
    rows = [
        ["甲园", credit_code(1), "托育机构（中心）", "民办", "柳市镇", "2024-03-01", "13912345678"],
        ["乙园", credit_code(2), "托育机构（中心）", "民办", "柳市镇", "2024-03-01", "1391234567"],
        [
            "丙园",
            credit_code(3),
            "托育机构（中心）",
            "民办",
            "柳市镇",
            "2024-03-01",
            "0577-62345678",
        ],
    ]

    response = preview(client_as(bureau), Institution, xlsx_upload(columns, rows), XLSX)

    assert response.context.get("confirm_form") is None
    content = response.content.decode()
    assert "第3行：联系电话：请输入11位手机号码或带区号的固定电话。" in content
    assert "第2行" not in content and "第4行" not in content
    assert Institution.objects.count() == 0


@pytest.mark.django_db
def test_missing_required_column_is_named(client_as, bureau):
    columns = ["机构名称", "统一社会信用代码", "机构类型", "举办性质"]
    rows = [["甲园", credit_code(1), "托育机构（中心）", "民办"]]
    client = client_as(bureau)

    response = preview(client, Institution, xlsx_upload(columns, rows), XLSX)

    assert response.context.get("confirm_form") is None
    assert "文件缺少以下列：所属镇街" in response.content.decode()
    assert Institution.objects.count() == 0


# --- Staff ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_csv_from_chinese_excel_imports_with_the_importing_user(client_as, bureau):
    institution = InstitutionFactory(credit_code=credit_code(1))
    rows = [
        [credit_code(1), "张三", resident_id(11), "保育人员", "2024-03-01"],
        [credit_code(1), "李四", resident_id(12), "teacher", "2024年9月1日"],
    ]
    client = client_as(bureau)
    # Excel on Chinese Windows saves "CSV" as GB18030.
    upload = csv_upload(STAFF_COLUMNS, rows, encoding="gb18030")

    response = preview(client, StaffMember, upload, CSV)

    assert response.context["confirm_form"] is not None
    assert resident_id(11) not in response.content.decode()  # the preview shows them masked
    assert StaffMember.objects.count() == 0

    assert confirm(client, StaffMember, response).status_code == 302

    zhang = StaffMember.objects.get(id_number_hash=keyed_hash(resident_id(11)))
    assert (zhang.institution, zhang.name, zhang.role) == (institution, "张三", "caregiver")
    assert zhang.id_number.reveal() == resident_id(11)
    li = StaffMember.objects.get(name="李四")
    assert (li.role, li.hired_on) == ("teacher", dt.date(2024, 9, 1))
    assert {record.history_user for record in StaffMember.history.all()} == {bureau}


@pytest.mark.django_db
def test_staff_import_with_a_bad_id_check_digit_is_refused(client_as, bureau):
    InstitutionFactory(credit_code=credit_code(1))
    bad = wrong_check_char(resident_id(12))
    rows = [
        [credit_code(1), "张三", resident_id(11), "保育人员", "2024-03-01"],
        [credit_code(1), "李四", bad, "保育人员", "2024-03-01"],
    ]
    client = client_as(bureau)

    response = preview(client, StaffMember, xlsx_upload(STAFF_COLUMNS, rows), XLSX)

    assert response.context.get("confirm_form") is None
    content = response.content.decode()
    assert "第3行：身份证号码校验位不正确，请核对后重新输入。" in content
    assert bad not in content
    assert StaffMember.objects.count() == 0
    # A file that cannot be confirmed is not left in the temporary folder with its ID numbers.
    stored = response.wsgi_request.FILES["import_file"].tmp_storage_name
    assert not os.path.exists(ImportTempStorage(name=stored).get_full_path())


@pytest.mark.django_db
def test_staff_import_refuses_unknown_institution_and_masked_numbers(client_as, bureau):
    InstitutionFactory(credit_code=credit_code(1))
    rows = [
        [credit_code(9), "张三", resident_id(11), "保育人员", "2024-03-01"],
        [credit_code(1), "李四", "330382********1234", "保育人员", "2024-03-01"],
    ]
    client = client_as(bureau)

    response = preview(client, StaffMember, xlsx_upload(STAFF_COLUMNS, rows), XLSX)

    content = response.content.decode()
    assert f"第2行：机构统一社会信用代码“{credit_code(9)}”找不到对应的机构。" in content
    assert "第3行：身份证号码是脱敏显示的" in content
    assert StaffMember.objects.count() == 0


@pytest.mark.django_db
def test_staff_employed_twice_at_once_is_refused_by_the_service(client_as, bureau):
    institution = InstitutionFactory(credit_code=credit_code(1))
    StaffMemberFactory(
        institution=institution, id_number=resident_id(11), hired_on=dt.date(2024, 1, 1)
    )
    rows = [[credit_code(1), "张三", resident_id(11), "保育人员", "2024-06-01"]]
    client = client_as(bureau)

    response = preview(client, StaffMember, xlsx_upload(STAFF_COLUMNS, rows), XLSX)

    assert "第2行：身份证号码：此人在该机构的任职期间与已有记录重叠。" in response.content.decode()
    assert StaffMember.objects.count() == 1


# --- Certificates ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_certificates_import_for_registered_staff(client_as, bureau):
    institution = InstitutionFactory(credit_code=credit_code(1))
    staff = StaffMemberFactory(institution=institution, id_number=resident_id(11))
    rows = [
        [resident_id(11), credit_code(1), "保育师", "BYS0001", "2023-01-01", ""],
        [resident_id(11), credit_code(1), "健康证", "", "2025-01-01", "2025-12-31"],
    ]
    client = client_as(bureau)

    response = confirm(
        client,
        Certificate,
        preview(client, Certificate, xlsx_upload(CERTIFICATE_COLUMNS, rows), XLSX),
    )

    assert response.status_code == 302
    assert {(c.kind, c.number, c.expires_on) for c in staff.certificates.all()} == {
        ("childcare_worker", "BYS0001", None),
        ("health_certificate", "", dt.date(2025, 12, 31)),
    }
    assert {record.history_user for record in Certificate.history.all()} == {bureau}


@pytest.mark.django_db
def test_certificate_for_someone_not_on_the_staff_is_refused(client_as, bureau):
    InstitutionFactory(credit_code=credit_code(1))
    rows = [[resident_id(11), credit_code(1), "保育师", "BYS0001", "2023-01-01", "2022-01-01"]]
    client = client_as(bureau)

    response = preview(client, Certificate, xlsx_upload(CERTIFICATE_COLUMNS, rows), XLSX)

    content = response.content.decode()
    assert "第2行：" in content and "没有身份证号码为 330382********" in content
    assert resident_id(11) not in content
    assert Certificate.objects.count() == 0


# --- Export and templates -------------------------------------------------------------------------


def export(client, model, resource_class, file_format):
    field_names = resource_class().get_export_order()
    data = {"format": file_format, "resource": "0"}
    data |= {f"{resource_class.__name__.lower()}_{name}": "on" for name in field_names}
    return client.post(reverse(f"admin:institutions_{model._meta.model_name}_export"), data)


@pytest.mark.django_db
def test_staff_export_shows_masked_id_numbers_only(client_as, bureau):
    staff = StaffMemberFactory(institution=InstitutionFactory(credit_code=credit_code(1)))
    plain, masked = staff.id_number.reveal(), str(staff.id_number)
    assert plain != masked
    client = client_as(bureau)

    response = export(client, StaffMember, StaffMemberResource, CSV)

    assert response.status_code == 200
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff机构统一社会信用代码,姓名,身份证号码")  # BOM: Excel shows Chinese
    assert masked in text
    assert plain not in text

    response = export(client, StaffMember, StaffMemberResource, XLSX)

    cells = [
        cell for row in load_workbook(io.BytesIO(response.content)).active.values for cell in row
    ]
    assert masked in cells
    assert credit_code(1) in cells
    assert not any(plain in str(cell) for cell in cells)


@pytest.mark.django_db
def test_certificate_export_shows_masked_id_numbers_only(client_as, bureau):
    staff = StaffMemberFactory()
    Certificate.objects.create(staff=staff, kind="childcare_worker", issued_on=dt.date(2023, 1, 1))
    client = client_as(bureau)

    text = export(client, Certificate, CertificateResource, CSV).content.decode("utf-8")

    assert str(staff.id_number) in text
    assert staff.id_number.reveal() not in text
    assert "保育师" in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "resource_class"),
    [
        (Institution, InstitutionResource),
        (StaffMember, StaffMemberResource),
        (Certificate, CertificateResource),
    ],
)
def test_import_template_is_an_empty_workbook_with_the_import_columns(
    client_as, bureau, model, resource_class
):
    client = client_as(bureau)
    changelist = client.get(reverse(f"admin:institutions_{model._meta.model_name}_changelist"))
    url = reverse(f"admin:institutions_{model._meta.model_name}_import_template")
    assert url in changelist.content.decode()

    response = client.get(url)

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert len(rows) == 1
    assert list(rows[0]) == [name for name, _widget in resource_class.template_columns()]
    assert set(resource_class.required_columns) <= set(rows[0])


@pytest.mark.django_db
def test_filled_in_template_imports(client_as, bureau):
    """The template's columns are exactly what the import reads."""
    client = client_as(bureau)
    template = client.get(reverse("admin:institutions_institution_import_template"))
    workbook = load_workbook(io.BytesIO(template.content))
    columns = [cell.value for cell in workbook.active[1]]
    values = {"机构名称": "模板园", "统一社会信用代码": credit_code(5), "机构类型": "家庭托育点"}
    values |= {"举办性质": "民办", "所属镇街": "虹桥", "提供融合托育": "是"}
    workbook.active.append([values.get(column) for column in columns])
    output = io.BytesIO()
    workbook.save(output)

    response = preview(
        client, Institution, SimpleUploadedFile("模板.xlsx", output.getvalue()), XLSX
    )
    confirm(client, Institution, response)

    institution = Institution.objects.get(credit_code=credit_code(5))
    assert (institution.kind, institution.township.name) == ("family_point", "虹桥镇")
    assert institution.special_needs_care is True


# --- Rows the database refuses, and speed ---------------------------------------------------------


@pytest.mark.django_db
def test_row_breaking_a_database_constraint_is_named_and_nothing_is_written(client_as, bureau):
    """Valid rows are written together; when the database refuses that write, the rows are saved
    one by one to say which row is wrong, and the whole file is still refused."""
    columns = [*INSTITUTION_COLUMNS, "普惠性幼儿园"]
    rows = [
        ["甲园", credit_code(1), "托育机构（中心）", "民办", "柳市镇", "2024-03-01", "否"],
        ["乙园", credit_code(2), "托育机构（中心）", "民办", "柳市镇", "2024-03-01", "是"],
        ["丙园", credit_code(3), "kindergarten", "公办", "柳市镇", "2024-03-01", "是"],
    ]
    client = client_as(bureau)

    response = preview(client, Institution, xlsx_upload(columns, rows), XLSX)

    assert response.context.get("confirm_form") is None
    assert "第3行：只有幼儿园可以标记为普惠性幼儿园。" in response.content.decode()
    assert Institution.objects.count() == 0
    assert Institution.history.count() == 0


@pytest.mark.django_db
def test_the_same_credit_code_twice_in_a_file_adds_one_institution(client_as, bureau):
    rows = [
        ["甲园", credit_code(1), "托育机构（中心）", "民办", "柳市镇", "2024-03-01"],
        ["甲园（更名）", credit_code(1), "托育机构（中心）", "民办", "柳市镇", "2024-03-01"],
    ]
    client = client_as(bureau)

    response = preview(client, Institution, xlsx_upload(INSTITUTION_COLUMNS, rows), XLSX)
    assert confirm(client, Institution, response).status_code == 302

    assert list(Institution.objects.values_list("name", flat=True)) == ["甲园（更名）"]


@pytest.mark.django_db
def test_institution_import_runs_a_bounded_number_of_queries(
    client_as, bureau, django_assert_max_num_queries
):
    """Issue #9: the queries of an import do not grow with its rows (the townships and known
    institutions are read once; rows are written in batches with their history)."""
    from portal.spreadsheets import SpreadsheetXLSX

    rows = [
        [f"园{n}", credit_code(n), "托育机构（中心）", "民办", "柳市镇", "2024-03-01"]
        for n in range(1, 301)
    ]
    InstitutionFactory(credit_code=credit_code(1), name="旧名")  # one update among the adds
    content = xlsx_upload(INSTITUTION_COLUMNS, rows).read()
    dataset = SpreadsheetXLSX().create_dataset(content)

    with django_assert_max_num_queries(20):
        result = InstitutionResource().import_data(dataset, dry_run=False, user=bureau)

    assert not result.has_errors() and not result.has_validation_errors()
    assert Institution.objects.count() == 300
    assert Institution.objects.get(credit_code=credit_code(1)).name == "园1"
    assert Institution.history.filter(history_user=bureau).count() == 300
