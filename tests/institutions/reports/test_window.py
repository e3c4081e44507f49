"""The reporting window and the lock, with time frozen."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from institutions.models import MonthlyReport
from institutions.reports import services
from portal.dates import due_on, locks_on, opens_on

from .conftest import MARCH, good_numbers

pytestmark = pytest.mark.django_db
CST = dt.timezone(dt.timedelta(hours=8))


def at(year, month, day, hour=10):
    return time_machine.travel(dt.datetime(year, month, day, hour, 0, tzinfo=CST), tick=False)


def test_window_dates_follow_the_settings(settings):
    settings.REPORT_DEADLINE_DAY = 10
    settings.REPORT_LOCK_AFTER_DAYS = 20
    assert opens_on(MARCH) == dt.date(2025, 4, 1)
    assert due_on(MARCH) == dt.date(2025, 4, 10)
    assert locks_on(MARCH) == dt.date(2025, 5, 1)
    settings.REPORT_DEADLINE_DAY = 31
    assert due_on(dt.date(2025, 1, 1)) == dt.date(2025, 2, 28)


def test_report_cannot_start_before_the_window_opens(registered):
    with at(2025, 3, 31, 23):
        with pytest.raises(ValidationError) as error:
            services.report_get_or_start(institution=registered, period=MARCH)
    assert "2025-04-01开放填报" in error.value.messages[0]


def test_on_time_until_the_end_of_the_due_day(registered):
    with at(2025, 4, 10, 23):
        report = services.report_get_or_start(institution=registered, period=MARCH)
        report = services.report_submit(report=report, **good_numbers())
    from institutions.reports.selectors import counted_with_reports

    row = counted_with_reports(MARCH).get(pk=registered.pk)
    assert row.is_submitted and row.is_on_time


def test_late_but_before_the_lock_is_submitted_not_on_time(registered):
    with at(2025, 4, 11, 0):
        report = services.report_get_or_start(institution=registered, period=MARCH)
        services.report_submit(report=report, **good_numbers())
    from institutions.reports.selectors import counted_with_reports

    row = counted_with_reports(MARCH).get(pk=registered.pk)
    assert row.is_submitted and not row.is_on_time


def test_locked_after_the_configured_days_and_the_page_says_why(registered):
    with at(2025, 4, 30):
        report = services.report_get_or_start(institution=registered, period=MARCH)
    with at(2025, 5, 1):
        reason = services.edit_block_reason(report)
        assert "已于2025-05-01锁定" in reason
        with pytest.raises(ValidationError):
            services.report_update(report=report, enrolled_toddler=3)
        with pytest.raises(ValidationError):
            services.report_submit(report=report)


def test_exception_reopens_one_institution_for_one_month(registered, institution_b, bureau):
    with at(2025, 5, 3):
        with pytest.raises(ValidationError):
            services.report_get_or_start(institution=registered, period=MARCH)
        services.exception_grant(
            institution=registered,
            period=MARCH,
            open_until=dt.date(2025, 5, 10),
            reason="系统故障补报",
            actor=bureau,
        )
        report = services.report_get_or_start(institution=registered, period=MARCH)
        services.report_submit(report=report, **good_numbers())
        with pytest.raises(ValidationError):
            services.report_get_or_start(institution=institution_b, period=MARCH)
        with pytest.raises(ValidationError):
            services.report_get_or_start(institution=registered, period=dt.date(2025, 2, 1))
    with at(2025, 5, 11):
        assert "锁定" in services.edit_block_reason(
            MonthlyReport(institution=registered, period=MARCH, state="draft")
        )


def test_accepted_report_is_locked_until_reopened(march_report, bureau, operator_a):
    services.report_submit(report=march_report, **good_numbers())
    assert "等待卫健局审核" in services.edit_block_reason(march_report.__class__.objects.get())
    services.report_accept(report=march_report, actor=bureau)
    report = MonthlyReport.objects.get()
    assert "已审核通过" in services.edit_block_reason(report)
    with pytest.raises(ValidationError):
        services.report_update(report=report, enrolled_toddler=1, actor=operator_a)
    with pytest.raises(ValidationError) as error:
        services.report_reopen(report=report, actor=bureau, reason="  ")
    assert "请填写原因" in error.value.messages[0]
    services.report_reopen(report=report, actor=bureau, reason="收费数据有误，请更正")
    report = MonthlyReport.objects.get()
    assert report.state == MonthlyReport.State.RETURNED
    assert report.return_reason == "收费数据有误，请更正"
    services.report_update(report=report, enrolled_toddler=1, actor=operator_a)


def test_every_transition_is_audited(march_report, bureau, operator_a):
    services.report_submit(report=march_report, actor=operator_a, **good_numbers())
    services.report_return(report=march_report, actor=bureau, reason="请核对人数")
    services.report_submit(report=march_report, actor=operator_a)
    services.report_accept(report=march_report, actor=bureau)
    trail = [
        (h.state, h.history_user.username if h.history_user else None, h.history_change_reason)
        for h in march_report.history.order_by("history_date", "history_id")
    ]
    assert [state for state, *_ in trail] == [
        "draft",
        "draft",
        "submitted",
        "returned",
        "submitted",
        "accepted",
    ]
    assert trail[3] == ("returned", "bureau", "returned: 请核对人数")
    assert trail[-1][1] == "bureau"


def test_accept_twice_or_from_draft_is_refused(march_report, bureau):
    with pytest.raises(ValidationError) as error:
        services.report_accept(report=march_report, actor=bureau)
    assert "草稿" in error.value.messages[0]
    services.report_submit(report=march_report, **good_numbers())
    services.report_accept(report=march_report, actor=bureau)
    with pytest.raises(ValidationError):
        services.report_accept(report=march_report, actor=bureau)


def test_database_allows_one_report_per_institution_and_month(march_report):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        MonthlyReport.objects.create(institution=march_report.institution, period=MARCH)


@pytest.mark.django_db(transaction=True)
def test_two_requests_starting_the_same_month_get_the_same_report(registered):
    import threading

    from django.db import connection

    results = []
    barrier = threading.Barrier(4)

    def start():
        try:
            barrier.wait(timeout=10)
            with at(2025, 4, 5):
                results.append(
                    services.report_get_or_start(institution=registered, period=MARCH).pk
                )
        except Exception as error:  # noqa: BLE001 - asserted below
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 4 and len(set(results)) == 1, results
    assert MonthlyReport.objects.count() == 1
