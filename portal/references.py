"""Reference numbers the public keeps to follow what they sent (a voucher application, a
concern): a prefix and random characters from an alphabet without look-alikes (no 0 1 I L O U),
drawn with `secrets`, so a reference cannot be guessed from another."""

from __future__ import annotations

import secrets
from collections.abc import Callable

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 10  # 30**10 ≈ 6e14 references per prefix


def new_reference(prefix: str, taken: Callable[[str], bool]) -> str:
    """An unused reference: `taken(reference)` says whether one is in use already."""
    for _attempt in range(10):
        reference = prefix + "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        if not taken(reference):
            return reference
    raise RuntimeError("could not draw an unused reference")


def normalize_reference(value: str) -> str:
    """As typed: spaces and dashes dropped, upper case."""
    return "".join(str(value or "").split()).replace("-", "").upper()[:40]
