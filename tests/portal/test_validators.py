import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from portal.validators import (
    PhoneValidator,
    birth_date_from_resident_id,
    credit_code_check_char,
    mask_phone,
    mask_resident_id,
    phone_kind,
    resident_id_check_char,
    validate_credit_code,
    validate_phone,
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


# --- The check characters come from python-stdnum ------------------------------------------------


def test_check_characters_are_stdnums_and_the_standards():
    from stdnum.cn import ric, uscc

    assert ric.is_valid(VALID_ID)
    assert uscc.is_valid(VALID_CREDIT_CODE)
    # Worked by hand, as before the library: GB 11643 weights (7, 9, 10, ...) mod 11.
    first17 = "33038220240301002"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(first17, weights, strict=True))
    assert resident_id_check_char(first17) == "10X98765432"[total % 11]


def test_a_credit_code_whose_authority_is_a_letter_passes():
    # GB 32100 registering authorities include A, N and Y (stdnum's own format wants digits).
    body = "Y1330382MA2C3D4E5"
    code = body + credit_code_check_char(body)
    assert validate_credit_code(code) == code


# --- Phone numbers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kind", "digits"),
    [
        ("13812345678", "mobile", "13812345678"),
        ("138 1234 5678", "either", "13812345678"),
        ("138-1234-5678", "mobile", "13812345678"),
        ("057762345678", "landline", "057762345678"),
        ("(0577) 6234-5678", "either", "057762345678"),
        ("010-12345678", "landline", "01012345678"),
    ],
)
def test_phone_numbers_are_accepted_and_normalised(value, kind, digits):
    assert validate_phone(value, kind=kind) == digits


@pytest.mark.parametrize(
    "value",
    [
        "1381234567",  # a mobile number one digit short: not taken for a Beijing landline
        "1012345678",  # the same, however phonenumbers would read it
        "138123456789",  # one digit too many
        "15412345678",  # no such mobile block
        "013812345678",  # a mobile number behind a trunk 0
        "62345678",  # a landline without its area code
        "4008123123",  # a service number, neither mobile nor landline
        "+8613812345678",
        "电话13812345678",
        "",
    ],
)
def test_a_contact_number_that_is_neither_is_refused(value):
    with pytest.raises(ValidationError) as error:
        validate_phone(value)
    assert error.value.code == "phone_format"
    assert error.value.messages == ["请输入11位手机号码或带区号的固定电话。"]


def test_a_mobile_field_refuses_a_landline_and_a_landline_field_a_mobile():
    with pytest.raises(ValidationError) as error:
        validate_phone("057762345678", kind="mobile")
    assert error.value.messages == ["请输入11位手机号码。"]
    with pytest.raises(ValidationError) as error:
        validate_phone("13812345678", kind="landline")
    assert error.value.messages == ["请输入带区号的固定电话号码。"]


def test_phone_kind_reads_the_number_as_written():
    assert phone_kind("13812345678") == "mobile"
    assert phone_kind("0577 6234 5678") == "landline"
    assert phone_kind("1381234567") is None


def test_the_phone_validator_is_the_same_rule_for_model_fields():
    validator = PhoneValidator()
    assert validator == PhoneValidator("either") != PhoneValidator("mobile")
    assert validator.deconstruct() == ("portal.validators.PhoneValidator", (), {})
    validator("")  # blank is the field's business (blank=True), not the number's
    validator("0577-62345678")
    with pytest.raises(ValidationError):
        validator("1381234567")
