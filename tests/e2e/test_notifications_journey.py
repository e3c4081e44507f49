"""Notifications on a phone (360x740): an operator sees the unread count in the header, opens
the inbox, opens a notification (it is marked read and leads to where the work is done), and
chooses SMS on the settings page."""

from __future__ import annotations

import pytest
from django.urls import reverse

SUBJECT = "【月报退回】甲托育中心 2025年03月月报被退回"


@pytest.mark.e2e
def test_an_operator_reads_a_notification_and_chooses_sms(journey, transactional_db):
    from notifications.models import Event, Notification, NotificationPreference
    from notifications.services import Message, send_now
    from portal.roles import Role
    from tests.factories import InstitutionFactory, UserFactory

    operator = UserFactory(username="notify_operator", role=Role.OPERATOR)
    InstitutionFactory(name="甲托育中心").operators.add(operator)
    send_now(
        Message(
            event=Event.REPORT_RETURNED,
            key="e2e",
            subject=SUBJECT,
            body="卫健局的意见：入托人数与花名册不符\n请修改后重新提交。",
            url=reverse("reports:month_list"),
            users=[operator],
        )
    )
    person = journey("notifications-operator", phone=True)
    page = person.page
    person.login("notify_operator", "correct-horse-battery")
    page.get_by_role("link", name="通知 (1)").click()
    page.wait_for_url(f"**{reverse('notifications:inbox')}")
    assert page.locator(".notification--unread").count() == 1
    person.shot("01-inbox")

    page.get_by_role("button", name=SUBJECT).click()
    page.wait_for_url(f"**{reverse('reports:month_list')}")
    assert page.get_by_role("link", name="通知 (0)").is_visible()
    assert Notification.objects.get().read_at is not None

    person.goto(reverse("notifications:preferences"))
    page.get_by_label("接收短信通知").check()
    page.get_by_label("接收短信的手机号码").fill("13912345678")
    page.get_by_role("button", name="保存").click()
    assert "通知设置已保存" in person.message()
    assert page.get_by_label("接收短信的手机号码").input_value() == "139****5678"
    person.shot("02-settings")
    assert NotificationPreference.objects.get(user=operator).mobile.reveal() == "13912345678"
