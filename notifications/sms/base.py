"""The interface an SMS backend implements.

A backend receives a list of `SmsMessage` (the mobile number's 11 digits and the text) and
returns how many it handed over to the gateway. It raises on a failure it cannot recover from;
the notification service records the failure (`sms_failed_at`) and never retries by itself.
Backends must not log the text or the full number: texts name institutions and children.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SmsMessage:
    to: str  # 11 digits, a mainland mobile number
    text: str


class BaseSmsBackend:
    """Subclass and implement `send_messages`; take settings in `__init__(**kwargs)`.

    `fail_silently` mirrors Django's mail backends: when true, a backend swallows its own errors
    and returns the number it managed to send.
    """

    def __init__(self, fail_silently: bool = False, **kwargs) -> None:
        self.fail_silently = fail_silently

    def send_messages(self, messages: list[SmsMessage]) -> int:  # pragma: no cover - interface
        raise NotImplementedError("an SMS backend must implement send_messages(messages) -> int")
