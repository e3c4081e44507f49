"""The board's rules, time frozen: overdue once the due date has passed; at risk when due within
30 days with no update for 30 days, or when a linked indicator is not met."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from metrics.models import Snapshot
from programme import selectors, services
from programme.models import Status, SubItem, Task

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 8, 15)
NOON = dt.datetime(2025, 8, 15, 4, tzinfo=dt.UTC)  # 12:00 in Asia/Shanghai


def _row(rows, code):
    for row in rows:
        if row.code == code:
            return row
        for sub in row.sub_rows:
            if sub.code == code:
                return sub
    raise KeyError(code)


def _set(number, **fields):
    Task.objects.filter(number=number).update(**fields)


def _update_on(task_number, day, actor):
    with time_machine.travel(dt.datetime.combine(day, dt.time(4), tzinfo=dt.UTC), tick=False):
        services.progress_update_create(
            task=Task.objects.get(number=task_number), actor=actor, text="进展"
        )


@pytest.mark.parametrize(
    ("due", "overdue"),
    [(TODAY - dt.timedelta(days=1), True), (TODAY, False), (TODAY + dt.timedelta(days=1), False)],
)
def test_overdue_only_after_the_due_day(due, overdue):
    _set(2, due_date=due, status=Status.IN_PROGRESS)
    assert _row(selectors.board(today=TODAY), "2").overdue is overdue


def test_a_done_item_is_never_overdue_nor_at_risk():
    _set(2, due_date=TODAY - dt.timedelta(days=10), status=Status.DONE)
    row = _row(selectors.board(today=TODAY), "2")
    assert not row.overdue and not row.at_risk


@pytest.mark.parametrize(
    ("days_to_due", "at_risk"), [(0, True), (30, True), (31, False), (-1, False)]
)
def test_due_within_30_days_and_never_updated_is_at_risk(days_to_due, at_risk):
    _set(4, due_date=TODAY + dt.timedelta(days=days_to_due))
    assert _row(selectors.board(today=TODAY), "4").at_risk is at_risk


@pytest.mark.parametrize(("days_since_update", "at_risk"), [(29, False), (30, True)])
def test_an_update_within_30_days_keeps_it_off_risk(bureau, days_since_update, at_risk):
    _set(5, due_date=TODAY + dt.timedelta(days=10))
    _update_on(5, TODAY - dt.timedelta(days=days_since_update), bureau)
    row = _row(selectors.board(today=TODAY), "5")
    assert row.last_update == TODAY - dt.timedelta(days=days_since_update)
    assert row.at_risk is at_risk


def _snapshot(indicator, status, value="0.5", period=dt.date(2025, 7, 1)):
    Snapshot.objects.create(
        period=period,
        area="city",
        indicator=indicator,
        value=Decimal(value),
        target=Decimal("0.6"),
        status=status,
        computed_at=timezone.now(),
    )


def test_a_linked_indicator_not_met_puts_the_item_at_risk_and_shows_its_value():
    _snapshot("K7", Snapshot.Status.NOT_MET)
    _snapshot("K3", Snapshot.Status.MET, "0.7")
    row = _row(selectors.board(today=TODAY), "3.1")
    assert row.at_risk
    assert [r.indicator for r in row.readings] == ["K7", "K3"]
    assert row.readings[0].value == "50.0%" and row.readings[0].status == "not_met"
    assert not _row(selectors.board(today=TODAY), "3.2").at_risk
    SubItem.objects.filter(task__number=3, number=1).update(status=Status.DONE)
    assert not _row(selectors.board(today=TODAY), "3.1").at_risk


def test_board_page_states_the_rules_and_flags_rows(client_as, bureau):
    _set(2, due_date=TODAY - dt.timedelta(days=1))
    _set(4, due_date=TODAY + dt.timedelta(days=5))
    with time_machine.travel(NOON, tick=False):
        response = client_as(bureau).get("/zhuanban/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "已逾期" in html and "30 天内到期" in html and "关联指标的最新值未达标" in html
    task2 = html.split('data-task="2"')[1].split("</tr>")[0]
    task4 = html.split('data-task="4"')[1].split("</tr>")[0]
    task6 = html.split('data-task="6"')[1].split("</tr>")[0]
    assert 'data-flag="overdue"' in task2 and 'data-flag="at-risk"' not in task2
    assert 'data-flag="at-risk"' in task4 and 'data-flag="overdue"' not in task4
    assert "data-flag" not in task6


def test_a_department_sees_its_own_tasks_first(
    client_as, civil_dept, django_assert_max_num_queries
):
    client = client_as(civil_dept)
    with django_assert_max_num_queries(14):
        response = client.get("/zhuanban/")
    rows = response.context["rows"]
    assert rows[0].code == "6" and rows[0].own
    assert [r.code for r in rows[1:]] == ["1", "2", "3", "4", "5", "7", "8"]


def test_board_filters_by_department(client_as, bureau):
    from programme.models import Department

    police = Department.objects.get(name="市公安局")
    response = client_as(bureau).get("/zhuanban/", {"department": police.pk})
    assert [r.code for r in response.context["rows"]] == ["8"]


def test_an_indicator_is_read_in_the_last_complete_month_only():
    """A month still running (or whose reports are still due) is partial: its not met never puts
    a task at risk. On 2025-08-05 July's reports are still due (the 10th), so June is read."""
    _snapshot("K7", Snapshot.Status.MET, "0.7", period=dt.date(2025, 6, 1))
    _snapshot("K7", Snapshot.Status.NOT_MET)  # July
    with time_machine.travel(dt.datetime(2025, 8, 5, 12, tzinfo=dt.UTC), tick=False):
        row = _row(selectors.board(today=dt.date(2025, 8, 5)), "3.1")
    assert not row.at_risk and row.readings[0].status == "met"
    with time_machine.travel(dt.datetime(2025, 8, 11, 12, tzinfo=dt.UTC), tick=False):
        row = _row(selectors.board(today=dt.date(2025, 8, 11)), "3.1")
    assert row.at_risk and row.readings[0].status == "not_met"
