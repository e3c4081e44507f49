"""Serializer fields the apps' APIs share.

A month is written and read as "YYYY-MM", one pattern for every month field and parameter
(`dates.MONTH_PATTERN`, read by `dates.parse_month`; the pages' form field follows the same rule).
Personal data leaves only as masks and comes in write-only.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..dates import MONTH_PATTERN, format_month, parse_month
from ..forms import MONTH_INVALID
from ..personal_data import MaskedValue
from ..roles import scope
from ..validators import mask_name, mask_resident_id, normalize_resident_id, validate_resident_id


@extend_schema_field({"type": "string", "pattern": MONTH_PATTERN, "example": "2025-03"})
class MonthField(serializers.Field):
    """A month as "YYYY-MM" (stored as its first day)."""

    default_error_messages = {"invalid": MONTH_INVALID}

    def to_internal_value(self, data) -> dt.date:
        try:
            return parse_month(str(data))
        except ValueError:
            self.fail("invalid")

    def to_representation(self, value: dt.date) -> str:
        return format_month(value)


class _MaskedField(serializers.Field):
    """Personal data as its mask, always: the plain value never leaves by the API."""

    @staticmethod
    def mask(value: str) -> str:
        raise NotImplementedError

    def __init__(self, **kwargs) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value) -> str:
        if isinstance(value, MaskedValue):
            return value.masked
        return self.mask(value)


@extend_schema_field({"type": "string", "readOnly": True, "example": "王**"})
class MaskedNameField(_MaskedField):
    """A person's name as its mask."""

    mask = staticmethod(mask_name)


@extend_schema_field({"type": "string", "readOnly": True, "example": "330382********1234"})
class MaskedResidentIdField(_MaskedField):
    """A resident ID number as its mask."""

    mask = staticmethod(mask_resident_id)


@extend_schema_field(
    {
        "type": "string",
        "writeOnly": True,
        "description": "18位居民身份证号码，加密存储；任何返回中都只有脱敏号码。",
    }
)
class ResidentIdInputField(serializers.CharField):
    """A resident ID number, written in full, checked (GB 11643), never read back."""

    def __init__(self, **kwargs) -> None:
        kwargs["write_only"] = True
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> str:
        return self.checked(normalize_resident_id(super().to_internal_value(data)))

    @staticmethod
    def checked(value: str) -> str:
        try:
            return validate_resident_id(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages, code=error.code) from None


class MaskedInput(str):
    """A masked number sent back as it was shown: it can only mean "keep the stored one"."""


_MASK = re.compile(r"^[\dX]{6}\*+[\dX]{4}$")


@extend_schema_field(
    {
        "type": "string",
        "writeOnly": True,
        "description": "18位居民身份证号码，按原文提交、加密存储；返回时一律脱敏。"
        "修改时可原样提交脱敏号码以保留原值。",
    }
)
class ResidentIdEditField(ResidentIdInputField):
    """`ResidentIdInputField` on a record that has one already: the mask it was shown comes
    back as a `MaskedInput` (keep the stored number)."""

    def to_internal_value(self, data) -> str:
        value = normalize_resident_id(serializers.CharField.to_internal_value(self, data))
        return MaskedInput(value) if _MASK.match(value) else self.checked(value)


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference limited to what the requesting user may see: anything else "does not exist".

    An operator naming another institution (or its staff member) gets the same 400 as for an
    id that exists nowhere, so the refusal confirms nothing.
    """

    def __init__(self, *, message: str, **kwargs) -> None:
        kwargs.setdefault("error_messages", {})["does_not_exist"] = message
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return scope(getattr(request, "user", None), super().get_queryset())


_ENUM_FIELDS: dict[str, type[serializers.ChoiceField]] = {}


def enum_field(
    choices: type[models.Choices], component_name: str, *, blank: bool = False, **kwargs
) -> serializers.ChoiceField:
    """A ChoiceField documented as one named enum component.

    drf-spectacular names enums by field name: `kind`s or `state`s with different choices would
    collide (a warning, which fails the schema check). One class per name: two classes behind one
    component name are a collision too. `blank` also takes (and documents) "".
    """
    field_class = _ENUM_FIELDS.get(component_name)
    if field_class is None:
        values = list(choices.values) + ([""] if blank else [])
        field_class = extend_schema_field(
            {"type": "string", "enum": values}, component_name=component_name
        )(type(f"{component_name}Field", (serializers.ChoiceField,), {}))
        _ENUM_FIELDS[component_name] = field_class
    if blank:
        kwargs.setdefault("allow_blank", True)
    return field_class(choices=kwargs.pop("choices", choices.choices), **kwargs)
