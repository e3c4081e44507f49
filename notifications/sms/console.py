"""Prints each message to standard output (development: `make run` shows what would be sent)."""

from __future__ import annotations

import sys
import threading

from .base import BaseSmsBackend, SmsMessage


class SmsBackend(BaseSmsBackend):
    def __init__(self, *args, stream=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.stream = stream or sys.stdout
        self._lock = threading.RLock()

    def send_messages(self, messages: list[SmsMessage]) -> int:
        with self._lock:
            for message in messages:
                self.stream.write(f"SMS to {message.to}\n{message.text}\n{'-' * 40}\n")
            self.stream.flush()
        return len(messages)
