"""Each rule of the monthly report: errors block, warnings need a comment."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from institutions.models import MonthlyReport
from institutions.reports.services import report_submit, report_update
from tests.factories import ApprovedPlacesFactory, FeeStandardFactory

from .conftest import MARCH, good_numbers

pytestmark = pytest.mark.django_db


def submit_errors(report, **fields):
    with pytest.raises(ValidationError) as error:
        report_submit(report=report, **fields)
    return error.value.message_dict


def test_prefill_takes_staff_from_the_registry_and_fee_from_the_standard(march_report):
    assert (march_report.staff_on_duty, march_report.staff_certified) == (3, 2)
    assert march_report.registry_staff_on_duty == 3
    assert march_report.fee_full_day == 1800
    assert march_report.state == MonthlyReport.State.DRAFT


def test_a_clean_report_submits(march_report, operator_a):
    report = report_submit(report=march_report, actor=operator_a, **good_numbers())
    assert report.state == MonthlyReport.State.SUBMITTED
    assert report.warnings == []
    assert report.history.first().history_user == operator_a


@pytest.mark.parametrize(
    "field", ["enrolled_toddler", "staff_on_duty", "attendance_days", "fee_full_day"]
)
def test_negative_numbers_are_errors(march_report, field):
    errors = submit_errors(march_report, **good_numbers(**{field: -1}))
    assert "不能为负数" in " ".join(errors[field])


def test_certified_more_than_on_duty_is_an_error(march_report):
    errors = submit_errors(
        march_report, **good_numbers(staff_on_duty=3, staff_certified=4, staff_override_reason="x")
    )
    assert "持证人数不能多于" in errors["staff_certified"][0]


def test_enrolment_above_approved_places_at_month_end_is_an_error(march_report):
    errors = submit_errors(march_report, **good_numbers(enrolled_toddler=11))
    assert "超过月末核定托位（10）" in errors["enrolled_toddler"][0]


def test_places_approved_after_the_month_do_not_help(march_report, registered):
    ApprovedPlacesFactory(institution=registered, effective_from=dt.date(2025, 4, 1), toddler=30)
    errors = submit_errors(march_report, **good_numbers(enrolled_toddler=11))
    assert "enrolled_toddler" in errors


def test_month_before_filing_or_after_closing_is_an_error(march_report, registered):
    registered.filed_on = dt.date(2025, 4, 1)
    registered.save()
    assert "尚未备案" in submit_errors(march_report, **good_numbers())["period"][0]
    registered.filed_on = dt.date(2024, 1, 1)
    registered.closed_on = dt.date(2025, 2, 15)
    registered.save()
    assert "已停办" in submit_errors(march_report, **good_numbers())["period"][0]


def test_changing_registry_staff_numbers_needs_a_reason(march_report):
    errors = submit_errors(march_report, **good_numbers(staff_on_duty=4))
    assert "请说明原因" in errors["staff_override_reason"][0]
    report = report_submit(
        report=march_report, **good_numbers(staff_on_duty=4, staff_override_reason="新招一名保育员")
    )
    assert report.state == MonthlyReport.State.SUBMITTED


def test_staff_ratio_below_standard_needs_a_comment(march_report):
    # 10 toddlers need 2 carers, 14 older need 2: 4 carers; 3 on duty.
    numbers = good_numbers(enrolled_toddler=10, enrolled_older=14, staff_on_duty=3)
    errors = submit_errors(march_report, **numbers)
    assert "保育人员配比低于国家标准" in errors["warning_comment"][0]
    report = report_submit(
        report=march_report, warning_comment="一名保育员病假，已安排代班", **numbers
    )
    assert [w["code"] for w in report.warnings] == ["staff_ratio"]


def test_ratio_met_gives_no_warning(march_report):
    report = report_submit(
        report=march_report,
        **good_numbers(enrolled_toddler=5, enrolled_older=7, staff_on_duty=3),
    )
    assert report.warnings == []


def test_inclusive_institution_charging_above_standard_needs_a_comment(march_report):
    numbers = good_numbers(enrolled_toddler=5, enrolled_older=7, fee_full_day=1900)
    assert "高于收费标准1800" in submit_errors(march_report, **numbers)["warning_comment"][0]
    report = report_submit(report=march_report, warning_comment="含餐费调整", **numbers)
    assert [w["code"] for w in report.warnings] == ["fee_above_standard"]


def test_fee_standard_raised_after_the_month_does_not_excuse_it(march_report, registered):
    FeeStandardFactory(
        institution=registered, effective_from=dt.date(2025, 4, 1), monthly_full_day=2000
    )
    numbers = good_numbers(enrolled_toddler=5, enrolled_older=7, fee_full_day=1900)
    assert "warning_comment" in submit_errors(march_report, **numbers)


def test_change_over_30_percent_from_last_month_needs_a_comment(registered, operator_a, bureau):
    import time_machine

    from institutions.reports.services import report_accept, report_get_or_start

    with time_machine.travel(dt.datetime(2025, 3, 5, 10, 0), tick=False):
        february = report_get_or_start(institution=registered, period=dt.date(2025, 2, 1))
        report_submit(report=february, **good_numbers(enrolled_toddler=5, enrolled_older=5))
        report_accept(report=february, actor=bureau)
    with time_machine.travel(dt.datetime(2025, 4, 5, 10, 0), tick=False):
        march = report_get_or_start(institution=registered, period=MARCH)
        assert march.enrolled_toddler == 5  # pre-filled from February
        numbers = good_numbers(enrolled_toddler=5, enrolled_older=9, fee_full_day=1200)
        message = submit_errors(march, **numbers)["warning_comment"][0]
        assert "在托人数较上月（10人）变化超过30%" in message
        assert "实际收费较上月（1800.00元）变化超过30%" in message
        report = report_submit(report=march, warning_comment="春季招生", **numbers)
        assert {w["code"] for w in report.warnings} == {"enrolment_change", "fee_change"}


def test_drafts_refuse_impossible_numbers_but_keep_what_was_typed(march_report):
    with pytest.raises(ValidationError):
        report_update(report=march_report, enrolled_toddler=-2)
    march_report.refresh_from_db()
    assert march_report.enrolled_toddler == 0
    report_update(report=march_report, enrolled_toddler=9)
    march_report.refresh_from_db()
    assert march_report.enrolled_toddler == 9
