"""Training pages (/peixun/) per persona: a provider's users see and enter only their own
provider's courses; the bureau every course; operators read the courses open to their staff and
their own staff's attendance and hours, and never enter attendance."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook

from institutions.models import TrainingAttendance
from portal.roles import scope
from tests.factories import StaffMemberFactory

from .conftest import course_of

pytestmark = pytest.mark.django_db

COURSES = reverse("training:courses")
HOURS = reverse("training:hours")


def _add_form(staff, **extra):
    return {
        "institution": staff.institution_id,
        "id_number": staff.id_number.reveal(),
        "hours": "6",
        "completed": "on",
        **extra,
    }


def test_a_provider_sees_its_own_courses_only(
    client_as, provider_user_a, course_a, course_b, bureau
):
    page = client_as(provider_user_a).get(COURSES).content.decode()
    assert course_a.name in page and course_b.name not in page
    assert (
        client_as(provider_user_a).get(reverse("training:course", args=[course_b.pk])).status_code
        == 404
    )
    assert list(scope(provider_user_a, type(course_a))) == [course_a]
    everything = client_as(bureau).get(COURSES).content.decode()
    assert course_a.name in everything and course_b.name in everything


def test_a_provider_enters_attendance_of_its_course_and_not_anothers(
    client_as, provider_user_a, course_a, course_b, staff_a
):
    client = client_as(provider_user_a)
    response = client.post(
        reverse("training:attendance_add", args=[course_a.pk]), _add_form(staff_a)
    )
    assert response.status_code == 302, response.content.decode()
    row = TrainingAttendance.objects.get()
    assert (row.course, row.staff, row.hours) == (course_a, staff_a, Decimal("6"))
    assert row.history.get().history_user == provider_user_a
    other = client.post(reverse("training:attendance_add", args=[course_b.pk]), _add_form(staff_a))
    assert other.status_code == 404
    assert TrainingAttendance.objects.count() == 1


def test_hours_above_the_course_are_refused_on_the_page(client_as, bureau, course_a, staff_a):
    url = reverse("training:attendance_add", args=[course_a.pk])
    refused = client_as(bureau).post(url, _add_form(staff_a, hours="8.5"))
    assert refused.status_code == 400 and not TrainingAttendance.objects.exists()
    assert client_as(bureau).post(url, _add_form(staff_a, hours="8")).status_code == 302


def test_an_unknown_id_number_is_refused_without_echoing_it(client_as, bureau, course_a, staff_a):
    other = StaffMemberFactory()  # registered at another institution
    response = client_as(bureau).post(
        reverse("training:attendance_add", args=[course_a.pk]),
        _add_form(staff_a, id_number=other.id_number.reveal()),
    )
    assert response.status_code == 400
    assert "该机构没有此身份证号码的从业人员" in response.content.decode()
    assert not TrainingAttendance.objects.exists()


def test_an_operator_reads_but_never_enters_attendance(
    client_as, operator_a, course_a, staff_a, operator_b
):
    TrainingAttendance.objects.create(course=course_a, staff=staff_a, hours=Decimal("8"))
    client = client_as(operator_a)
    page = client.get(reverse("training:course", args=[course_a.pk]))
    assert page.status_code == 200 and "陈保育" in page.content.decode()
    add = client.post(reverse("training:attendance_add", args=[course_a.pk]), _add_form(staff_a))
    assert add.status_code == 403
    row = TrainingAttendance.objects.get()
    assert client.post(reverse("training:attendance_delete", args=[row.pk])).status_code == 403
    # Another institution's operator does not see this person's row.
    other = client_as(operator_b).get(reverse("training:course", args=[course_a.pk]))
    assert "陈保育" not in other.content.decode()


def test_deleting_an_attendance_asks_first(client_as, provider_user_a, course_a, staff_a):
    row = TrainingAttendance.objects.create(course=course_a, staff=staff_a, hours=Decimal("8"))
    url = reverse("training:attendance_delete", args=[row.pk])
    client = client_as(provider_user_a)
    confirm = client.get(url)
    assert confirm.status_code == 200 and "确认删除" in confirm.content.decode()
    assert TrainingAttendance.objects.exists()
    assert client.post(url).status_code == 302
    assert not TrainingAttendance.objects.exists()


def test_a_provider_cannot_edit_another_providers_attendance(
    client_as, provider_user_b, course_a, staff_a
):
    row = TrainingAttendance.objects.create(course=course_a, staff=staff_a, hours=Decimal("8"))
    client = client_as(provider_user_b)
    assert client.get(reverse("training:attendance_edit", args=[row.pk])).status_code == 404
    assert client.post(reverse("training:attendance_delete", args=[row.pk])).status_code == 404
    assert TrainingAttendance.objects.exists()


def test_an_operator_sees_courses_open_to_its_staffs_roles(
    client_as, operator_a, provider_a, staff_a
):
    open_all = course_of(provider_a, name="面向所有岗位")
    caregivers = course_of(provider_a, name="面向保育人员", open_to_roles=["caregiver"])
    cooks = course_of(provider_a, name="面向炊事人员", open_to_roles=["cook"])
    page = client_as(operator_a).get(COURSES).content.decode()
    assert open_all.name in page and caregivers.name in page and cooks.name not in page


def _sheet(rows) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["课程编号", "身份证号码", "机构统一社会信用代码", "参训学时", "是否结业"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile("签到表.xlsx", out.getvalue())


def test_the_page_import_refuses_a_bad_row_and_writes_nothing_then_imports_the_fixed_file(
    client_as, provider_user_a, course_a, course_b, institution_a
):
    people = [StaffMemberFactory(institution=institution_a) for _ in range(3)]
    code = institution_a.credit_code
    rows = [[course_a.pk, p.id_number.reveal(), code, 8, "是"] for p in people]
    url = reverse("training:import", args=[course_a.pk])
    client = client_as(provider_user_a)
    bad = [*rows[:2], [course_a.pk, people[2].id_number.reveal(), code, 9, "是"]]
    response = client.post(url, {"file": _sheet(bad)})
    assert response.status_code == 400
    assert "第4行" in response.content.decode()
    assert not TrainingAttendance.objects.exists()
    # A row naming another provider's course is refused too: this page imports its own course.
    other = [*rows[:2], [course_b.pk, people[2].id_number.reveal(), code, 8, "是"]]
    assert client.post(url, {"file": _sheet(other)}).status_code == 400
    assert not TrainingAttendance.objects.exists()
    good = client.post(url, {"file": _sheet(rows)})
    assert good.status_code == 302, good.content.decode().split("import-errors")[-1][:600]
    assert TrainingAttendance.objects.filter(course=course_a).count() == 3


def test_operators_read_their_staffs_hours_per_year(client_as, operator_a, provider_a, staff_a):
    this = course_of(provider_a, ends_on=dt.date(2026, 3, 3))
    last = course_of(
        provider_a, name="去年", starts_on=dt.date(2025, 3, 2), ends_on=dt.date(2025, 3, 3)
    )
    TrainingAttendance.objects.create(course=this, staff=staff_a, hours=Decimal("6"))
    TrainingAttendance.objects.create(course=last, staff=staff_a, hours=Decimal("7.5"))
    other = StaffMemberFactory(name="别家员工")
    client = client_as(operator_a)
    page = client.get(HOURS, {"year": 2026}).content.decode()
    assert "陈保育" in page and "别家员工" not in page and other.name not in page
    assert ">6<" in page
    assert ">7.5<" in client.get(HOURS, {"year": 2025}).content.decode()


def test_a_provider_user_has_no_staff_hours_page(client_as, provider_user_a):
    assert client_as(provider_user_a).get(HOURS).status_code == 403


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_list_pages_read_in_the_same_number_of_queries_for_1_and_5_rows(
    client_as, bureau, provider_a, institution_a
):
    client = client_as(bureau)
    course = course_of(provider_a)
    staff = [StaffMemberFactory(institution=institution_a)]
    TrainingAttendance.objects.create(course=course, staff=staff[0], hours=Decimal("1"))
    course_url = reverse("training:course", args=[course.pk])
    client.get(COURSES)
    counts = (_count(client, COURSES), _count(client, course_url), _count(client, HOURS))
    for n in range(4):
        course_of(provider_a, name=f"课程{n}")
        member = StaffMemberFactory(institution=institution_a)
        TrainingAttendance.objects.create(course=course, staff=member, hours=Decimal("1"))
    assert (_count(client, COURSES), _count(client, course_url), _count(client, HOURS)) == counts


def test_the_empty_sign_in_sheet_is_offered_to_whoever_imports_on_the_course_page(
    client_as, bureau, provider_user_a, provider_user_b, operator_a, course_a
):
    from openpyxl import load_workbook

    url = reverse("training:import_template", args=[course_a.pk])
    page = client_as(provider_user_a).get(reverse("training:import", args=[course_a.pk]))
    assert url in page.content.decode()
    for user in (bureau, provider_user_a):
        response = client_as(user).get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        sheet = load_workbook(io.BytesIO(response.content)).active
        headers = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
        assert headers[:3] == ["课程编号", "身份证号码", "机构统一社会信用代码"]
        assert "参训学时" in headers and sheet.max_row == 1  # empty: headers only
    # Another provider's user does not see the course; an operator never imports.
    assert client_as(provider_user_b).get(url).status_code == 404
    assert client_as(operator_a).get(url).status_code == 403
