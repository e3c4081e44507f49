"""The monthly-report pages: the operator's months and form, the bureau's review, completeness and
exceptions, and parenting-care sessions. Scoping (404), read-only roles (403), writes through the
services, and a bounded number of queries for 10,000 institutions."""

import datetime as dt
import re
from html.parser import HTMLParser
from io import BytesIO

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from institutions.health import selectors
from institutions.models import Community, Institution, MonthlyReport, ParentingSession, Township
from institutions.reports import services
from institutions.reports.models import ReportWindowException
from tests.factories import HealthFacilityFactory, InstitutionFactory, township

from .conftest import MARCH, good_numbers

pytestmark = pytest.mark.django_db
CST = dt.timezone(dt.timedelta(hours=8))
APRIL = dt.date(2025, 4, 1)
FEBRUARY = dt.date(2025, 2, 1)


def at(month, day, hour=10):
    return time_machine.travel(dt.datetime(2025, month, day, hour, tzinfo=CST), tick=False)


def form_url(institution, period=MARCH):
    return reverse("reports:report_form", args=[institution.pk, period])


def form_data(action="save", **overrides):
    """What the browser posts: every field of the form, as text."""
    values = {
        "enrolled_infant": 0,
        "enrolled_toddler": 0,
        "enrolled_older": 0,
        "enrolled_mixed": 0,
        "voucher_children": 0,
        "special_needs_children": 0,
        "fee_full_day": "",
        "fee_half_day": "",
        "staff_on_duty": 0,
        "staff_certified": 0,
        "staff_override_reason": "",
        "attendance_days": 0,
        "safety_incidents": 0,
        "warning_comment": "",
        **good_numbers(),
        **overrides,
        "action": action,
    }
    return {name: "" if value is None else str(value) for name, value in values.items()}


def field_block(html: str, name: str) -> str:
    """The HTML of one field of the report form: its label, input, note and errors."""
    match = re.search(
        rf'<div class="field rf-field[^"]*" id="field-{name}">(.*?)\n</div>', html, re.S
    )
    assert match, f"no field {name}"
    return match.group(1)


class _Rows(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self._row, self._cell = [], None, None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def table_rows(response) -> list[list[str]]:
    parser = _Rows()
    parser.feed(response.content.decode())
    return parser.rows


def row_for(response, first_cell: str) -> list[str]:
    rows = [row for row in table_rows(response) if row and row[0] == first_cell]
    assert rows, f"no row {first_cell}"
    return rows[0]


def submitted(institution, *, actor=None, **numbers):
    """March's report of a bare institution (no places, no staff), submitted."""
    report = services.report_get_or_start(institution=institution, period=MARCH)
    return services.report_submit(report=report, actor=actor, **numbers)


# --- Operator: months and the form ------------------------------------------------------------------


def test_month_list_shows_each_month_since_the_pilot_with_state_and_due_date(
    client_as, operator_a, registered, institution_b, in_window
):
    response = client_as(operator_a).get(reverse("reports:month_list"))
    assert response.status_code == 200
    march, february = row_for(response, "2025-03"), row_for(response, "2025-02")
    assert march[1:4] == ["未填报", "2025-04-10", "未到截止日期"]
    assert "开始填报" in march[4]
    assert february[1:4] == ["未填报", "2025-03-10", "已逾期26天"]
    assert "已锁定" in february[4]  # locked on 2025-03-31
    assert "2025-04" not in [row[0] for row in table_rows(response)]  # its window opens 05-01
    assert "乙托育中心" not in response.content.decode()


def test_month_list_leaves_out_months_before_the_institution_was_filed(
    client_as, operator_a, institution_a, in_window
):
    institution_a.filed_on = dt.date(2025, 3, 15)
    institution_a.save()
    months = [
        row[0] for row in table_rows(client_as(operator_a).get(reverse("reports:month_list")))
    ]
    assert "2025-03" in months and "2025-02" not in months


def test_city_wide_roles_see_the_month_list_without_filing_links(
    client_as, bureau, institution_a, in_window
):
    response = client_as(bureau).get(reverse("reports:month_list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "甲托育中心" in html and "开始填报" not in html
    assert reverse("reports:review_queue") in html


def test_operator_starts_saves_and_submits_a_month_through_the_form(
    client_as, operator_a, registered, in_window
):
    client = client_as(operator_a)
    response = client.get(form_url(registered))
    assert response.status_code == 200
    report = MonthlyReport.objects.get(institution=registered, period=MARCH)
    assert report.state == MonthlyReport.State.DRAFT
    html = response.content.decode()
    assert 'value="3"' in field_block(html, "staff_on_duty")  # pre-filled from the registry
    assert "登记信息：3 人" in field_block(html, "staff_on_duty")
    assert "月末核定托位 10 个" in field_block(html, "enrolled_toddler")
    assert 'data-per-carer="5"' in field_block(html, "enrolled_toddler")
    assert "js/report_form.js" in html and "<script>" not in html  # no inline script

    response = client.post(form_url(registered), form_data("save", enrolled_toddler=7))
    assert response.status_code == 302 and response["Location"] == form_url(registered)
    report.refresh_from_db()
    assert (report.state, report.enrolled_toddler) == (MonthlyReport.State.DRAFT, 7)

    response = client.post(form_url(registered), form_data("submit"))
    assert response.status_code == 302 and response["Location"] == reverse("reports:month_list")
    report.refresh_from_db()
    assert report.state == MonthlyReport.State.SUBMITTED
    assert (report.enrolled_toddler, report.submitted_by) == (8, operator_a)
    assert report.history.first().history_user == operator_a

    march = row_for(client.get(reverse("reports:month_list")), "2025-03")
    assert march[1] == "已提交" and "按时提交" in march[3] and "查看" in march[4]


def test_an_error_re_renders_the_form_with_what_was_typed_and_the_message_by_its_field(
    client_as, operator_a, march_report, registered
):
    response = client_as(operator_a).post(
        form_url(registered),
        form_data(
            "submit",
            enrolled_toddler=11,
            enrolled_older=-2,
            attendance_days=19,
            staff_override_reason="三月新招一名保育员",
        ),
    )
    assert response.status_code == 400
    html = response.content.decode()
    toddler = field_block(html, "enrolled_toddler")
    assert 'value="11"' in toddler
    assert "超过月末核定托位（10）" in toddler and 'class="field-errors"' in toddler
    assert "不能为负数" in field_block(html, "enrolled_older")
    assert 'value="19"' in field_block(html, "attendance_days")
    assert "三月新招一名保育员" in field_block(html, "staff_override_reason")
    assert "不能为负数" not in field_block(html, "attendance_days")
    assert 'id="error-summary"' in html
    march_report.refresh_from_db()
    assert (march_report.enrolled_toddler, march_report.attendance_days) == (0, 0)
    assert march_report.state == MonthlyReport.State.DRAFT


def test_text_where_a_number_belongs_is_an_error_and_the_text_stays(
    client_as, operator_a, march_report, registered
):
    response = client_as(operator_a).post(
        form_url(registered), form_data("save", enrolled_older="九")
    )
    assert response.status_code == 400
    block = field_block(response.content.decode(), "enrolled_older")
    assert "请输入整数" in block and 'value="九"' in block


def test_a_warning_needs_a_comment_before_the_report_can_be_submitted(
    client_as, operator_a, march_report, registered
):
    client = client_as(operator_a)
    # 10 toddlers need 2 carers and 14 older children 2 more: 4; 3 are on duty.
    numbers = dict(enrolled_toddler=10, enrolled_older=14, staff_on_duty=3)

    assert client.post(form_url(registered), form_data("save", **numbers)).status_code == 302
    html = client.get(form_url(registered)).content.decode()
    assert "保育人员配比低于国家标准" in html  # listed while still a draft
    assert '<span class="required" aria-hidden="true"> *</span>' in field_block(
        html, "warning_comment"
    )

    response = client.post(form_url(registered), form_data("submit", **numbers))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="warnings-panel"' in html
    assert "请填写说明后再提交" in field_block(html, "warning_comment")
    march_report.refresh_from_db()
    assert march_report.state == MonthlyReport.State.DRAFT

    response = client.post(
        form_url(registered),
        form_data("submit", warning_comment="一名保育员病假，已安排代班", **numbers),
    )
    assert response.status_code == 302
    march_report.refresh_from_db()
    assert march_report.state == MonthlyReport.State.SUBMITTED
    assert [w["code"] for w in march_report.warnings] == ["staff_ratio"]


def test_an_accepted_report_is_read_only_says_why_and_a_post_changes_nothing(
    client_as, operator_a, bureau, march_report, registered
):
    services.report_submit(report=march_report, **good_numbers())
    services.report_accept(report=march_report, actor=bureau)
    versions = march_report.history.count()
    client = client_as(operator_a)

    response = client.get(form_url(registered))
    html = response.content.decode()
    assert response.status_code == 200
    assert "该月报已审核通过，数据已锁定" in html
    assert 'name="enrolled_toddler"' not in html and 'name="action"' not in html
    assert "在托总人数" in html and ">17<" in html  # the numbers, read-only

    response = client.post(form_url(registered), form_data("submit", enrolled_toddler=1))
    assert response.status_code == 302
    march_report.refresh_from_db()
    assert (march_report.state, march_report.enrolled_toddler) == ("accepted", 8)
    assert march_report.history.count() == versions
    assert "已审核通过" in client.get(form_url(registered)).content.decode()  # said again


def test_a_locked_month_shows_the_lock_reason_and_starts_nothing(client_as, operator_a, registered):
    client = client_as(operator_a)
    with at(5, 1):
        for response in (
            client.get(form_url(registered)),
            client.post(form_url(registered), form_data("submit")),
        ):
            assert response.status_code == 200
            assert "已于2025-05-01锁定" in response.content.decode()
        assert not MonthlyReport.objects.exists()


def test_a_draft_left_until_the_lock_is_shown_read_only_with_the_reason(
    client_as, operator_a, registered
):
    with at(4, 30):
        report = services.report_get_or_start(institution=registered, period=MARCH)
    with at(5, 2):
        html = client_as(operator_a).get(form_url(registered)).content.decode()
    assert "已于2025-05-01锁定" in html and "请联系卫健局开通补报许可" in html
    assert 'name="enrolled_toddler"' not in html
    report.refresh_from_db()
    assert report.state == MonthlyReport.State.DRAFT


def test_a_month_whose_window_has_not_opened_says_when_it_will(
    client_as, operator_a, registered, in_window
):
    response = client_as(operator_a).get(form_url(registered, APRIL))
    assert "2025-05-01开放填报" in response.content.decode()
    assert not MonthlyReport.objects.exists()


def test_a_month_before_the_institution_was_filed_cannot_be_started(
    client_as, operator_a, registered, in_window
):
    registered.filed_on = dt.date(2025, 4, 1)
    registered.save()
    response = client_as(operator_a).get(form_url(registered))
    assert "尚未备案" in response.content.decode()
    assert not MonthlyReport.objects.exists()


def test_a_returned_report_shows_the_bureau_reason_and_can_be_corrected(
    client_as, operator_a, bureau, march_report, registered
):
    services.report_submit(report=march_report, **good_numbers())
    services.report_return(report=march_report, actor=bureau, reason="请核对托小班人数")
    client = client_as(operator_a)

    html = client.get(form_url(registered)).content.decode()
    reason = re.search(r'<section class="return-reason".*?</section>', html, re.S).group(0)
    assert "卫健局已退回本月月报" in reason and "请核对托小班人数" in reason
    assert 'name="enrolled_toddler"' in html
    assert "需修改后重新提交" in client.get(reverse("reports:month_list")).content.decode()

    assert (
        client.post(form_url(registered), form_data("submit", enrolled_toddler=6)).status_code
        == 302
    )
    march_report.refresh_from_db()
    assert (march_report.state, march_report.enrolled_toddler) == ("submitted", 6)


# --- Scoping: another institution's report is a 404; bureau pages are 403 --------------------------


def test_operator_gets_404_for_another_institutions_month_and_review_pages(
    client_as, operator_a, operator_b, institution_b, in_window
):
    other = submitted(institution_b, actor=operator_b)
    client = client_as(operator_a)
    urls = [
        form_url(institution_b),
        form_url(institution_b, FEBRUARY),  # no report yet: none is started either
        reverse("reports:review_detail", args=[other.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404
        assert client.post(url, {**form_data("submit"), "reason": "x"}).status_code == 404
    other.refresh_from_db()
    assert other.state == MonthlyReport.State.SUBMITTED and other.attendance_days == 0
    assert MonthlyReport.objects.count() == 1
    assert other.history.count() == 2


def test_operators_get_403_on_bureau_pages(client_as, operator_a, institution_a, in_window):
    own = submitted(institution_a, actor=operator_a)
    client = client_as(operator_a)
    for name in ("review_queue", "completeness", "exceptions"):
        assert client.get(reverse(f"reports:{name}")).status_code == 403
    assert client.get(reverse("reports:review_detail", args=[own.pk])).status_code == 403
    assert (
        client.post(
            reverse("reports:review_detail", args=[own.pk]), {"action": "accept"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("reports:review_queue"), {"action": "accept", "report": [own.pk]}
        ).status_code
        == 403
    )
    assert client.get(reverse("reports:sessions_export"), {"month": "2025-03"}).status_code == 403
    own.refresh_from_db()
    assert own.state == MonthlyReport.State.SUBMITTED


@pytest.mark.parametrize(
    "url",
    [
        reverse("reports:month_list"),
        reverse("reports:review_queue"),
        reverse("reports:completeness"),
        reverse("reports:exceptions"),
        reverse("reports:sessions"),
    ],
)
def test_anonymous_is_sent_to_the_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("institutions:login"))


# --- Bureau: review ---------------------------------------------------------------------------------


@pytest.fixture
def march_submitted(march_report, operator_a):
    return services.report_submit(report=march_report, actor=operator_a, **good_numbers())


def detail_url(report):
    return reverse("reports:review_detail", args=[report.pk])


def test_bureau_accepts_a_report_on_its_review_page(client_as, bureau, march_submitted):
    client = client_as(bureau)
    html = client.get(detail_url(march_submitted)).content.decode()
    assert "甲托育中心" in html and "柳市镇" in html and "按时" in html

    response = client.post(detail_url(march_submitted), {"action": "accept"})
    assert response.status_code == 302
    march_submitted.refresh_from_db()
    assert march_submitted.state == MonthlyReport.State.ACCEPTED
    assert march_submitted.reviewed_by == bureau
    history = [row[2] for row in table_rows(client.get(detail_url(march_submitted)))[1:]]
    assert history[-2:] == ["提交", "审核通过"]


def test_returning_needs_a_reason_and_without_one_nothing_changes(
    client_as, bureau, march_submitted, operator_a, registered
):
    client = client_as(bureau)
    response = client.post(detail_url(march_submitted), {"action": "return", "reason": "  "})
    assert response.status_code == 400
    assert "请填写原因" in response.content.decode()
    march_submitted.refresh_from_db()
    assert march_submitted.state == MonthlyReport.State.SUBMITTED

    response = client.post(
        detail_url(march_submitted), {"action": "return", "reason": "托小班人数与考勤不符"}
    )
    assert response.status_code == 302
    march_submitted.refresh_from_db()
    assert march_submitted.state == MonthlyReport.State.RETURNED
    assert march_submitted.return_reason == "托小班人数与考勤不符"
    assert (
        "托小班人数与考勤不符" in client_as(operator_a).get(form_url(registered)).content.decode()
    )


def test_bureau_reopens_an_accepted_report_only_with_a_reason(client_as, bureau, march_submitted):
    services.report_accept(report=march_submitted, actor=bureau)
    client = client_as(bureau)
    assert "重新打开原因（必填）" in client.get(detail_url(march_submitted)).content.decode()
    response = client.post(detail_url(march_submitted), {"action": "reopen", "reason": ""})
    assert response.status_code == 400
    march_submitted.refresh_from_db()
    assert march_submitted.state == MonthlyReport.State.ACCEPTED

    response = client.post(
        detail_url(march_submitted), {"action": "reopen", "reason": "收费填错，请更正"}
    )
    assert response.status_code == 302
    march_submitted.refresh_from_db()
    assert march_submitted.state == MonthlyReport.State.RETURNED
    assert march_submitted.return_reason == "收费填错，请更正"
    history = table_rows(client.get(detail_url(march_submitted)))
    assert history[-1][2] == "重新打开：收费填错，请更正"


@pytest.fixture
def three_submitted(in_window):
    reports = []
    for name in ("一号托育园", "二号托育园", "三号托育园"):
        institution = InstitutionFactory(name=name)
        report = services.report_get_or_start(institution=institution, period=MARCH)
        reports.append(services.report_submit(report=report))
    return reports


def test_bureau_accepts_several_at_once(client_as, bureau, three_submitted):
    client = client_as(bureau)
    response = client.get(reverse("reports:review_queue"))
    assert [row[1] for row in table_rows(response)[1:]] == [
        "一号托育园",
        "二号托育园",
        "三号托育园",
    ]

    chosen = [report.pk for report in three_submitted[:2]]
    response = client.post(
        reverse("reports:review_queue") + "?state=submitted",
        {"action": "accept", "report": chosen, "next": "/yuebao/shenhe/?state=submitted"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/yuebao/shenhe/?state=submitted"
    states = dict(MonthlyReport.objects.values_list("institution__name", "state"))
    assert states == {"一号托育园": "accepted", "二号托育园": "accepted", "三号托育园": "submitted"}


def test_bulk_return_needs_a_reason(client_as, bureau, three_submitted):
    client = client_as(bureau)
    ids = [report.pk for report in three_submitted]
    response = client.post(reverse("reports:review_queue"), {"action": "return", "report": ids})
    assert response.status_code == 400
    assert "批量退回须填写原因" in response.content.decode()
    assert set(MonthlyReport.objects.values_list("state", flat=True)) == {"submitted"}

    response = client.post(
        reverse("reports:review_queue"),
        {"action": "return", "report": ids[:1], "reason": "请补充收费数据"},
    )
    assert response.status_code == 302
    assert MonthlyReport.objects.get(pk=ids[0]).return_reason == "请补充收费数据"


def test_the_queue_filters_by_month_state_township_and_warnings(
    client_as, bureau, in_window, registered, operator_a
):
    hongqiao = InstitutionFactory(name="虹桥托育园", township=township("108"))
    report = services.report_get_or_start(institution=registered, period=MARCH)
    services.report_submit(
        report=report,
        warning_comment="一名保育员病假",
        **good_numbers(enrolled_toddler=10, enrolled_older=14),
    )
    submitted(hongqiao)
    client = client_as(bureau)

    def names(**params):
        rows = table_rows(client.get(reverse("reports:review_queue"), params))[1:]
        return [row[1] for row in rows]  # bureau staff's rows start with the checkbox

    assert names() == ["甲托育中心", "虹桥托育园"]
    rows = table_rows(client.get(reverse("reports:review_queue"), {"warnings": "yes"}))[1:]
    assert [row[1] for row in rows] == ["甲托育中心"]
    assert "保育人员配比低于国家标准" in rows[0][6] and "一名保育员病假" in rows[0][6]
    rows = table_rows(client.get(reverse("reports:review_queue"), {"warnings": "no"}))[1:]
    assert [row[1] for row in rows] == ["虹桥托育园"]
    rows = table_rows(
        client.get(reverse("reports:review_queue"), {"township": township("108").code})
    )[1:]
    assert [row[1] for row in rows] == ["虹桥托育园"]
    response = client.get(reverse("reports:review_queue"), {"month": "2025-02"})
    assert "没有符合条件的月报" in response.content.decode()
    response = client.get(reverse("reports:review_queue"), {"state": "accepted"})
    assert "没有符合条件的月报" in response.content.decode()


@pytest.mark.parametrize("persona", ["auditor", "education", "inspector"])
def test_read_only_roles_view_the_queue_but_get_403_on_every_post(
    request, client_as, persona, march_submitted, institution_b
):
    client = client_as(request.getfixturevalue(persona))
    response = client.get(reverse("reports:review_queue"))
    assert response.status_code == 200 and "甲托育中心" in response.content.decode()
    assert 'name="report"' not in response.content.decode()  # no checkboxes to act with
    assert client.get(detail_url(march_submitted)).status_code == 200
    assert client.get(reverse("reports:completeness")).status_code == 200
    assert client.get(reverse("reports:exceptions")).status_code == 200
    posts = [
        (detail_url(march_submitted), {"action": "accept"}),
        (detail_url(march_submitted), {"action": "return", "reason": "x"}),
        (reverse("reports:review_queue"), {"action": "accept", "report": [march_submitted.pk]}),
        (
            reverse("reports:exceptions"),
            {
                "institution": institution_b.pk,
                "month": "2025-02",
                "open_until": "2025-04-30",
                "reason": "x",
            },
        ),
        (form_url(march_submitted.institution), form_data("submit")),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    march_submitted.refresh_from_db()
    assert march_submitted.state == MonthlyReport.State.SUBMITTED
    assert not ReportWindowException.objects.exists()


def test_bureau_views_a_report_form_page_read_only_and_starts_nothing(
    client_as, bureau, registered, in_window
):
    client = client_as(bureau)
    assert "该月月报尚未填报" in client.get(form_url(registered)).content.decode()
    assert not MonthlyReport.objects.exists()
    assert client.post(form_url(registered), form_data("submit")).status_code == 403


# --- Bureau: completeness ------------------------------------------------------------------------------


def test_completeness_page_shows_the_counts_of_a_hand_built_month(client_as, bureau):
    liushi, hongqiao = township("114"), township("108")
    on_time = InstitutionFactory(name="按时", township=liushi)
    late = InstitutionFactory(name="迟报", township=liushi)
    returned = InstitutionFactory(name="退回", township=liushi)
    draft_only = InstitutionFactory(name="仅草稿", township=hongqiao)
    InstitutionFactory(name="未报", township=hongqiao)
    InstitutionFactory(name="四月备案", township=hongqiao, filed_on=dt.date(2025, 4, 1))
    for institution, when in [(on_time, at(4, 10, 23)), (late, at(4, 12)), (returned, at(4, 2))]:
        with when:
            services.report_submit(
                report=services.report_get_or_start(institution=institution, period=MARCH)
            )
    with at(4, 3):
        services.report_return(
            report=MonthlyReport.objects.get(institution=returned), actor=bureau, reason="请更正"
        )
        services.report_get_or_start(institution=draft_only, period=MARCH)

    client = client_as(bureau)
    with at(4, 15):
        response = client.get(reverse("reports:completeness"), {"month": "2025-03"})
        assert response.status_code == 200
        assert row_for(response, "柳市镇")[1:6] == ["3", "3", "2", "100.0%", "66.7%"]
        assert row_for(response, "虹桥镇")[1:6] == ["2", "0", "0", "0.0%", "0.0%"]
        assert row_for(response, "大荆镇")[1:6] == ["0", "0", "0", "无数据", "无数据"]
        assert row_for(response, "全市")[1:6] == ["5", "3", "2", "60.0%", "40.0%"]
        assert row_for(response, "仅草稿")[1:4] == ["虹桥镇", "草稿", "5 天"]
        assert row_for(response, "未报")[2] == "未填报"
        missing = [row[0] for row in table_rows(response) if len(row) >= 5 and row[1] == "虹桥镇"]
        assert missing == ["仅草稿", "未报"]

        # Filtered by a township with nobody missing, and by the one with both.
        response = client.get(
            reverse("reports:completeness"), {"month": "2025-03", "township": liushi.code}
        )
        assert "应报机构均已提交" in response.content.decode()
        response = client.get(
            reverse("reports:completeness"), {"month": "2025-03", "township": hongqiao.code}
        )
        assert "虹桥镇未提交的机构（2 家）" in response.content.decode()

        # Without a month: last month, whose window is the latest to have opened.
        assert (
            "2025-03 月报完整性与及时性"
            in client.get(reverse("reports:completeness")).content.decode()
        )


def _bulk_month(count: int, *, start: int = 0) -> None:
    """`count` bare institutions over the 25 townships; nine in ten submitted March's report."""
    townships = list(Township.objects.all())
    institutions = Institution.objects.bulk_create(
        Institution(
            name=f"批量机构{number:05d}",
            kind=Institution.Kind.CENTRE,
            ownership=Institution.Ownership.PRIVATE,
            township=townships[number % len(townships)],
            filed_on=dt.date(2024, 1, 1),
        )
        for number in range(start, start + count)
    )
    when = dt.datetime(2025, 4, 8, 9, tzinfo=CST)
    MonthlyReport.objects.bulk_create(
        MonthlyReport(
            institution=institution,
            period=MARCH,
            state=MonthlyReport.State.SUBMITTED,
            enrolled_toddler=5,
            staff_on_duty=1,
            first_submitted_at=when,
            submitted_at=when + dt.timedelta(minutes=index),
            warnings=[{"code": "staff_ratio", "message": "配比"}] if index % 7 == 0 else [],
        )
        for index, institution in enumerate(institutions)
        if (start + index) % 10
    )


QUERY_LIMIT = 10


def test_review_queue_and_completeness_run_the_same_queries_for_100_and_10000_institutions(
    client_as, bureau, django_assert_max_num_queries
):
    client = client_as(bureau)
    pages = [
        reverse("reports:review_queue"),
        reverse("reports:review_queue") + "?warnings=yes&month=2025-03",
        reverse("reports:completeness") + "?month=2025-03",
        reverse("reports:completeness") + f"?month=2025-03&township={township('114').code}",
    ]

    def measure() -> list[int]:
        counts = []
        for url in pages:
            client.get(url)  # warm: the session and the user's roles
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            assert response.status_code == 200
            counts.append(len(queries))
        return counts

    with at(4, 15):
        _bulk_month(100)
        small = measure()
        _bulk_month(9_900, start=100)
        large = measure()
        for url in pages:
            with django_assert_max_num_queries(QUERY_LIMIT):
                response = client.get(url)
        print(f"queries with 100: {small}; with 10,000: {large}")
    assert small == large
    assert "共 9000 份月报" in client.get(pages[0]).content.decode()
    response = client.get(pages[2])
    assert row_for(response, "全市")[1:3] == ["10000", "9000"]


# --- Bureau: exceptions ---------------------------------------------------------------------------------


def test_bureau_grants_an_exception_and_the_operator_can_then_file(
    client_as, bureau, operator_a, registered
):
    with at(5, 3):
        client = client_as(bureau)
        data = {
            "institution": registered.pk,
            "month": "2025-03",
            "open_until": "2025-05-10",
            "reason": "",
        }
        response = client.post(reverse("reports:exceptions"), data)
        assert response.status_code == 400 and "请填写原因" in response.content.decode()
        assert not ReportWindowException.objects.exists()

        response = client.post(reverse("reports:exceptions"), {**data, "reason": "系统故障补报"})
        assert response.status_code == 302
        exception = ReportWindowException.objects.get()
        assert (exception.open_until, exception.granted_by) == (dt.date(2025, 5, 10), bureau)
        assert "系统故障补报" in client.get(reverse("reports:exceptions")).content.decode()

        operator = client_as(operator_a)
        assert operator.get(form_url(registered)).status_code == 200
        assert operator.post(form_url(registered), form_data("submit")).status_code == 302
    assert MonthlyReport.objects.get().state == MonthlyReport.State.SUBMITTED


def test_an_exception_cannot_be_granted_for_a_month_not_yet_over(client_as, bureau, registered):
    with at(4, 5):
        response = client_as(bureau).post(
            reverse("reports:exceptions"),
            {
                "institution": registered.pk,
                "month": "2025-04",
                "open_until": "2025-05-20",
                "reason": "x",
            },
        )
    assert response.status_code == 400
    assert "只能为已结束的月份开通补报" in response.content.decode()


# --- Parenting-care sessions --------------------------------------------------------------------------


def session_data(**overrides):
    return {
        "held_on": "2025-03-12",
        "topic": "婴幼儿睡眠指导",
        "families_reached": "12",
        **overrides,
    }


def test_operator_adds_a_session_for_their_institution_only(
    client_as, operator_a, institution_a, institution_b, in_window
):
    client = client_as(operator_a)
    response = client.post(reverse("reports:sessions"), session_data(institution=institution_a.pk))
    assert response.status_code == 302
    session = ParentingSession.objects.get()
    assert session.organiser_kind == ParentingSession.OrganiserKind.INSTITUTION
    assert (session.organiser_name, session.township) == ("甲托育中心", institution_a.township)
    assert session.created_by == operator_a

    response = client.post(reverse("reports:sessions"), session_data(institution=institution_b.pk))
    assert response.status_code == 400
    assert ParentingSession.objects.count() == 1
    # Operators cannot file as a health centre: the choice is not theirs, and is ignored.
    client.post(
        reverse("reports:sessions"),
        session_data(
            institution=institution_a.pk, organiser_kind="health_centre", organiser_name="某卫生院"
        ),
    )
    assert ParentingSession.objects.count() == 2
    assert not ParentingSession.objects.filter(institution__isnull=True).exists()


def test_operator_lists_only_their_institutions_sessions(
    client_as, operator_a, institution_a, institution_b, in_window
):
    for institution, topic in ((institution_a, "甲的活动"), (institution_b, "乙的活动")):
        ParentingSession.objects.create(
            held_on=dt.date(2025, 3, 3),
            organiser_kind="institution",
            institution=institution,
            organiser_name=institution.name,
            township=institution.township,
            topic=topic,
            families_reached=5,
        )
    html = client_as(operator_a).get(reverse("reports:sessions")).content.decode()
    assert "甲的活动" in html and "乙的活动" not in html


@pytest.fixture
def sessions_of_march_and_april(institution_a):
    rows = [
        (dt.date(2025, 3, 5), "114", "柳市镇卫生院", None, 10),
        (dt.date(2025, 3, 20), "108", "虹桥镇卫生院", None, 7),
        (dt.date(2025, 4, 2), "114", "柳市镇卫生院", None, 9),
        (dt.date(2025, 3, 28), "114", "甲托育中心", institution_a, 4),
    ]
    for held_on, code, name, institution, families in rows:
        ParentingSession.objects.create(
            held_on=held_on,
            organiser_kind="institution" if institution else "health_centre",
            institution=institution,
            organiser_name=name,
            township=township(code),
            topic=f"{name}{held_on:%m%d}",
            families_reached=families,
        )


def test_bureau_adds_a_health_centre_session_naming_its_facility(client_as, bureau, in_window):
    facility = HealthFacilityFactory(name="乐清市虹桥镇中心卫生院", township=township("108"))
    client = client_as(bureau)
    # Free text no longer makes a session: it would join the records still to link.
    response = client.post(
        reverse("reports:sessions"),
        session_data(organiser_kind="health_centre", organiser_name="虹桥镇中心卫生院"),
    )
    assert response.status_code == 400
    assert "请选择组织活动的卫生院或社区卫生服务中心" in response.content.decode()
    assert not ParentingSession.objects.exists()
    response = client.post(
        reverse("reports:sessions"),
        session_data(organiser_kind="health_centre", facility=facility.pk, venue="hospital"),
    )
    assert response.status_code == 302
    session = ParentingSession.objects.get()
    assert session.institution is None
    assert session.facility == facility
    assert (session.organiser_kind, session.organiser_name) == ("health_centre", facility.name)
    assert session.township.name == "虹桥镇"
    assert not selectors.unlinked_sessions().exists()


def test_old_unlinked_health_centre_sessions_stay_readable(client_as, bureau, in_window):
    ParentingSession.objects.create(
        held_on=dt.date(2025, 3, 5),
        organiser_kind="health_centre",
        organiser_name="某旧卫生院",
        township=township("108"),
        topic="旧活动",
        families_reached=3,
    )
    assert "某旧卫生院" in client_as(bureau).get(reverse("reports:sessions")).content.decode()
    assert "某旧卫生院" in client_as(bureau).get(reverse("health:unlinked")).content.decode()


def test_an_operator_gives_the_attendance_list_on_the_session_form(
    client_as, operator_a, institution_a, in_window
):
    client = client_as(operator_a)
    response = client.post(
        reverse("reports:sessions"),
        session_data(
            institution=institution_a.pk,
            families_reached="",
            mobiles="13957700301\n139-5770-0302\n13957700301",
        ),
    )
    assert response.status_code == 302
    session = ParentingSession.objects.get()
    assert session.families_reached == 2
    assert session.attendance.count() == 2
    assert "1395770030" not in client.get(reverse("reports:sessions")).content.decode()
    # A bad number refuses the session, named by its position.
    response = client.post(
        reverse("reports:sessions"),
        session_data(institution=institution_a.pk, mobiles="13957700303\n12345"),
    )
    assert response.status_code == 400
    assert "第2个号码" in response.content.decode()
    assert ParentingSession.objects.count() == 1
    # Neither a head count nor a list: refused.
    response = client.post(
        reverse("reports:sessions"), session_data(institution=institution_a.pk, families_reached="")
    )
    assert response.status_code == 400
    assert ParentingSession.objects.count() == 1


def test_a_community_outside_the_institutions_township_is_refused(
    client_as, operator_a, institution_a, in_window
):
    elsewhere = Community.objects.create(township=township("108"), name="别镇社区", residents=1)
    here = Community.objects.create(township=institution_a.township, name="本镇社区", residents=1)
    client = client_as(operator_a)
    url = reverse("reports:sessions")
    response = client.post(url, session_data(institution=institution_a.pk, community=elsewhere.pk))
    assert response.status_code == 400
    response = client.post(
        url, session_data(institution=institution_a.pk, community=here.pk, venue="community")
    )
    assert response.status_code == 302
    assert ParentingSession.objects.get().community == here


def test_sessions_filter_by_month_and_township(
    client_as, bureau, sessions_of_march_and_april, in_window
):
    client = client_as(bureau)

    def topics(**params):
        return sorted(
            row[1] for row in table_rows(client.get(reverse("reports:sessions"), params))[1:]
        )

    assert len(topics()) == 4
    assert topics(month="2025-03") == ["柳市镇卫生院0305", "甲托育中心0328", "虹桥镇卫生院0320"]
    assert topics(month="2025-03", township=township("114").code) == [
        "柳市镇卫生院0305",
        "甲托育中心0328",
    ]
    html = client.get(reverse("reports:sessions"), {"month": "2025-03"}).content.decode()
    assert "共 3 次活动，参与家庭 21 户" in html and "导出 Excel" in html


def test_sessions_export_a_month_to_xlsx_with_chinese_headers(
    client_as, bureau, operator_a, sessions_of_march_and_april, in_window
):
    client = client_as(bureau)
    response = client.get(reverse("reports:sessions_export"), {"month": "2025-03"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert "2025-03.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "活动日期",
        "组织方类型",
        "组织方名称",
        "组织医疗卫生机构",
        "镇街",
        "活动场所类型",
        "所在社区",
        "主题",
        "主讲讲师",
        "参与家庭数",
        "填报人",
    )
    assert [row[2] for row in rows[1:]] == ["柳市镇卫生院", "虹桥镇卫生院", "甲托育中心"]
    assert rows[1][0].date() == dt.date(2025, 3, 5) and rows[1][9] == 10

    response = client.get(
        reverse("reports:sessions_export"), {"month": "2025-03", "township": township("108").code}
    )
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [row[2] for row in rows[1:]] == ["虹桥镇卫生院"]

    assert client.get(reverse("reports:sessions_export")).status_code == 302  # month required
    assert (
        client_as(operator_a)
        .get(reverse("reports:sessions_export"), {"month": "2025-03"})
        .status_code
        == 403
    )


def test_read_only_roles_cannot_add_sessions(client_as, auditor, institution_a, in_window):
    client = client_as(auditor)
    assert client.get(reverse("reports:sessions")).status_code == 200
    response = client.post(reverse("reports:sessions"), session_data(institution=institution_a.pk))
    assert response.status_code == 403
    assert not ParentingSession.objects.exists()


def test_after_accepting_the_page_leads_to_the_next_report_waiting(
    client_as, bureau, march_submitted, institution_b
):
    from django.utils import timezone

    from institutions.models import MonthlyReport as Report

    waiting = Report.objects.create(
        institution=institution_b,
        period=march_submitted.period,
        state=Report.State.SUBMITTED,
        submitted_at=timezone.now(),
        first_submitted_at=timezone.now(),
    )
    client = client_as(bureau)
    client.post(detail_url(march_submitted), {"action": "accept"})
    html = client.get(detail_url(march_submitted)).content.decode()
    assert "这份已处理。" in html
    assert f'href="{detail_url(waiting)}"' in html and "下一份待审核：乙托育中心" in html
    client.post(detail_url(waiting), {"action": "accept"})
    html = client.get(detail_url(waiting)).content.decode()
    assert "待审核的月报已全部处理。" in html and "下一份待审核" not in html
