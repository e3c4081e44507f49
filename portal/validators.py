"""Validators for resident ID numbers (GB 11643), credit codes (GB 32100) and phone numbers.

The check characters come from python-stdnum (`stdnum.cn.ric`, `stdnum.cn.uscc`), the phone
numbering plan from phonenumbers (Google's libphonenumber metadata); the formats and the
messages are ours. They raise Django's ValidationError with a message a clerk can act on, so
models, forms, serializers and import resources share them.
"""

import datetime as dt
import re
from typing import Literal

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidComponent

_ID_PATTERN = re.compile(r"^\d{17}[\dX]$")


def normalize_resident_id(value: str) -> str:
    """Strip spaces and upper-case a trailing x, the two slips people make when typing one."""
    return re.sub(r"\s+", "", str(value or "")).upper()


def resident_id_check_char(first17: str) -> str:
    # stdnum computes the check character of a whole number and ignores its last character.
    return ric.calc_check_digit(first17 + "0")


def birth_date_from_resident_id(value: str) -> dt.date:
    """The date in digits 7-14; ValueError when they are no date."""
    try:
        return ric.get_birth_date(normalize_resident_id(value))
    except InvalidComponent:
        raise ValueError("the number holds no valid birth date") from None


def validate_resident_id(value: str) -> str:
    """Return the normalised ID number or raise ValidationError.

    Not `ric.validate`: it also looks the birth place up in stdnum's table of counties, which
    would refuse a real number from a county code the table does not know yet.
    """
    value = normalize_resident_id(value)
    if not _ID_PATTERN.match(value):
        raise ValidationError(
            _("身份证号码应为18位：前17位为数字，最后一位为数字或X。"), code="resident_id_format"
        )
    try:
        born = birth_date_from_resident_id(value)
    except ValueError:
        raise ValidationError(
            _("身份证号码中的出生日期无效。"), code="resident_id_birth_date"
        ) from None
    if born.year < 1900 or born > dt.date.today():
        raise ValidationError(_("身份证号码中的出生日期无效。"), code="resident_id_birth_date")
    if resident_id_check_char(value[:17]) != value[17]:
        raise ValidationError(
            _("身份证号码校验位不正确，请核对后重新输入。"), code="resident_id_check_digit"
        )
    return value


def mask_resident_id(value: str | None) -> str:
    """330382********1234: region kept, birth date and sequence hidden, last four kept."""
    if not value:
        return ""
    value = normalize_resident_id(value)
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    """138****5678."""
    if not value:
        return ""
    digits = re.sub(r"\s+", "", str(value))
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_name(value: str | None) -> str:
    """王** : the first character, then one star per remaining character."""
    if not value:
        return ""
    value = str(value).strip()
    return value[:1] + "*" * max(1, len(value) - 1)


# The format is ours, not stdnum's `uscc.validate`: that one wants the first eight characters to
# be digits, but GB 32100's registering authority (the first) may be a letter (A, N, Y).
_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_PATTERN = re.compile(rf"^[{_CREDIT_ALPHABET}]{{18}}$")


def normalize_credit_code(value: str) -> str:
    return re.sub(r"\s+", "", str(value or "")).upper()


def credit_code_check_char(first17: str) -> str:
    return uscc.calc_check_digit(first17)


def validate_credit_code(value: str, *, override_reason: str = "") -> str:
    """Return the normalised unified social credit code or raise ValidationError.

    Some real codes fail the check digit. Staff may accept one with a written reason
    (`override_reason`); the format is still enforced, only the check digit is waived.
    """
    value = normalize_credit_code(value)
    if not _CREDIT_PATTERN.match(value):
        raise ValidationError(
            _("统一社会信用代码应为18位，由数字和大写字母组成（不含I、O、Z、S、V）。"),
            code="credit_code_format",
        )
    if credit_code_check_char(value[:17]) != value[17] and not (override_reason or "").strip():
        raise ValidationError(
            _(
                "统一社会信用代码校验位不正确。如确认代码无误（证照上的真实代码），"
                "请填写核实说明后保存。"
            ),
            code="credit_code_check_digit",
        )
    return value


# --- Phone numbers --------------------------------------------------------------------------------

PhoneKind = Literal["mobile", "landline", "either"]

_PHONE_SEPARATORS = re.compile(r"[\s\-()（）]+")
_PHONE_MESSAGES = {
    "mobile": _("请输入11位手机号码。"),
    "landline": _("请输入带区号的固定电话号码。"),
    "either": _("请输入11位手机号码或带区号的固定电话。"),
}
_MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}
_LANDLINE_TYPES = {
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


# A mobile number inside free text (a log line, a public finding), to be masked or refused.
MOBILE_IN_TEXT = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def normalize_phone(value: str) -> str:
    """Drop the spaces, dashes and brackets people write into numbers: (0577) 6234-5678."""
    return _PHONE_SEPARATORS.sub("", str(value or ""))


def phone_kind(value: str) -> Literal["mobile", "landline"] | None:
    """What a Chinese number written the domestic way is, by phonenumbers' plan for region CN.

    A number is read as written: a mobile number is 11 digits beginning with 1, a landline
    begins with 0 and its area code. phonenumbers alone would also take ten digits beginning with
    1 (a mobile number missing a digit) for a Beijing landline without its 0; that is refused.
    """
    digits = normalize_phone(value)
    if re.fullmatch(r"1[0-9]{10}", digits):
        kind, types = "mobile", _MOBILE_TYPES
    elif re.fullmatch(r"0[0-9]{9,11}", digits):
        kind, types = "landline", _LANDLINE_TYPES
    else:
        return None
    try:
        number = phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException:
        return None
    if (
        phonenumbers.is_valid_number_for_region(number, "CN")
        and phonenumbers.number_type(number) in types
    ):
        return kind
    return None


def validate_phone(value: str, *, kind: PhoneKind = "either") -> str:
    """Return the number's digits, or raise ValidationError (code phone_format).

    `kind` is what the field takes: a mobile number, a landline, or either (a contact number).
    Every phone number the portal stores is checked here."""
    digits = normalize_phone(value)
    found = phone_kind(digits)
    if found is None or kind not in (found, "either"):
        raise ValidationError(_PHONE_MESSAGES[kind], code="phone_format")
    return digits


@deconstructible(path="portal.validators.PhoneValidator")
class PhoneValidator:
    """`validate_phone` as a model or serializer field's validator."""

    def __init__(self, kind: PhoneKind = "either") -> None:
        self.kind = kind

    def __call__(self, value: str) -> None:
        if value:
            validate_phone(value, kind=self.kind)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PhoneValidator) and other.kind == self.kind

    def __hash__(self) -> int:
        return hash(self.kind)
