"""Voucher codes: the check character is Luhn mod N over the code's alphabet (stdnum.luhn), the
same character the portal computed by hand before, so every code already issued still validates."""

import random

from stdnum import luhn

from vouchers import codes


def _check_character_as_issued(body: str) -> str:
    """The portal's own Luhn mod N, which issued the codes before stdnum computed them."""
    n = len(codes.ALPHABET)
    factor, total = 2, 0
    for char in reversed(body):
        addend = factor * codes.ALPHABET.index(char)
        factor = 1 if factor == 2 else 2
        total += addend // n + addend % n
    return codes.ALPHABET[(n - total % n) % n]


def test_codes_issued_before_still_validate():
    for issued in ("23456789ABC7", "ZYXWVTSRQPN8", "K7M2P9Q4R8T2"):
        assert _check_character_as_issued(issued[:-1]) == issued[-1]
        assert codes.is_well_formed(issued)
    rng = random.Random(14)
    for _ in range(5000):
        body = "".join(rng.choice(codes.ALPHABET) for _ in range(codes.BODY_LENGTH))
        assert codes.check_character(body) == _check_character_as_issued(body)
        assert codes.is_well_formed(body + _check_character_as_issued(body))


def test_a_new_code_is_well_formed_and_luhn_valid():
    code = codes.new_code()
    assert len(code) == codes.CODE_LENGTH
    assert luhn.is_valid(code, codes.ALPHABET)
    assert codes.is_well_formed(codes.display(code).lower())


def test_every_single_mistyped_character_is_caught():
    code = codes.new_code()
    for position, right in enumerate(code):
        for wrong in codes.ALPHABET.replace(right, ""):
            assert not codes.is_well_formed(code[:position] + wrong + code[position + 1 :])


def test_characters_outside_the_alphabet_are_refused():
    code = codes.new_code()
    assert not codes.is_well_formed("0" + code[1:])
    assert not codes.is_well_formed(code[:-1])
