"""Keeps messages in `notifications.sms.outbox` (the tests' backend, as Django's locmem mail)."""

from __future__ import annotations

from .. import sms
from .base import BaseSmsBackend, SmsMessage


class SmsBackend(BaseSmsBackend):
    def send_messages(self, messages: list[SmsMessage]) -> int:
        sms.outbox.extend(messages)
        return len(messages)
