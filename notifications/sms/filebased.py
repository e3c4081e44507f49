"""Appends each message to a file in `SMS_FILE_PATH`, one file per backend instance (as
Django's file-based mail backend does): a server with no gateway yet keeps what it would send."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .base import BaseSmsBackend, SmsMessage


class SmsBackend(BaseSmsBackend):
    def __init__(self, *args, file_path: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        path = file_path or getattr(settings, "SMS_FILE_PATH", "")
        if not path:
            raise ImproperlyConfigured("SMS_FILE_PATH must be set for the file-based SMS backend.")
        self.directory = Path(path)
        if self.directory.exists() and not self.directory.is_dir():
            raise ImproperlyConfigured(f"SMS_FILE_PATH {path!r} is not a directory.")
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        self.file = self.directory / f"{stamp}-{os.getpid()}-{id(self)}.log"

    def send_messages(self, messages: list[SmsMessage]) -> int:
        if not messages:
            return 0
        # Only the service's own account reads the folder: texts name institutions and children.
        descriptor = os.open(self.file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(descriptor, "a", encoding="utf-8") as stream:
            for message in messages:
                stream.write(f"To: {message.to}\n{message.text}\n{'-' * 40}\n")
        return len(messages)
