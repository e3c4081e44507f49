"""The inbox (/tongzhi/), opening and marking notifications, the header's unread count, the
settings page (/tongzhi/shezhi/) and the admin's read-only list."""

import pytest
from django.urls import reverse

from notifications.models import Event, Notification, NotificationPreference
from notifications.selectors import recent_for
from notifications.services import Message, send_now

pytestmark = pytest.mark.django_db

INBOX = reverse("notifications:inbox")
SETTINGS = reverse("notifications:preferences")


def send(user, n: int, *, url: str = "/yuebao/") -> None:
    for index in range(n):
        send_now(
            Message(
                event=Event.REPORT_RETURNED,
                key=f"r{index}",
                subject=f"第{index}条通知",
                body="内容",
                url=url,
                users=[user],
            )
        )


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in (INBOX, SETTINGS):
        response = client.get(url)
        assert response.status_code == 302 and "/denglu/" in response["Location"]


def test_the_inbox_lists_the_users_own_newest_first_with_unread_marked(
    client_as, operator_a, operator_b
):
    send(operator_a, 3)
    send_now(
        Message(event=Event.REPORT_DUE_SOON, key="x", subject="别人的通知", users=[operator_b])
    )
    Notification.objects.filter(subject="第0条通知").update(read_at="2025-01-01T00:00Z")
    html = client_as(operator_a).get(INBOX).content.decode()
    assert html.index("第2条通知") < html.index("第1条通知") < html.index("第0条通知")
    assert "别人的通知" not in html
    assert html.count("notification--unread") == 2
    assert "通知 (2)" in html  # the header


def test_opening_marks_read_and_goes_where_the_work_is(client_as, operator_a):
    send(operator_a, 1, url="/yuebao/")
    note = Notification.objects.get()
    response = client_as(operator_a).post(reverse("notifications:open", args=[note.pk]))
    assert response.status_code == 302 and response["Location"] == "/yuebao/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_an_outside_link_is_never_followed(client_as, operator_a):
    send(operator_a, 1, url="https://evil.example/")
    note = Notification.objects.get()
    response = client_as(operator_a).post(reverse("notifications:open", args=[note.pk]))
    assert response["Location"] == INBOX


def test_another_users_notification_is_a_404(client_as, operator_a, operator_b):
    send(operator_a, 1)
    note = Notification.objects.get()
    response = client_as(operator_b).post(reverse("notifications:open", args=[note.pk]))
    assert response.status_code == 404
    note.refresh_from_db()
    assert note.read_at is None
    assert (
        client_as(operator_a).get(reverse("notifications:open", args=[note.pk])).status_code == 405
    )


def test_mark_all_read(client_as, operator_a, operator_b):
    send(operator_a, 3)
    send(operator_b, 1)
    client = client_as(operator_a)
    response = client.post(reverse("notifications:read_all"), follow=True)
    assert "已将3条通知标为已读" in response.content.decode()
    assert "通知 (0)" in response.content.decode()
    assert Notification.objects.filter(user=operator_b, read_at__isnull=True).count() == 1


def test_the_inbox_is_paginated_and_its_queries_bounded(
    client_as, operator_a, django_assert_max_num_queries
):
    send(operator_a, 25)
    client = client_as(operator_a)
    client.get(INBOX)  # warm the session and the user
    with django_assert_max_num_queries(8):
        html = client.get(INBOX).content.decode()
    assert html.count('class="card notification') == 20
    assert "第 1 / 2 页" in html
    with django_assert_max_num_queries(8):
        assert client.get(INBOX, {"page": 2}).content.decode().count("card notification") == 5


def test_the_header_count_costs_one_query_and_none_for_visitors(
    client, client_as, rf, operator_a, anonymous, django_assert_num_queries
):
    from notifications.context_processors import notifications

    send(operator_a, 2)
    request = rf.get("/")
    request.user = anonymous
    with django_assert_num_queries(0):
        assert notifications(request) == {}
    request.user = operator_a
    context = notifications(request)
    with django_assert_num_queries(1):
        assert context["NOTIFICATIONS_UNREAD"]() == 2
        assert context["NOTIFICATIONS_UNREAD"]() == 2  # counted once per page
    assert "通知 (" not in client.get(reverse("home")).content.decode()
    html = client_as(operator_a).get(reverse("institutions:public_list")).content.decode()
    assert "通知 (2)" in html and INBOX in html


def test_recent_for_puts_unread_first(operator_a):
    send(operator_a, 7)
    Notification.objects.filter(subject="第6条通知").update(read_at="2025-01-01T00:00Z")
    recent = recent_for(operator_a)
    assert len(recent) == 5
    assert all(row.read_at is None for row in recent)
    assert recent[0].subject == "第5条通知"


def test_the_preview_include_renders(rf, operator_a):
    from django.template.loader import render_to_string

    send(operator_a, 2)
    request = rf.get("/")
    request.user = operator_a
    html = render_to_string(
        "notifications/_inbox_preview.html",
        {"notifications": recent_for(operator_a), "NOTIFICATIONS_UNREAD": 2},
        request=request,
    )
    assert "第1条通知" in html and INBOX in html and "2 条未读" in html


def test_settings_choose_sms_with_a_valid_mobile(client_as, operator_a):
    client = client_as(operator_a)
    html = client.get(SETTINGS).content.decode()
    assert "接收短信通知" in html and "没有登记电子邮箱" in html
    refused = client.post(SETTINGS, {"sms_enabled": "on", "mobile": "1391234567"})
    assert "请输入11位手机号码" in refused.content.decode()
    refused = client.post(SETTINGS, {"sms_enabled": "on", "mobile": ""})
    assert "接收短信通知需要填写手机号码" in refused.content.decode()
    response = client.post(SETTINGS, {"sms_enabled": "on", "mobile": "139 1234 5678"}, follow=True)
    assert "通知设置已保存" in response.content.decode()
    preference = NotificationPreference.objects.get(user=operator_a)
    assert preference.mobile.reveal() == "13912345678"
    assert not preference.email_enabled and preference.sms_enabled
    html = response.content.decode()
    assert "139****5678" in html and "13912345678" not in html
    # Sending the masked number back keeps it; turning e-mail on changes only that.
    client.post(SETTINGS, {"email_enabled": "on", "sms_enabled": "on", "mobile": "139****5678"})
    preference.refresh_from_db()
    assert preference.email_enabled and preference.mobile.reveal() == "13912345678"


def test_the_admin_list_is_read_only_and_for_bureau_admins(
    client_as, bureau_admin, bureau, operator_a
):
    send(operator_a, 1)
    url = reverse("admin:notifications_notification_changelist")
    response = client_as(bureau_admin).get(url)
    assert response.status_code == 200 and "第0条通知" in response.content.decode()
    assert "operator_a" in response.content.decode()
    note = Notification.objects.get()
    change = client_as(bureau_admin).post(
        reverse("admin:notifications_notification_change", args=[note.pk]), {"subject": "x"}
    )
    assert change.status_code == 403
    assert client_as(bureau).get(url).status_code == 403
    assert (
        client_as(bureau_admin).get(reverse("admin:notifications_notification_add")).status_code
        == 403
    )


def test_a_mobile_recipient_shows_masked_in_the_admin(client_as, bureau_admin):
    send_now(
        Message(event=Event.CONCERN_ANSWERED, key="1", subject="已答复", mobiles=["13912345678"])
    )
    html = (
        client_as(bureau_admin)
        .get(reverse("admin:notifications_notification_changelist"))
        .content.decode()
    )
    assert "139****5678" in html and "13912345678" not in html
