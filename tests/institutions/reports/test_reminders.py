import datetime as dt

import pytest
import time_machine
from django.core import mail

from institutions.reports import services
from institutions.reports.reminders import send_report_reminders
from institutions.tasks import report_reminders
from lequing_tuoyu.celery import app

from .conftest import MARCH

pytestmark = pytest.mark.django_db


@pytest.fixture
def operators_with_email(operator_a, operator_b):
    operator_a.email = "a@example.org"
    operator_a.save()
    operator_b.email = "b@example.org"
    operator_b.save()


def test_due_soon_reminder_goes_to_operators_who_have_not_submitted(
    operators_with_email, institution_a, institution_b
):
    with time_machine.travel(dt.datetime(2025, 4, 2, 10), tick=False):
        report = services.report_get_or_start(institution=institution_b, period=MARCH)
        services.report_submit(report=report)
    assert send_report_reminders(today=dt.date(2025, 4, 7)) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["a@example.org"]
    assert "2025年03月月报将于2025-04-10截止" in mail.outbox[0].subject


def test_running_twice_sends_each_reminder_once(operators_with_email):
    send_report_reminders(today=dt.date(2025, 4, 7))
    send_report_reminders(today=dt.date(2025, 4, 7))
    assert len(mail.outbox) == 2  # one each for institution_a and institution_b


def test_overdue_reminder_the_day_after_the_deadline_and_nothing_on_other_days(
    operators_with_email,
):
    assert send_report_reminders(today=dt.date(2025, 4, 8)) == 0
    assert send_report_reminders(today=dt.date(2025, 4, 10)) == 0
    assert send_report_reminders(today=dt.date(2025, 4, 11)) == 2
    assert all("已逾期" in message.subject for message in mail.outbox)


def test_the_task_is_in_the_beat_schedule_and_runs_the_service(operators_with_email):
    entry = app.conf.beat_schedule["report-reminders"]
    assert entry["task"] == report_reminders.name
    with time_machine.travel(dt.datetime(2025, 4, 7, 9, 0), tick=False):
        assert report_reminders.apply().get() == 2
