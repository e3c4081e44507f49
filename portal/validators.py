"""Check-digit validators for resident ID numbers (GB 11643) and credit codes (GB 32100).

The algorithms are those of ../shared/spec/glossary.md. They raise Django's ValidationError with
a message a clerk can act on, so forms, serializers and import resources share them.
"""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_ID_PATTERN = re.compile(r"^\d{17}[\dX]$")


def normalize_resident_id(value: str) -> str:
    """Strip spaces and upper-case a trailing x, the two slips people make when typing one."""
    return re.sub(r"\s+", "", str(value or "")).upper()


def resident_id_check_char(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def birth_date_from_resident_id(value: str) -> dt.date:
    value = normalize_resident_id(value)
    return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def validate_resident_id(value: str) -> str:
    """Return the normalised ID number or raise ValidationError."""
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


_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 3^(i-1) mod 31 for i = 1..17
_CREDIT_PATTERN = re.compile(rf"^[{_CREDIT_ALPHABET}]{{18}}$")


def normalize_credit_code(value: str) -> str:
    return re.sub(r"\s+", "", str(value or "")).upper()


def credit_code_check_char(first17: str) -> str:
    total = sum(
        _CREDIT_ALPHABET.index(char) * weight
        for char, weight in zip(first17, _CREDIT_WEIGHTS, strict=True)
    )
    check = 31 - total % 31
    return _CREDIT_ALPHABET[0 if check == 31 else check]


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
