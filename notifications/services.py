"""The one way the portal tells someone something: `notify` (after the caller's commit) or
`send_now` (in a sweep or an on-commit callback).

For each recipient the service first claims the notification, inserting its row under the
unique (event, key, recipient) constraint; a recipient who already has it is skipped, so a rerun
of any sweep sends nothing new. Then it delivers the new rows: the inbox (a user's row is the
inbox entry), e-mail and SMS as the user chose, SMS alone for a mobile number without an
account. Texts are scrubbed of ID numbers before either happens (texts.mask_id_numbers).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from portal.personal_data import MaskedValue, keyed_hash
from portal.validators import phone_kind

from . import sms
from .models import Notification, NotificationPreference
from .texts import mask_id_numbers

logger = logging.getLogger(__name__)


@dataclass
class Message:
    """What an event says, to whom. `users` are user objects or ids; `mobiles` are numbers of
    people without an account (reached by SMS only; a number that is no mobile is skipped)."""

    event: str
    key: str
    subject: str
    body: str = ""
    url: str = ""
    users: Iterable = ()
    mobiles: Iterable = ()


def _user_ids(users: Iterable) -> list[int]:
    return sorted({getattr(user, "pk", user) for user in users if user is not None})


def _mobile_digits(numbers: Iterable) -> list[str]:
    found = set()
    for number in numbers:
        if not number:
            continue
        digits = number.reveal() if isinstance(number, MaskedValue) else str(number)
        digits = "".join(ch for ch in digits if ch.isdigit())
        if phone_kind(digits) == "mobile":
            found.add(digits)
    return sorted(found)


def _claim(row: Notification) -> bool:
    """Insert the row; False when the recipient already has this notification."""
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        return False
    return True


def _channels(user) -> tuple[str, str]:
    """(e-mail address, mobile digits) the user receives on; empty where off."""
    try:
        preference = user.notification_preference
    except NotificationPreference.DoesNotExist:
        preference = None
    email = user.email if user.email and (preference is None or preference.email_enabled) else ""
    mobile = ""
    if preference is not None and preference.sms_enabled and preference.mobile:
        mobile = preference.mobile.reveal()
    return email, mobile


def _with_link(text: str, url: str) -> str:
    # The path where the work is done, unless the text already names it.
    return f"{text}\n\n{url}" if url and url not in text else text


def _email_text(row: Notification) -> str:
    return _with_link(row.body, row.url)


def _sms_text(row: Notification) -> str:
    text = f"【{settings.PORTAL_NAME}】{row.subject}"
    return _with_link(f"{text}\n{row.body}" if row.body else text, row.url)


def _send_email(row: Notification, address: str, connection) -> None:
    try:
        mail.EmailMessage(
            row.subject, _email_text(row), None, [address], connection=connection
        ).send()
    except Exception as error:  # noqa: BLE001 - any gateway error is recorded, never raised
        # The error's kind only: a gateway's message may quote the address or the text.
        logger.error("notification %s (%s): e-mail failed: %s", row.pk, row.event, type(error))
        Notification.objects.filter(pk=row.pk).update(email_failed_at=timezone.now())
    else:
        Notification.objects.filter(pk=row.pk).update(email_sent_at=timezone.now())


def _sms_connection():
    """The configured backend, or None when it cannot start (each SMS is then recorded failed;
    the inbox and e-mail still go, and the caller's work is never undone by a channel)."""
    try:
        return sms.get_connection()
    except Exception as error:  # noqa: BLE001 - a misconfigured gateway must not break a write
        logger.error("SMS backend could not start: %s", type(error))
        return None


def _send_sms(row: Notification, mobile: str, connection) -> None:
    try:
        if connection is None:
            raise RuntimeError("no SMS backend")
        sent = connection.send_messages([sms.SmsMessage(to=mobile, text=_sms_text(row))])
        if not sent:
            raise RuntimeError("the SMS backend sent nothing")
    except Exception as error:  # noqa: BLE001 - as for e-mail
        logger.error("notification %s (%s): SMS failed: %s", row.pk, row.event, type(error))
        Notification.objects.filter(pk=row.pk).update(sms_failed_at=timezone.now())
    else:
        Notification.objects.filter(pk=row.pk).update(sms_sent_at=timezone.now())


def send_now(message: Message) -> list[Notification]:
    """Claim and deliver `message` to every recipient who does not have it yet; returns the
    notifications created by this call (empty on a rerun)."""
    base = {
        "event": message.event,
        "key": message.key,
        "subject": mask_id_numbers(message.subject, event=message.event)[:200],
        "body": mask_id_numbers(message.body, event=message.event),
        "url": message.url,
    }
    created: list[tuple[Notification, str, str]] = []
    users = (
        get_user_model()
        .objects.filter(pk__in=_user_ids(message.users), is_active=True)
        .select_related("notification_preference")
        .order_by("pk")
    )
    for user in users:
        row = Notification(user=user, **base)
        if _claim(row):
            created.append((row, *_channels(user)))
    for digits in _mobile_digits(message.mobiles):
        row = Notification(mobile=digits, mobile_hash=keyed_hash(digits), **base)
        if _claim(row):
            created.append((row, "", digits))
    if not created:
        return []
    email_connection = mail.get_connection(fail_silently=False)
    sms_connection = _sms_connection() if any(m for _r, _e, m in created) else None
    for row, address, mobile in created:
        if address:
            _send_email(row, address, email_connection)
        if mobile:
            _send_sms(row, mobile, sms_connection)
    logger.info("notification %s %s: %s new", message.event, message.key, len(created))
    return [row for row, _e, _m in created]


def notify(message: Message) -> None:
    """Send `message` once the caller's transaction commits (nothing if it rolls back)."""
    transaction.on_commit(lambda: send_now(message))


def mark_read(*, user, notification_id: int) -> Notification:
    """Mark one of the user's notifications read; another user's raises DoesNotExist."""
    row = Notification.objects.get(pk=notification_id, user=user)
    if row.read_at is None:
        Notification.objects.filter(pk=row.pk, read_at__isnull=True).update(read_at=timezone.now())
    return row


def mark_all_read(*, user) -> int:
    return Notification.objects.filter(Q(user=user) & Q(read_at__isnull=True)).update(
        read_at=timezone.now()
    )


def preference_save(*, user, email_enabled: bool, sms_enabled: bool, mobile: str) -> None:
    """Store the user's channels (the form has validated the mobile number)."""
    NotificationPreference.objects.update_or_create(
        user=user,
        defaults={"email_enabled": email_enabled, "sms_enabled": sms_enabled, "mobile": mobile},
    )
