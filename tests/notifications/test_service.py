"""The notification service: each (event, key, recipient) once, the channels a person chose,
SMS for families without an account, and no ID number in any text."""

import logging

import pytest
from django.core import mail
from django.test import override_settings

from notifications import services, sms
from notifications.models import Event, Notification, NotificationPreference
from notifications.services import Message, notify, send_now
from notifications.texts import find_id_numbers, mask_id_numbers
from portal.validators import resident_id_check_char

pytestmark = pytest.mark.django_db

ID_18 = "330382199001011230"[:17]
ID_18 = ID_18 + resident_id_check_char(ID_18)
ID_X = "11010519491231002X"
ID_15 = "330382900101123"
MOBILE = "13912345678"


def message(**overrides) -> Message:
    values = dict(
        event=Event.REPORT_RETURNED,
        key="report:1",
        subject="【月报退回】甲托育中心 2025年03月月报被退回",
        body="请修改后重新提交。",
        url="/yuebao/",
    )
    values.update(overrides)
    return Message(**values)


def test_a_user_gets_it_once_in_the_inbox_and_by_mail(operator_a):
    operator_a.email = "a@example.org"
    operator_a.save()
    assert len(send_now(message(users=[operator_a]))) == 1
    assert send_now(message(users=[operator_a])) == []  # a rerun sends nothing new
    row = Notification.objects.get()
    assert row.user == operator_a and row.read_at is None
    assert row.email_sent_at is not None and row.sms_sent_at is None
    assert [m.to for m in mail.outbox] == [["a@example.org"]]
    assert mail.outbox[0].body.endswith("/yuebao/")
    # Another key, another event: new notifications.
    assert len(send_now(message(users=[operator_a], key="report:2"))) == 1
    assert len(send_now(message(users=[operator_a], event=Event.REPORT_REOPENED))) == 1
    assert Notification.objects.count() == 3


def test_the_database_refuses_a_second_row_for_the_same_recipient(operator_a):
    from django.db import IntegrityError, transaction

    send_now(message(users=[operator_a]))
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(
            event=Event.REPORT_RETURNED, key="report:1", user=operator_a, subject="x"
        )


def test_notify_waits_for_the_commit(operator_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(message(users=[operator_a]))
    assert not Notification.objects.exists()  # nothing before the commit
    for callback in callbacks:
        callback()
    assert Notification.objects.count() == 1


def test_without_a_preference_mail_goes_where_there_is_an_address(operator_a, operator_b):
    operator_a.email = "a@example.org"
    operator_a.save()
    send_now(message(users=[operator_a, operator_b]))
    assert Notification.objects.filter(user__in=[operator_a, operator_b]).count() == 2
    assert [m.to for m in mail.outbox] == [["a@example.org"]]
    assert sms.outbox == []


def test_preferences_choose_the_channel(operator_a, operator_b, inspector):
    for user in (operator_a, operator_b, inspector):
        user.email = f"{user.username}@example.org"
        user.save()
    NotificationPreference.objects.create(user=operator_a, email_enabled=False, mobile=MOBILE)
    NotificationPreference.objects.create(user=operator_b, sms_enabled=False, mobile="13800000001")
    NotificationPreference.objects.create(
        user=inspector, email_enabled=False, sms_enabled=False, mobile="13800000002"
    )
    send_now(message(users=[operator_a, operator_b, inspector]))
    assert [m.to for m in mail.outbox] == [["operator_b@example.org"]]
    assert [m.to for m in sms.outbox] == [MOBILE]
    assert "甲托育中心" in sms.outbox[0].text and "/yuebao/" in sms.outbox[0].text
    # Every one of them has it in the inbox whatever the channels.
    assert Notification.objects.filter(read_at__isnull=True).count() == 3
    assert Notification.objects.get(user=operator_a).sms_sent_at is not None


def test_a_family_without_an_account_gets_one_sms_per_mobile():
    send_now(message(event=Event.APPLICATION_APPROVED, key="7", mobiles=[MOBILE, MOBILE]))
    send_now(message(event=Event.APPLICATION_APPROVED, key="7", mobiles=[MOBILE]))
    assert [m.to for m in sms.outbox] == [MOBILE]
    row = Notification.objects.get()
    assert row.user is None and row.mobile.reveal() == MOBILE
    assert str(row.mobile) == "139****5678"
    assert MOBILE not in row.mobile_hash


def test_a_landline_gets_no_sms():
    assert send_now(message(mobiles=["057762345678"])) == []
    assert sms.outbox == [] and not Notification.objects.exists()


def test_inactive_users_get_nothing(operator_a):
    operator_a.is_active = False
    operator_a.save()
    assert send_now(message(users=[operator_a])) == []


@pytest.mark.parametrize(
    "text",
    [
        f"身份证号{ID_18}有误",
        f"号码 {ID_X}。",
        f"旧证{ID_15}，",
        f"{ID_18}",
    ],
)
def test_id_numbers_are_masked_before_storing_and_sending(text, operator_a, caplog):
    operator_a.email = "a@example.org"
    operator_a.save()
    NotificationPreference.objects.create(user=operator_a, mobile=MOBILE)
    with caplog.at_level(logging.WARNING, logger="notifications.texts"):
        send_now(message(users=[operator_a], subject=text, body=f"原因：{text}"))
    row = Notification.objects.get()
    for stored in (row.subject, row.body, mail.outbox[0].subject, mail.outbox[0].body):
        assert find_id_numbers(stored) == []
    assert find_id_numbers(sms.outbox[0].text) == []
    assert "330382" in row.body or "110105" in row.body  # masked, not dropped
    assert "report_returned" in caplog.text
    for number in (ID_18, ID_X, ID_15):
        assert number not in caplog.text


def test_masking_leaves_other_numbers_alone():
    text = "券码 ABCD2345EFGH，信用代码 91330382MA2XXXXX1Y，电话 13912345678，金额 1800 元"
    assert mask_id_numbers(text) == text
    assert mask_id_numbers("X330382199001011230X") == "X330382199001011230X"


def test_a_failed_channel_is_recorded_and_the_others_still_go(operator_a, caplog):
    operator_a.email = "a@example.org"
    operator_a.save()
    NotificationPreference.objects.create(user=operator_a, mobile=MOBILE)
    with override_settings(EMAIL_BACKEND="tests.notifications.test_service.BrokenMail"):
        send_now(message(users=[operator_a]))
    row = Notification.objects.get()
    assert row.email_failed_at is not None and row.email_sent_at is None
    assert row.sms_sent_at is not None
    assert "a@example.org" not in caplog.text


class BrokenMail:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionError("smtp to a@example.org refused")


def test_the_file_based_sms_backend_writes_a_file(tmp_path, operator_a):
    with override_settings(
        SMS_BACKEND="notifications.sms.filebased.SmsBackend", SMS_FILE_PATH=str(tmp_path)
    ):
        send_now(message(event=Event.CONCERN_ANSWERED, key="1", mobiles=[MOBILE]))
    files = list(tmp_path.iterdir())
    assert len(files) == 1
    text = files[0].read_text(encoding="utf-8")
    assert f"To: {MOBILE}" in text and "甲托育中心" in text
    assert oct(files[0].stat().st_mode & 0o777) == "0o600"


def test_the_console_sms_backend_prints(capsys):
    sent = sms.send_sms(
        MOBILE, "测试", connection=sms.get_connection("notifications.sms.console.SmsBackend")
    )
    assert sent == 1
    assert "测试" in capsys.readouterr().out


def test_marking_read_is_the_users_own(operator_a, operator_b):
    send_now(message(users=[operator_a, operator_b]))
    mine = Notification.objects.get(user=operator_a)
    with pytest.raises(Notification.DoesNotExist):
        services.mark_read(user=operator_b, notification_id=mine.pk)
    services.mark_read(user=operator_a, notification_id=mine.pk)
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert Notification.objects.get(user=operator_b).read_at is None
    assert services.mark_all_read(user=operator_b) == 1
    assert services.mark_all_read(user=operator_b) == 0


def test_an_sms_backend_that_cannot_start_fails_only_the_sms(operator_a, tmp_path):
    operator_a.email = "a@example.org"
    operator_a.save()
    NotificationPreference.objects.create(user=operator_a, mobile=MOBILE)
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with override_settings(
        SMS_BACKEND="notifications.sms.filebased.SmsBackend", SMS_FILE_PATH=str(blocker)
    ):
        assert len(send_now(message(users=[operator_a]))) == 1
    row = Notification.objects.get()
    assert row.sms_failed_at is not None and row.sms_sent_at is None
    assert row.email_sent_at is not None
