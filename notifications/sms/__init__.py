"""The SMS channel, built like Django's mail backends.

`SMS_BACKEND` (a dotted path) names the class that sends; `get_connection()` makes one and
`send_sms()` sends through it. A city's SMS gateway plugs in as a subclass of
`notifications.sms.base.BaseSmsBackend` (see docs/notifications.md). Shipped backends:

- `notifications.sms.console.SmsBackend`: prints each message (development);
- `notifications.sms.filebased.SmsBackend`: appends each message to a file in `SMS_FILE_PATH`
  (a server without a gateway yet: the messages are kept for the bureau to check);
- `notifications.sms.locmem.SmsBackend`: keeps messages in `notifications.sms.outbox` (tests).
"""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from .base import BaseSmsBackend, SmsMessage

# The locmem backend's sent messages (tests read and clear it, as django.core.mail.outbox).
outbox: list[SmsMessage] = []

__all__ = ["BaseSmsBackend", "SmsMessage", "get_connection", "outbox", "send_sms"]


def get_connection(backend: str | None = None, **kwargs) -> BaseSmsBackend:
    return import_string(backend or settings.SMS_BACKEND)(**kwargs)


def send_sms(to: str, text: str, *, connection: BaseSmsBackend | None = None) -> int:
    """Send one message; returns 1 when the backend accepted it."""
    return (connection or get_connection()).send_messages([SmsMessage(to=to, text=text)])
