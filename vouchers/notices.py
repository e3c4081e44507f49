"""What families are told about their vouchers, through notifications.services: the bureau's
decision on an application (at once, after commit) and a voucher about to expire (a daily sweep,
vouchers/tasks.py). A family with an account gets it in its inbox and chosen channels; a family
without one (most apply online at /voucher-apply/) gets an SMS on the guardian's mobile.

Texts name the batch, amounts, dates and the child's masked name (王**); never an ID number.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notifications.models import Event
from notifications.services import Message, notify, send_now

from .models import Guardian, Voucher, VoucherApplication


def _family(guardian: Guardian) -> dict:
    """The guardian's account if linked and active, else the guardian's mobile."""
    user = guardian.user
    if user is not None and user.is_active:
        return {"users": [user]}
    return {"mobiles": [guardian.phone]}


def application_decided(application: VoucherApplication) -> None:
    """Approved or refused: to the family, once per application."""
    application = VoucherApplication.objects.select_related("batch", "child__guardian__user").get(
        pk=application.pk
    )
    child = application.child
    with translation.override(settings.LANGUAGE_CODE):
        if application.state == VoucherApplication.State.APPROVED:
            event = Event.APPLICATION_APPROVED
            voucher = Voucher.objects.get(application=application)
            subject = _("【托育券申请通过】%(child)s的%(batch)s托育券已发放") % {
                "child": child.name.masked,
                "batch": application.batch.name,
            }
            body = _(
                "面额%(value)s元，有效期%(start)s至%(end)s（含当日），每月最多抵扣%(cap)s元。"
                "在托育机构缴费时出示券码即可抵扣。"
            ) % {
                "value": voucher.face_value,
                "start": voucher.valid_from.isoformat(),
                "end": voucher.valid_until.isoformat(),
                "cap": voucher.monthly_cap,
            }
        else:
            event = Event.APPLICATION_REJECTED
            subject = _("【托育券申请未通过】%(child)s的%(batch)s托育券申请未通过") % {
                "child": child.name.masked,
                "batch": application.batch.name,
            }
            body = _("原因：%(reason)s\n如有疑问请联系乐清市卫生健康局。") % {
                "reason": application.reject_reason
            }
    linked = child.guardian.user is not None and child.guardian.user.is_active
    url = reverse("voucher_family:balance" if linked else "voucher_family:follow")
    notify(
        Message(
            event=event,
            key=str(application.pk),
            subject=subject,
            body=body,
            url=url,
            **_family(child.guardian),
        )
    )


# Families are told when a voucher's last valid day is this many days away or nearer.
EXPIRY_NOTICE_DAYS = 30


def vouchers_notify_expiring(*, today: dt.date | None = None) -> int:
    """Daily: an SMS to the guardian's mobile for each active voucher with a balance whose last
    valid day (inclusive) is within EXPIRY_NOTICE_DAYS days, today included. Once per voucher
    and expiry date: later runs send nothing new. Returns the notifications sent."""
    today = today or timezone.localdate()
    vouchers = Voucher.objects.filter(
        status=Voucher.Status.ACTIVE,
        balance__gt=0,
        valid_until__gte=today,
        valid_until__lte=today + dt.timedelta(days=EXPIRY_NOTICE_DAYS),
    ).select_related("child__guardian")
    sent = 0
    path = reverse("voucher_family:balance")
    for voucher in vouchers.order_by("valid_until", "pk"):
        child = voucher.child
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("【托育券即将到期】%(child)s的托育券将于%(day)s到期") % {
                "child": child.name.masked,
                "day": voucher.valid_until.isoformat(),
            }
            body = _("余额%(balance)s元，%(day)s后余额作废，请在到期前使用。") % {
                "balance": voucher.balance,
                "day": voucher.valid_until.isoformat(),
            }
        sent += len(
            send_now(
                Message(
                    event=Event.VOUCHER_EXPIRING,
                    key=f"{voucher.pk}:{voucher.valid_until.isoformat()}",
                    subject=subject,
                    body=body,
                    url=path,
                    mobiles=[child.guardian.phone],
                )
            )
        )
    return sent
