"""Every event reaches its recipients once: each is triggered twice (or its sweep rerun) and
nothing new appears in the inbox, the mail outbox or the SMS outbox. Sweeps are run with time
frozen on both sides of their day boundary (Asia/Shanghai)."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core import mail

from inspections import notify as inspection_notify
from inspections import services as inspections
from inspections import tasks as inspection_tasks
from inspections.models import Concern, Finding
from institutions.reports import notices as report_notices
from institutions.reports import services as reports
from institutions.tasks import report_reminders
from lequing_tuoyu.celery import app
from notifications import sms
from notifications.models import Event, Notification
from tests.factories import township
from tests.inspections.factories import make_inspection
from vouchers import notices as voucher_notices
from vouchers import services as vouchers
from vouchers import tasks as voucher_tasks
from vouchers.models import VoucherApplication, VoucherBatch

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
MARCH = dt.date(2025, 3, 1)
MOBILE = "13912340001"


def at(day: dt.date, hour: int = 9, minute: int = 0):
    return time_machine.travel(
        dt.datetime.combine(day, dt.time(hour, minute), SHANGHAI), tick=False
    )


def counts() -> tuple[int, int, int]:
    return Notification.objects.count(), len(mail.outbox), len(sms.outbox)


def inbox(user, event) -> list[Notification]:
    return list(Notification.objects.filter(user=user, event=event))


# --- Monthly reports --------------------------------------------------------------------------


@pytest.fixture
def submitted(institution_a, operator_a, with_emails):
    with at(dt.date(2025, 4, 2)):
        report = reports.report_get_or_start(institution=institution_a, period=MARCH)
        return reports.report_submit(report=report)


def test_a_returned_report_tells_its_operators_once_per_return(
    submitted, operator_a, operator_b, bureau, django_capture_on_commit_callbacks
):
    with at(dt.date(2025, 4, 3)), django_capture_on_commit_callbacks(execute=True):
        report = reports.report_return(report=submitted, actor=bureau, reason="入托人数有误")
    [note] = inbox(operator_a, Event.REPORT_RETURNED)
    assert "甲托育中心 2025年03月月报被退回" in note.subject
    assert "入托人数有误" in note.body
    assert note.url == f"/yuebao/{report.institution_id}/2025-03/"
    assert [m.to for m in mail.outbox] == [["operator_a@example.org"]]
    before = counts()
    with django_capture_on_commit_callbacks(execute=True):
        report_notices.report_sent_back(report, reopened=False)  # the same return again
    assert counts() == before
    assert not Notification.objects.filter(user=operator_b).exists()


def test_a_reopened_report_tells_its_operators(
    submitted, operator_a, bureau, django_capture_on_commit_callbacks
):
    with at(dt.date(2025, 4, 3)), django_capture_on_commit_callbacks(execute=True):
        report = reports.report_accept(report=submitted, actor=bureau)
        report = reports.report_reopen(report=report, actor=bureau, reason="幼儿数需更正")
    [note] = inbox(operator_a, Event.REPORT_REOPENED)
    assert "需要更正" in note.subject
    before = counts()
    with django_capture_on_commit_callbacks(execute=True):
        report_notices.report_sent_back(report, reopened=True)
    assert counts() == before


@pytest.mark.parametrize(
    ("before_day", "day", "event"),
    [
        (dt.date(2025, 4, 6), dt.date(2025, 4, 7), Event.REPORT_DUE_SOON),  # due 10 April
        (dt.date(2025, 4, 10), dt.date(2025, 4, 11), Event.REPORT_OVERDUE),
    ],
)
def test_report_reminders_reach_the_inbox_on_their_day_once(
    before_day, day, event, operator_a, operator_b, with_emails
):
    assert app.conf.beat_schedule["report-reminders"]["task"] == report_reminders.name
    with at(before_day, 23, 59):
        assert report_reminders.apply().get() == 0
    assert not Notification.objects.exists()
    with at(day, 0, 1):
        assert report_reminders.apply().get() == 2
        before = counts()
        assert report_reminders.apply().get() == 0
    assert counts() == before == (2, 2, 0)
    assert len(inbox(operator_a, event)) == 1 and len(inbox(operator_b, event)) == 1


# --- Inspections ------------------------------------------------------------------------------


@pytest.fixture
def finding(
    institution_a, operator_a, inspector, bureau, with_emails, django_capture_on_commit_callbacks
):
    with at(dt.date(2025, 3, 3)), django_capture_on_commit_callbacks(execute=True):
        inspection = make_inspection(
            institution=institution_a,
            inspectors=[inspector],
            inspected_on=dt.date(2025, 3, 1),
            fail=(0,),
        )
    return inspection.findings.get()


def test_a_completed_inspection_tells_the_operators_its_findings_and_deadlines(finding, operator_a):
    [note] = inbox(operator_a, Event.INSPECTION_RESULT)
    assert finding.title in note.body and finding.deadline.isoformat() in note.body
    assert note.url == f"/jiancha/{finding.inspection_id}/"
    before = counts()
    assert inspection_notify.inspection_completed(finding.inspection_id) == 0
    assert counts() == before


def test_deadline_reminders_start_three_days_before_the_inclusive_deadline(finding, operator_a):
    assert (
        app.conf.beat_schedule["rectification-deadline-reminders"]["task"]
        == inspection_tasks.remind_rectification_deadlines.name
    )
    deadline = finding.deadline
    with at(deadline - dt.timedelta(days=4), 23, 59):
        assert inspection_tasks.remind_rectification_deadlines.apply().get() == 0
    with at(deadline - dt.timedelta(days=3), 0, 1):
        assert inspection_tasks.remind_rectification_deadlines.apply().get() == 1
    before = counts()
    for days in (2, 0):  # later runs in the window send nothing new
        with at(deadline - dt.timedelta(days=days)):
            assert inspection_tasks.remind_rectification_deadlines.apply().get() == 0
    assert counts() == before
    [note] = inbox(operator_a, Event.FINDING_DEADLINE_SOON)
    assert deadline.isoformat() in note.body


def test_no_deadline_reminder_once_the_answer_is_in(finding, operator_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with at(finding.deadline - dt.timedelta(days=5)):
        inspections.rectification_submit(finding=finding, actor=operator_a, action_taken="已整改")
    with at(finding.deadline - dt.timedelta(days=2)):
        assert inspection_tasks.remind_rectification_deadlines.apply().get() == 0


def test_overdue_findings_reach_operators_and_the_bureau_once(
    finding, operator_a, bureau, django_capture_on_commit_callbacks
):
    deadline = finding.deadline
    with at(deadline, 23, 59), django_capture_on_commit_callbacks(execute=True):
        assert inspection_tasks.mark_overdue_rectifications.apply().get() == 0
    assert not inbox(operator_a, Event.FINDING_OVERDUE)
    with (
        at(deadline + dt.timedelta(days=1), 1, 30),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert inspection_tasks.mark_overdue_rectifications.apply().get() == 1
    before = counts()
    with (
        at(deadline + dt.timedelta(days=1), 1, 31),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert inspection_tasks.mark_overdue_rectifications.apply().get() == 0
    # The inspection's result, then the operator's overdue notice and the bureau's digest.
    assert counts() == before == (3, 3, 0)
    assert len(inbox(operator_a, Event.FINDING_OVERDUE)) == 1
    assert len(inbox(bureau, Event.FINDINGS_OVERDUE_DIGEST)) == 1
    assert inspection_notify.findings_overdue([finding.pk]) == 0  # the same ids again


def test_rectification_answers_reach_the_inspectors_then_the_operators(
    finding, operator_a, inspector, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        inspections.rectification_submit(finding=finding, actor=operator_a, action_taken="已整改")
    assert len(inbox(inspector, Event.RECTIFICATION_SUBMITTED)) == 1
    assert inspection_notify.rectification_submitted(finding.pk) == 0
    with django_capture_on_commit_callbacks(execute=True):
        inspections.rectification_review(
            finding=finding, actor=inspector, accept=False, note="照片不清"
        )
    [sent_back] = inbox(operator_a, Event.RECTIFICATION_REVIEWED)
    assert "照片不清" in sent_back.body
    assert inspection_notify.rectification_reviewed(finding.pk) == 0
    with django_capture_on_commit_callbacks(execute=True):
        inspections.rectification_submit(finding=finding, actor=operator_a, action_taken="补拍")
        inspections.rectification_review(finding=finding, actor=inspector, accept=True)
    # A second answer is a new event: a second request to verify and a closing notice.
    assert len(inbox(inspector, Event.RECTIFICATION_SUBMITTED)) == 2
    assert len(inbox(operator_a, Event.RECTIFICATION_REVIEWED)) == 2
    assert "销号" in inbox(operator_a, Event.RECTIFICATION_REVIEWED)[0].subject


# --- Vouchers ---------------------------------------------------------------------------------


@pytest.fixture
def batch(db):
    return VoucherBatch.objects.create(
        name="2025年第一批托育券",
        face_value=Decimal("3000.00"),
        quantity_cap=100,
        apply_from=dt.date(2025, 2, 1),
        apply_until=dt.date(2025, 3, 31),
        valid_from=dt.date(2025, 3, 1),
        valid_until=dt.date(2026, 2, 28),
        monthly_cap=Decimal("500.00"),
        min_age_months=0,
        max_age_months=35,
    )


def family_child(n: int, user=None):
    import random

    from lequing_tuoyu.demo import make_resident_id

    guardian = vouchers.guardian_get_or_create(
        name=f"王{n}芳",
        phone=f"1391234{n:04d}",
        id_number=make_resident_id(random.Random(n), born=dt.date(1990, 1, 1)),
    )
    if user is not None:
        guardian.user = user
        guardian.save()
    return vouchers.child_register(
        guardian=guardian,
        name=f"王小{n}",
        id_number=make_resident_id(random.Random(100 + n), born=dt.date(2024, 1, 15)),
        hukou_township=township("114"),
    )


def apply(batch, child, bureau):
    return vouchers.application_create(
        batch=batch, child=child, source="bureau", actor=bureau, applied_on=dt.date(2025, 2, 10)
    )


def test_an_approval_reaches_a_family_account_and_a_refusal_the_mobile(
    batch, bureau, family, django_capture_on_commit_callbacks
):
    linked = apply(batch, family_child(1, user=family), bureau)
    public = apply(batch, family_child(2), bureau)
    with django_capture_on_commit_callbacks(execute=True):
        vouchers.application_approve(application=linked, actor=bureau)
        vouchers.application_reject(application=public, actor=bureau, reason="材料不全")
    [approved] = inbox(family, Event.APPLICATION_APPROVED)
    assert "王**" in approved.subject and "3000.00" in approved.body
    assert [m.to for m in sms.outbox] == ["13912340002"]
    assert "材料不全" in sms.outbox[0].text and "王**" in sms.outbox[0].text
    assert "王小2" not in sms.outbox[0].text
    before = counts()
    with django_capture_on_commit_callbacks(execute=True):
        for application in VoucherApplication.objects.all():
            voucher_notices.application_decided(application)
    assert counts() == before


def test_families_hear_of_an_expiring_voucher_by_sms_thirty_days_ahead_once(
    batch, bureau, django_capture_on_commit_callbacks
):
    assert (
        app.conf.beat_schedule["voucher-expiry-notices"]["task"]
        == voucher_tasks.notify_expiring_vouchers.name
    )
    with django_capture_on_commit_callbacks(execute=True):
        vouchers.application_approve(
            application=apply(batch, family_child(3), bureau), actor=bureau
        )
    sms.outbox.clear()
    last_day = dt.date(2026, 2, 28)
    with at(last_day - dt.timedelta(days=31), 23, 59):
        assert voucher_tasks.notify_expiring_vouchers.apply().get() == 0
    with at(last_day - dt.timedelta(days=30), 0, 1):
        assert voucher_tasks.notify_expiring_vouchers.apply().get() == 1
    with at(last_day):
        assert voucher_tasks.notify_expiring_vouchers.apply().get() == 0
    assert [m.to for m in sms.outbox] == ["13912340003"]
    assert "2026-02-28" in sms.outbox[0].text and "3000.00" in sms.outbox[0].text
    with at(last_day + dt.timedelta(days=1)):  # expired: nothing to tell
        assert voucher_tasks.notify_expiring_vouchers.apply().get() == 0


# --- Concerns ---------------------------------------------------------------------------------


def test_an_answered_concern_texts_the_sender_once(
    institution_a, bureau, django_capture_on_commit_callbacks
):
    concern = inspections.concern_submit(
        institution=institution_a, kind="complaint", text="午睡无人看护", contact_phone=MOBILE
    )
    silent = inspections.concern_submit(institution=institution_a, kind="report", text="门口积水")
    with django_capture_on_commit_callbacks(execute=True):
        inspections.concern_handle(concern=concern, actor=bureau, state=Concern.State.IN_HAND)
    assert sms.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        inspections.concern_handle(
            concern=concern, actor=bureau, state=Concern.State.ANSWERED, answer="已核实整改。"
        )
        inspections.concern_handle(
            concern=concern, actor=bureau, state=Concern.State.CLOSED, answer="已核实整改。"
        )
        inspections.concern_handle(
            concern=silent, actor=bureau, state=Concern.State.CLOSED, answer="已处理。"
        )
    assert [m.to for m in sms.outbox] == [MOBILE]
    assert concern.reference in sms.outbox[0].text and "甲托育中心" in sms.outbox[0].text
    assert inspection_notify.concern_answered(concern.pk) == 0
    assert len(sms.outbox) == 1


def test_finding_states_used_by_the_sweep_exist():
    assert {Finding.State.OPEN, Finding.State.RETURNED} < set(Finding.OPEN_STATES)
