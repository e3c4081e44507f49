"""A logging filter that redacts resident ID numbers and mobile numbers from every record.

Models already print ID numbers masked (personal_data.ResidentId); this is the second line of
defence for a number that reaches a log line some other way (a request body, an exception).
"""

import logging
import re

from .validators import MOBILE_IN_TEXT, mask_phone, mask_resident_id

_RESIDENT_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def redact(text: str) -> str:
    text = _RESIDENT_ID.sub(lambda m: mask_resident_id(m.group(0)), text)
    return MOBILE_IN_TEXT.sub(lambda m: mask_phone(m.group(0)), text)


class RedactPersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and record.exc_info[1] is not None:
            # Format the traceback now, redacted, so the handler prints this text instead.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True
