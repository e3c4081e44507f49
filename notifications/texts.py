"""No resident ID number ever leaves in a notification's text.

Every subject and body passes `mask_id_numbers` before it is stored or sent: an 18-character
number (17 digits and a digit or X) and an old 15-digit one are masked as the portal masks them
elsewhere (330382********1234). Callers should never put one in; this is the net under them.
"""

from __future__ import annotations

import logging
import re

from portal.validators import mask_resident_id

logger = logging.getLogger(__name__)

# Not inside a longer run of letters or digits (a credit code, a voucher code, a file name).
ID_18 = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
ID_15 = re.compile(r"(?<![0-9A-Za-z])\d{15}(?![0-9A-Za-z])")


def find_id_numbers(text: str) -> list[str]:
    return ID_18.findall(text or "") + ID_15.findall(text or "")


def mask_id_numbers(text: str, *, event: str = "") -> str:
    """`text` with every ID number masked; a warning names the event, never the text."""
    if not text:
        return text
    masked, found = ID_18.subn(lambda match: mask_resident_id(match.group()), text)
    masked, found_old = ID_15.subn(lambda match: mask_resident_id(match.group()), masked)
    if found or found_old:
        logger.warning(
            "notification text for event %s held %s ID number(s); masked",
            event or "?",
            found + found_old,
        )
    return masked
