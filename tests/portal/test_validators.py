import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from portal.validators import (
    birth_date_from_resident_id,
    credit_code_check_char,
    mask_phone,
    mask_resident_id,
    resident_id_check_char,
    validate_credit_code,
    validate_resident_id,
)

# Worked by hand with the GB 11643 weights: sum = 189, 189 mod 11 = 2 -> "X".
VALID_ID = "11010519491231002X"
# The GB 32100 example code published with the standard.
VALID_CREDIT_CODE = "91350100M000100Y43"


def test_resident_id_check_char_matches_the_standard_example():
    assert resident_id_check_char(VALID_ID[:17]) == "X"


def test_valid_resident_id_is_normalised():
    assert validate_resident_id(" 11010519491231002x ") == VALID_ID


def test_resident_id_with_wrong_check_digit_is_refused():
    with pytest.raises(ValidationError) as error:
        validate_resident_id(VALID_ID[:17] + "1")
    assert error.value.code == "resident_id_check_digit"
    assert "校验位" in str(error.value.messages[0])


@pytest.mark.parametrize("value", ["", "1234", "11010519491231002Y", "1101051949123100" + "2X3"])
def test_resident_id_with_wrong_format_is_refused(value):
    with pytest.raises(ValidationError) as error:
        validate_resident_id(value)
    assert error.value.code == "resident_id_format"


def test_resident_id_with_impossible_birth_date_is_refused():
    first17 = "33038220250231123"  # 31 February
    with pytest.raises(ValidationError) as error:
        validate_resident_id(first17 + resident_id_check_char(first17))
    assert error.value.code == "resident_id_birth_date"


def test_birth_date_is_read_from_the_number():
    assert birth_date_from_resident_id(VALID_ID) == dt.date(1949, 12, 31)


def test_masks_keep_region_and_last_four():
    assert mask_resident_id(VALID_ID) == "110105********002X"
    assert mask_phone("13812345678") == "138****5678"


def test_credit_code_check_char_matches_the_standard_example():
    assert credit_code_check_char(VALID_CREDIT_CODE[:17]) == "3"


def test_valid_credit_code_passes():
    assert validate_credit_code(VALID_CREDIT_CODE.lower()) == VALID_CREDIT_CODE


def test_credit_code_with_wrong_check_char_is_refused():
    with pytest.raises(ValidationError) as error:
        validate_credit_code(VALID_CREDIT_CODE[:17] + "4")
    assert error.value.code == "credit_code_check_digit"


def test_credit_code_with_forbidden_letter_is_refused_even_with_override():
    with pytest.raises(ValidationError) as error:
        validate_credit_code("91350100M000100I43", override_reason="证照如此")
    assert error.value.code == "credit_code_format"


def test_credit_code_check_digit_can_be_overridden_with_a_reason():
    code = VALID_CREDIT_CODE[:17] + "4"
    assert validate_credit_code(code, override_reason="营业执照原件核实无误") == code
    with pytest.raises(ValidationError):
        validate_credit_code(code, override_reason="   ")


def test_messages_switch_to_english():
    from django.utils import translation

    with pytest.raises(ValidationError) as error:
        validate_resident_id(VALID_ID[:17] + "1")
    # Messages are lazy: they take the language active when they are shown.
    with translation.override("en"):
        assert error.value.messages == [
            "The check digit of the resident ID number is wrong; please check and enter it again."
        ]
    assert error.value.messages == ["身份证号码校验位不正确，请核对后重新输入。"]
