"""Sign-in sheet (签到表) import of attendance: all or nothing, errors named by row in Chinese,
saves through the services with the importing user; a person by ID number and credit code."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from institutions.models import StaffMember, TrainingAttendance, TrainingCourse
from institutions.training.resources import TrainingAttendanceResource
from institutions.training.selectors import training_hours
from lequing_tuoyu.demo import make_resident_id
from portal.spreadsheets import SpreadsheetXLSX
from tests.bulk import make_registry
from tests.factories import StaffMemberFactory

pytestmark = pytest.mark.django_db

COLUMNS = ["课程编号", "身份证号码", "机构统一社会信用代码", "姓名", "参训学时", "是否结业"]


def xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def make_course(**values):
    fields = {
        "name": "保育实操",
        "provider": "温州市中等幼儿师范学校",
        "kind": "offline_practice",
        "starts_on": dt.date(2026, 4, 1),
        "ends_on": dt.date(2026, 4, 2),
        "hours": Decimal("16"),
    } | values
    return TrainingCourse.objects.create(**fields)


def run(content, user):
    dataset = SpreadsheetXLSX().create_dataset(content)
    resource = TrainingAttendanceResource()
    result = resource.import_data(dataset, dry_run=False, user=user)
    return resource, result


def test_a_thousand_rows_with_one_bad_one_write_nothing_then_the_corrected_file_imports_all(
    bureau,
):
    make_registry(500)  # two staff members each: 1,000 people
    course = make_course()
    staff = list(StaffMember.objects.select_related("institution").order_by("pk"))
    assert len(staff) == 1000
    rows = [
        [course.pk, s.id_number.reveal(), s.institution.credit_code, s.name, "16", "是"]
        for s in staff
    ]
    bad = [list(row) for row in rows]
    bad[736][4] = "16.5"  # spreadsheet row 738: the headers are row 1

    resource, result = run(xlsx(bad), bureau)

    assert result.has_errors() or result.has_validation_errors()
    lines = resource.error_messages(result)
    assert lines == ["第738行：参训学时不能超过课程学时（16）。"]
    assert not TrainingAttendance.objects.exists()
    assert not TrainingAttendance.history.exists()

    resource, result = run(xlsx(rows), bureau)

    assert not result.has_errors() and not result.has_validation_errors()
    assert (
        TrainingAttendance.objects.filter(course=course, hours=16, completed=True).count() == 1000
    )
    assert TrainingAttendance.history.filter(history_user=bureau).count() == 1000
    # Each person's training hours per year follow the attendance: 16 in the year the course
    # ends, none the year before.
    ids = [s.pk for s in staff]
    assert training_hours(ids, course.ends_on.year) == {pk: Decimal("16") for pk in ids}
    before = training_hours(ids, course.ends_on.year - 1)
    assert [before.get(pk, 0) for pk in ids] == [0] * 1000


def test_unknown_people_courses_and_masked_numbers_are_named_by_row(bureau, institution_a):
    course = make_course()
    known = StaffMemberFactory(institution=institution_a)
    stranger = make_resident_id(__import__("random").Random(3), born=dt.date(1991, 2, 3))
    code = institution_a.credit_code
    rows = [
        [course.pk, known.id_number.reveal(), code, "", "8", "否"],
        [course.pk, stranger, code, "", "8", ""],
        [9999, known.id_number.reveal(), code, "", "8", ""],
        [course.pk, "330382********1234", code, "", "8", ""],
        [course.pk, known.id_number.reveal(), code, "", "八", ""],
    ]

    resource, result = run(xlsx(rows), bureau)

    text = "\n".join(resource.error_messages(result))
    assert "第3行" in text and "请先导入从业人员" in text and stranger not in text
    assert "第4行：课程编号“9999”不存在" in text
    assert "第5行" in text and "脱敏" in text
    assert "第6行" in text and "不是有效的数字" in text
    assert "第2行" not in text
    assert not TrainingAttendance.objects.exists()


def test_a_second_sheet_for_the_same_course_updates_the_person(bureau, institution_a):
    course = make_course()
    staff = StaffMemberFactory(institution=institution_a)
    row = [course.pk, staff.id_number.reveal(), institution_a.credit_code, staff.name, "8", "否"]
    run(xlsx([row]), bureau)
    row[4], row[5] = "16", "是"
    _resource, result = run(xlsx([row]), bureau)
    assert not result.has_validation_errors()
    attendance = TrainingAttendance.objects.get()
    assert attendance.hours == 16 and attendance.completed


def test_an_operator_cannot_import_for_another_institution(operator_a, institution_b):
    course = make_course()
    staff = StaffMemberFactory(institution=institution_b)
    rows = [[course.pk, staff.id_number.reveal(), institution_b.credit_code, "", "8", ""]]
    resource, result = run(xlsx(rows), operator_a)
    assert "找不到对应的机构" in "\n".join(resource.error_messages(result))
    assert not TrainingAttendance.objects.exists()


def test_the_admin_preview_names_the_row_and_offers_no_confirm(client_as, bureau, institution_a):
    course = make_course(hours=Decimal("4"))
    staff = StaffMemberFactory(institution=institution_a)
    rows = [[course.pk, staff.id_number.reveal(), institution_a.credit_code, "", "5", ""]]
    url = reverse("admin:institutions_trainingattendance_import")
    upload = SimpleUploadedFile("签到表.xlsx", xlsx(rows))
    response = client_as(bureau).post(url, {"resource": "0", "format": "0", "import_file": upload})
    assert response.status_code == 200
    assert response.context.get("confirm_form") is None
    assert "第2行" in response.content.decode()
    assert not TrainingAttendance.objects.exists()


def test_a_confirmed_sheet_runs_in_the_background_as_the_other_imports(
    client_as, bureau, institution_a, settings, django_capture_on_commit_callbacks
):
    from institutions.import_jobs import services as job_services
    from institutions.models import ImportJob

    settings.IMPORT_BACKGROUND_ROWS = 2
    course = make_course()
    people = [StaffMemberFactory(institution=institution_a) for _n in range(3)]
    rows = [
        [course.pk, p.id_number.reveal(), institution_a.credit_code, "", "16", "是"] for p in people
    ]
    client = client_as(bureau)
    url = reverse("admin:institutions_trainingattendance_import")
    upload = SimpleUploadedFile("签到表.xlsx", xlsx(rows))
    response = client.post(url, {"resource": "0", "format": "0", "import_file": upload})
    data = response.context["confirm_form"].initial
    with django_capture_on_commit_callbacks():
        client.post(reverse("admin:institutions_trainingattendance_process_import"), data)
    job = ImportJob.objects.get()
    assert job.model_label == "institutions.trainingattendance"
    assert not TrainingAttendance.objects.exists()

    job_services.run_import(job.pk)

    job.refresh_from_db()
    assert job.state == "done", job.messages
    assert TrainingAttendance.objects.count() == 3


def test_the_export_shows_masked_id_numbers_only(client_as, bureau, institution_a):
    staff = StaffMemberFactory(institution=institution_a)
    course = make_course(kind="competition", name="保育技能大赛")
    TrainingAttendance.objects.create(course=course, staff=staff, hours=8, award="二等奖")
    fields = TrainingAttendanceResource().get_export_order()
    data = {"format": "1", "resource": "0"}
    data |= {f"trainingattendanceresource_{name}": "on" for name in fields}
    response = client_as(bureau).post(reverse("admin:institutions_trainingattendance_export"), data)
    text = response.content.decode("utf-8")
    assert str(staff.id_number) in text and staff.id_number.reveal() not in text
    assert "二等奖" in text and institution_a.credit_code in text
