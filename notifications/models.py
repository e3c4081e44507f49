"""A notification per (event, key, recipient), and each user's choice of channels.

The row is the claim: it is inserted before anything is sent, and the database refuses a second
row for the same event, key and recipient, so a rerun, a retried task or two workers at once
deliver each notification once (see services.send_now).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.personal_data import PhoneNumberField


class Event(models.TextChoices):
    """What happened. docs/notifications.md lists who receives each, when and its key."""

    REPORT_RETURNED = "report_returned", _("月报被退回")
    REPORT_REOPENED = "report_reopened", _("月报被重新打开")
    REPORT_DUE_SOON = "report_due_soon", _("月报即将截止")
    REPORT_OVERDUE = "report_overdue", _("月报已逾期")
    INSPECTION_RESULT = "inspection_result", _("检查结果和整改问题")
    FINDING_DEADLINE_SOON = "finding_deadline_soon", _("整改期限临近")
    FINDING_OVERDUE = "finding_overdue", _("整改已逾期")
    FINDINGS_OVERDUE_DIGEST = "findings_overdue_digest", _("整改逾期汇总")
    RECTIFICATION_SUBMITTED = "rectification_submitted", _("整改待验收")
    RECTIFICATION_REVIEWED = "rectification_reviewed", _("整改验收结果")
    HARM_INCIDENT = "harm_incident", _("疑似虐待或忽视儿童事件")
    STAFF_CREDIT_ALERT = "staff_credit_alert", _("从业人员信用提醒")
    APPLICATION_APPROVED = "application_approved", _("托育券申请通过")
    APPLICATION_REJECTED = "application_rejected", _("托育券申请未通过")
    VOUCHER_EXPIRING = "voucher_expiring", _("托育券即将到期")
    CONCERN_ANSWERED = "concern_answered", _("投诉与反映已答复")


class Notification(models.Model):
    """One message to one recipient: a user (inbox and their chosen channels) or, for a family
    without an account, a mobile number (SMS only)."""

    event = models.CharField(_("事件"), max_length=40, choices=Event.choices, db_index=True)
    key = models.CharField(
        _("事件对象"), max_length=120, help_text=_("同一事件、对象和收件人只发送一次。")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("收件人"),
    )
    mobile = PhoneNumberField(_("收件手机"), blank=True)
    # keyed_hash of the mobile's digits: uniqueness without decrypting.
    mobile_hash = models.CharField(max_length=64, blank=True, editable=False)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True, help_text=_("站内路径。"))
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    email_sent_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)
    email_failed_at = models.DateTimeField(_("邮件发送失败时间"), null=True, blank=True)
    sms_sent_at = models.DateTimeField(_("短信发送时间"), null=True, blank=True)
    sms_failed_at = models.DateTimeField(_("短信发送失败时间"), null=True, blank=True)

    # A delivery log written by the service alone; the only later change is the reader's own
    # read mark, which needs no audit trail.
    history_exempt = True
    history_exempt_reason = "A delivery log written once by the service; only read_at changes."

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "key", "user"],
                condition=Q(user__isnull=False),
                name="notification_once_per_user",
            ),
            models.UniqueConstraint(
                fields=["event", "key", "mobile_hash"],
                condition=Q(user__isnull=True),
                name="notification_once_per_mobile",
            ),
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(mobile_hash=""))
                | (Q(user__isnull=True) & ~Q(mobile_hash="")),
                name="notification_user_or_mobile",
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class NotificationPreference(models.Model):
    """Which channels besides the inbox a user wants. Without a row: e-mail when the account
    has an address, no SMS (no mobile is known)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("用户"),
    )
    email_enabled = models.BooleanField(_("接收邮件"), default=True)
    sms_enabled = models.BooleanField(_("接收短信"), default=True)
    mobile = PhoneNumberField(_("接收短信的手机号码"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("通知设置")
        verbose_name_plural = _("通知设置")

    def __str__(self) -> str:
        return str(self.user)
