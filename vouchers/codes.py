"""Voucher codes: 11 random characters and a check character, from an alphabet without look-alikes.

The alphabet leaves out 0/O, 1/I/L and U (read as V) so a code copied by hand is not misread;
its size is even, as Luhn mod N needs. The check character is Luhn mod N over that alphabet
(`stdnum.luhn` with the alphabet; the same character the portal's own earlier code gave, so
every code already issued still validates): any single mistyped character, and nearly every
swap of two adjacent characters, is caught before a lookup.
11 characters from 30 give about 1.8e16 codes, so guessing one is hopeless.
"""

from __future__ import annotations

import re
import secrets

from stdnum import luhn

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # 30 characters: no 0 1 I L O U
BODY_LENGTH = 11
CODE_LENGTH = BODY_LENGTH + 1


def check_character(body: str) -> str:
    """Luhn mod N: double every second value from the right, folding into base N."""
    return luhn.calc_check_digit(body, ALPHABET)


def new_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return body + check_character(body)


def normalize(code: str) -> str:
    """Upper-case and drop spaces and dashes (codes are printed as XXXX-XXXX-XXXX)."""
    return re.sub(r"[\s\-]+", "", str(code or "")).upper()


def is_well_formed(code: str) -> bool:
    code = normalize(code)
    return (
        len(code) == CODE_LENGTH
        and all(char in ALPHABET for char in code)
        and luhn.is_valid(code, ALPHABET)
    )


def display(code: str) -> str:
    """XXXX-XXXX-XXXX, easier to read out and copy."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))
