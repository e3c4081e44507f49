"""Monthly reports to xlsx and back: the export's cells, and an import that obeys the same rules
as the form and the API, all or nothing."""

import csv
import datetime as dt
import io
import re

import openpyxl
import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from institutions.models import LecturerMember, MonthlyReport, ParentingSession, StaffMember
from institutions.reports import services
from institutions.reports.resources import import_reports
from tests.factories import (
    ApprovedPlacesFactory,
    CommunityFactory,
    HealthFacilityFactory,
    InstitutionFactory,
    township,
)

from .conftest import MARCH, good_numbers

pytestmark = pytest.mark.django_db
CST = dt.timezone(dt.timedelta(hours=8))

API = "/api/v1/monthly-reports"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT_HEADERS = [
    "统一社会信用代码",
    "月份",
    "托小班在托人数",
    "托大班在托人数",
    "其中使用托育券人数",
    "全日托实际月收费（元）",
    "在岗保育人员数",
    "其中持证人数",
    "出勤天数",
    "预警说明",
    "提交",
]


def at(month, day, hour=10):
    return time_machine.travel(dt.datetime(2025, month, day, hour, tzinfo=CST), tick=False)


def snapshot() -> dict:
    return {
        "reports": [
            {k: str(v) for k, v in row.items()}
            for row in MonthlyReport.objects.order_by("pk").values()
        ],
        "report history": MonthlyReport.history.count(),
    }


def sheet_rows(content: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def xlsx_file(rows: list[list], headers=IMPORT_HEADERS) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def row_for(institution, *, submit="否", **overrides) -> list:
    values = {
        "credit_code": institution.credit_code,
        "period": "2025-03",
        "enrolled_toddler": 8,
        "enrolled_older": 9,
        "voucher_children": 4,
        "fee_full_day": 1800,
        "staff_on_duty": 3,
        "staff_certified": 2,
        "attendance_days": 21,
        "warning_comment": "",
        "submit": submit,
        **overrides,
    }
    return list(values.values())


@pytest.fixture
def registered_b(institution_b):
    """institution_b with 15 toddler and 20 older places and no staff on the registry."""
    ApprovedPlacesFactory(institution=institution_b)
    return institution_b


def messages(result) -> list[str]:
    return [m for row in result.invalid_rows for ms in row.error_dict.values() for m in ms]


# --- Export --------------------------------------------------------------------------------------


def test_export_has_the_months_rows_with_chinese_headers_and_no_personal_numbers(
    api_as, bureau, operator_a, march_report, institution_b
):
    institution = march_report.institution
    institution.contact_phone = "13812345678"
    institution.save()
    services.report_submit(report=march_report, actor=operator_a, **good_numbers())
    services.report_get_or_start(institution=institution_b, period=MARCH)
    with_exception = dt.date(2025, 2, 1)
    services.exception_grant(
        institution=institution_b,
        period=with_exception,
        open_until=dt.date(2025, 4, 30),
        reason="补报",
        actor=bureau,
    )
    services.report_get_or_start(institution=institution_b, period=with_exception)  # February

    response = api_as(bureau).get(f"{API}/export/", {"period": "2025-03"})
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith("attachment;")
    assert "2025-03.xlsx" in response["Content-Disposition"]

    rows = sheet_rows(response.content)
    headers, data = rows[0], rows[1:]
    for header in (
        "机构名称",
        "统一社会信用代码",
        "镇街",
        "状态",
        "乳儿班在托人数",
        "托小班在托人数",
        "托大班在托人数",
        "混龄班在托人数",
        "在托总人数",
        "全日托实际月收费（元）",
        "在岗保育人员数",
        "出勤天数",
        "安全事件数",
        "预警",
        "首次提交时间",
        "是否按时提交",
    ):
        assert header in headers
    assert len(data) == 2  # February's report is another month
    cells = {row[headers.index("机构名称")]: dict(zip(headers, row, strict=True)) for row in data}
    a = cells["甲托育中心"]
    assert a["统一社会信用代码"] == institution.credit_code
    assert a["镇街"] == "柳市镇"
    assert a["月份"] == "2025-03"
    assert a["状态"] == "已提交"
    assert (a["托小班在托人数"], a["托大班在托人数"], a["在托总人数"]) == (8, 9, 17)
    assert a["全日托实际月收费（元）"] == 1800
    assert (a["在岗保育人员数"], a["其中持证人数"], a["出勤天数"]) == (3, 2, 21)
    assert a["首次提交时间"] == "2025-04-05 10:00"
    assert a["是否按时提交"] == "是"
    b = cells["乙托育中心"]
    assert (b["状态"], b["是否按时提交"], b["首次提交时间"]) == ("草稿", "否", None)

    code_column = headers.index("统一社会信用代码")  # 18 characters too, but not a person's
    text = " ".join(
        str(cell)
        for row in rows
        for column, cell in enumerate(row)
        if cell is not None and column != code_column
    )
    assert "13812345678" not in text
    assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", text)  # no mobile number at all
    numbers = [staff.id_number.reveal() for staff in StaffMember.objects.all()]
    assert len(numbers) == 3
    assert not any(number in text for number in numbers)
    assert not re.search(r"\d{17}[\dX]|\*{4}", text)  # no ID number, plain or masked


def test_export_runs_the_same_queries_for_few_or_many_reports(
    api_as, bureau, in_window, django_assert_max_num_queries
):
    def count_queries(n_new: int) -> tuple[int, int]:
        for _ in range(n_new):
            services.report_get_or_start(institution=InstitutionFactory(), period=MARCH)
        fresh = get_user_model().objects.get(pk=bureau.pk)
        with CaptureQueriesContext(connection) as queries:
            response = api_as(fresh).get(f"{API}/export/", {"period": "2025-03"})
        assert response.status_code == 200
        return len(queries), len(sheet_rows(response.content)) - 1

    assert count_queries(3) == (2, 3)  # roles, then the reports joined with their institutions
    assert count_queries(60) == (2, 63)
    fresh = get_user_model().objects.get(pk=bureau.pk)
    with django_assert_max_num_queries(2):
        api_as(fresh).get(f"{API}/export/", {"period": "2025-03", "township": "330382114"})


def test_export_needs_a_month(api_as, bureau):
    response = api_as(bureau).get(f"{API}/export/")
    assert (response.status_code, response.json()["code"]) == (400, "required")
    response = api_as(bureau).get(f"{API}/export/", {"period": "2025/03"})
    assert (response.status_code, response.json()["code"]) == (400, "invalid")
    # A client that asks for xlsx still gets its error as JSON.
    response = api_as(bureau).get(f"{API}/export/", HTTP_ACCEPT=XLSX)
    assert (response.status_code, response["Content-Type"]) == (400, "application/json")
    assert response.json()["code"] == "required"


def test_parenting_sessions_of_a_month_and_township_export(api_as, bureau, institution_a):
    liushi, hongqiao = township("114"), township("108")
    community = CommunityFactory(township=liushi, name="柳市社区")
    member = LecturerMember.objects.create(
        name="王讲师",
        profession="paediatrician",
        organisation="乐清市人民医院",
        joined_on=dt.date(2024, 1, 1),
    )
    for held_on, place, name in [
        (dt.date(2025, 3, 3), liushi, "柳市镇卫生院"),
        (dt.date(2025, 3, 28), hongqiao, "虹桥镇卫生院"),
        (dt.date(2025, 4, 1), liushi, "四月的活动"),
    ]:
        services.parenting_session_save(
            session=ParentingSession(
                held_on=held_on,
                organiser_kind="health_centre",
                venue="community",
                community=community if place == liushi else None,
                topic="科学育儿",
                families_reached=10,
            ),
            facility=HealthFacilityFactory(name=name, township=place),
            lecturers=[member] if place == liushi else None,
            actor=bureau,
        )
    response = api_as(bureau).get(
        "/api/v1/parenting-sessions/export/", {"month": "2025-03", "township": "330382114"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    rows = sheet_rows(response.content)
    assert rows[0] == [
        "活动日期",
        "组织方类型",
        "组织方名称",
        "组织机构",
        "组织医疗卫生机构",
        "镇街",
        "活动场所类型",
        "所在社区",
        "主题",
        "主讲讲师",
        "参与家庭数",
    ]
    assert rows[1:] == [
        [
            dt.datetime(2025, 3, 3),
            "卫生院/社区卫生服务中心",
            "柳市镇卫生院",
            None,
            "柳市镇卫生院",
            "柳市镇",
            "社区",
            "柳市社区",
            "科学育儿",
            "王讲师",
            10,
        ]
    ]
    whole_month = api_as(bureau).get("/api/v1/parenting-sessions/export/", {"month": "2025-03"})
    assert len(sheet_rows(whole_month.content)) == 3


# --- Import --------------------------------------------------------------------------------------


def test_good_rows_create_reports_and_submit_those_marked(
    bureau, registered, registered_b, in_window
):
    rows = [
        row_for(registered, submit="是"),
        row_for(registered_b, enrolled_older=3, staff_on_duty=0, staff_certified=0),
    ]
    result = import_reports(xlsx_file(rows), "xlsx", bureau)
    assert not result.has_errors() and not result.has_validation_errors(), messages(result)
    assert result.totals["new"] == 2
    a = MonthlyReport.objects.get(institution=registered)
    assert (a.state, a.enrolled_total, a.fee_full_day, a.attendance_days) == (
        "submitted",
        17,
        1800,
        21,
    )
    assert a.submitted_by == bureau
    assert a.history.first().history_user == bureau
    b = MonthlyReport.objects.get(institution=registered_b)
    assert (b.state, b.enrolled_older, b.fee_full_day) == ("draft", 3, 1800)


def test_a_csv_saved_by_chinese_excel_imports(bureau, registered, in_window):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(IMPORT_HEADERS)
    writer.writerow(row_for(registered))
    result = import_reports(out.getvalue().encode("gb18030"), "csv", bureau)
    assert not result.has_errors() and not result.has_validation_errors(), messages(result)
    assert MonthlyReport.objects.get().enrolled_toddler == 8


def test_one_bad_row_writes_nothing_and_names_the_row(bureau, registered, registered_b, in_window):
    rows = [
        row_for(registered_b, staff_on_duty=0, staff_certified=0),
        row_for(registered, enrolled_toddler=11),  # above the 10 approved toddler places
        row_for(registered_b, enrolled_older="八"),
    ]
    result = import_reports(xlsx_file(rows), "xlsx", bureau)
    assert result.has_validation_errors()
    assert [row.number for row in result.invalid_rows] == [2, 3]
    found = messages(result)
    assert "第3行，托小班在托人数：" in found[0]  # the header is row 1 of the sheet
    assert "超过月末核定托位（10）" in found[0]
    assert "第4行，托大班在托人数：“八”不是整数。" in found[1]
    assert not MonthlyReport.objects.exists()
    assert MonthlyReport.history.count() == 0


def test_an_accepted_report_cannot_be_changed_by_an_import(
    bureau, operator_a, march_report, registered_b
):
    services.report_submit(report=march_report, actor=operator_a, **good_numbers())
    services.report_accept(report=march_report, actor=bureau)
    before = snapshot()
    rows = [
        row_for(registered_b, staff_on_duty=0, staff_certified=0),
        row_for(march_report.institution, enrolled_toddler=2),
    ]
    result = import_reports(xlsx_file(rows), "xlsx", bureau)
    assert "第3行：该月报已审核通过，数据已锁定。" in messages(result)[0]
    assert snapshot() == before
    assert not MonthlyReport.objects.filter(institution=registered_b).exists()


def test_a_submitted_report_is_not_changed_by_an_import_either(bureau, operator_a, march_report):
    services.report_submit(report=march_report, actor=operator_a, **good_numbers())
    before = snapshot()
    result = import_reports(
        xlsx_file([row_for(march_report.institution, submit="是")]), "xlsx", bureau
    )
    assert "等待卫健局审核" in messages(result)[0]
    assert snapshot() == before


def test_import_follows_the_window_and_the_warning_comment_rule(bureau, registered):
    with at(5, 2):
        result = import_reports(xlsx_file([row_for(registered)]), "xlsx", bureau)
    assert "第2行：2025-03的月报已于2025-05-01锁定" in messages(result)[0]
    with at(4, 5):
        warned = row_for(registered, submit="是", fee_full_day=2000)
        result = import_reports(xlsx_file([warned]), "xlsx", bureau)
        assert "第2行，预警说明：有1条预警" in messages(result)[0]
        assert not MonthlyReport.objects.exists()
        warned[IMPORT_HEADERS.index("预警说明")] = "经物价部门备案"
        result = import_reports(xlsx_file([warned]), "xlsx", bureau)
        assert not result.has_validation_errors(), messages(result)
    assert MonthlyReport.objects.get().state == "submitted"


def test_operators_import_only_their_own_institutions(
    operator_a, registered, registered_b, auditor, in_window
):
    result = import_reports(
        xlsx_file([row_for(registered), row_for(registered_b, staff_on_duty=0, staff_certified=0)]),
        "xlsx",
        operator_a,
    )
    found = messages(result)
    assert len(found) == 1 and "第3行，统一社会信用代码：找不到" in found[0]
    assert not MonthlyReport.objects.exists()

    result = import_reports(xlsx_file([row_for(registered)]), "xlsx", auditor)
    assert "找不到" in messages(result)[0]
    assert not MonthlyReport.objects.exists()


def test_dry_run_checks_every_row_and_writes_nothing(bureau, registered, in_window):
    result = import_reports(xlsx_file([row_for(registered, submit="是")]), "xlsx", bureau, True)
    assert not result.has_errors() and not result.has_validation_errors(), messages(result)
    assert result.totals["new"] == 1
    assert not MonthlyReport.objects.exists()


def test_an_exported_month_imports_again_after_a_correction(
    api_as, bureau, registered, march_report
):
    services.report_update(report=march_report, **good_numbers())
    exported = api_as(bureau).get(f"{API}/export/", {"period": "2025-03"}).content
    book = openpyxl.load_workbook(io.BytesIO(exported))
    sheet = book.active
    headers = [cell.value for cell in sheet[1]]
    sheet.cell(row=2, column=headers.index("出勤天数") + 1, value=20)
    sheet.cell(row=2, column=headers.index("状态") + 1, value="审核通过")  # read-only: ignored
    out = io.BytesIO()
    book.save(out)

    result = import_reports(out.getvalue(), "xlsx", bureau)
    assert not result.has_errors() and not result.has_validation_errors(), messages(result)
    report = MonthlyReport.objects.get()
    assert (report.attendance_days, report.enrolled_total, report.state) == (20, 17, "draft")
