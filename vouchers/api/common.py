"""Pieces the voucher API shares: role permission per action, voucher rules as HTTP answers,
month and masked-value fields, and one institution chosen for an operator."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema_field
from rest_framework import exceptions, permissions, serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.settings import api_settings

from institutions.models import Institution
from portal.api import ErrorDocumentingAutoSchema
from portal.personal_data import MaskedValue
from portal.roles import BUREAU_ROLES, Role, can_write, user_roles
from portal.validators import mask_name

from ..services import VoucherError

BUREAU = frozenset(BUREAU_ROLES)
OPERATORS = frozenset({Role.OPERATOR})
BUREAU_AND_OPERATORS = BUREAU | OPERATORS
# Who reads voucher records: the bureau, auditors, and operators (their own institutions').
READERS = frozenset(BUREAU | {Role.AUDITOR, Role.OPERATOR})
BUREAU_READERS = frozenset(BUREAU | {Role.AUDITOR})
BUREAU_ADMIN = frozenset({Role.BUREAU_ADMIN})

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"


# --- Permission --------------------------------------------------------------------------------


class VoucherPermission(permissions.BasePermission):
    """Roles per action: `view.action_roles[action]`, else `read_roles` for safe methods and
    `write_roles` for the others. Auditors and education staff never write, whatever other
    role they also hold. An object outside the caller's scope is a 404 (the querysets), never
    a 403."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        safe = request.method in permissions.SAFE_METHODS
        roles = getattr(view, "action_roles", {}).get(getattr(view, "action", None))
        if roles is None:
            roles = getattr(view, "read_roles", READERS) if safe else view.write_roles
        if not (user.is_superuser or user_roles(user) & set(roles)):
            return False
        return safe or can_write(user)


class VoucherViewSetMixin:
    """Signed in, and the roles of `VoucherPermission`; views set the roles."""

    permission_classes = [permissions.IsAuthenticated, VoucherPermission]
    schema = ErrorDocumentingAutoSchema()
    read_roles = READERS
    write_roles = BUREAU
    action_roles: dict = {}


# --- Voucher rules as answers ------------------------------------------------------------------


class VoucherApiErrorSerializer(serializers.Serializer):
    """Every error: a machine code, a readable message, and field errors when there are some."""

    code = serializers.CharField()
    detail = serializers.CharField()
    errors = serializers.DictField(required=False)


_ERROR_DESCRIPTIONS = {
    400: _("请求格式有误（字段错误、缺少 Idempotency-Key 等）。"),
    403: _("当前角色无权执行此操作。"),
    404: _("记录不存在，或不在您的权限范围内。"),
    409: _("余额不足（code = insufficient_balance）。"),
    422: _("不符合托育券规则，code 为规则名称。"),
    429: _("请求过于频繁。"),
}


def api_errors(*status_codes: int) -> dict:
    """extend_schema responses for the error answers an endpoint gives."""
    return {
        code: OpenApiResponse(VoucherApiErrorSerializer, description=str(_ERROR_DESCRIPTIONS[code]))
        for code in status_codes
    }


class RuleBroken(exceptions.APIException):
    """A voucher rule refused the request: 422 with the rule's code."""

    status_code = 422
    default_code = "rule_broken"
    default_detail = _("该操作不符合托育券规则。")


class InsufficientBalance(RuleBroken):
    status_code = 409
    default_code = "insufficient_balance"


def rule_error(error: VoucherError) -> RuleBroken:
    code = error.code or RuleBroken.default_code
    error_class = InsufficientBalance if code == "insufficient_balance" else RuleBroken
    return error_class(detail="".join(error.messages), code=code)


def _field_errors(error: DjangoValidationError) -> dict:
    """Django's errors with their codes (the project's handler would keep only messages)."""

    def details(errors) -> list[ErrorDetail]:
        return [
            ErrorDetail(
                str(e.message % e.params if e.params else e.message), code=e.code or "invalid"
            )
            for e in errors
        ]

    if not hasattr(error, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: details(error.error_list)}
    return {
        (api_settings.NON_FIELD_ERRORS_KEY if name == NON_FIELD_ERRORS else name): details(errors)
        for name, errors in error.error_dict.items()
    }


@contextmanager
def voucher_errors() -> Iterator[None]:
    """Run a service: a broken voucher rule answers 409 (insufficient balance) or 422 with its
    code; any other validation error (an ID number, a date order) 400 with field errors."""
    try:
        yield
    except VoucherError as error:
        raise rule_error(error) from error
    except DjangoValidationError as error:
        raise serializers.ValidationError(_field_errors(error)) from error


# --- Fields ------------------------------------------------------------------------------------


@extend_schema_field({"type": "string", "pattern": MONTH_PATTERN, "example": "2025-03"})
class MonthField(serializers.Field):
    """A fee month as "YYYY-MM" (stored as its first day)."""

    default_error_messages = {"invalid": _("请按YYYY-MM填写月份，例如2025-03。")}

    def to_internal_value(self, data) -> dt.date:
        text = str(data).strip()
        if not re.fullmatch(MONTH_PATTERN, text):
            self.fail("invalid")
        try:
            return dt.date(int(text[:4]), int(text[5:7]), 1)
        except ValueError:  # year 0000, which the pattern lets through
            self.fail("invalid")

    def to_representation(self, value: dt.date) -> str:
        return f"{value:%Y-%m}"


@extend_schema_field({"type": "string", "readOnly": True, "example": "王**"})
class MaskedField(serializers.Field):
    """Personal data (a name, a phone or an ID number) as its mask, always."""

    def __init__(self, **kwargs) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value) -> str:
        if isinstance(value, MaskedValue):
            return value.masked
        return mask_name(value)


_ENUM_FIELDS: dict[str, type[serializers.ChoiceField]] = {}


def enum_field(choices: type[models.TextChoices], component_name: str, **kwargs):
    """A ChoiceField documented as one named enum (spectacular would name every `status`
    enum StatusEnum, a collision that fails the schema check). One class per name: two
    classes behind one component name are a collision too."""
    field_class = _ENUM_FIELDS.get(component_name)
    if field_class is None:
        schema = {"type": "string", "enum": list(choices.values)}
        field_class = extend_schema_field(schema, component_name=component_name)(
            type(f"{component_name}Field", (serializers.ChoiceField,), {})
        )
        _ENUM_FIELDS[component_name] = field_class
    return field_class(choices=choices.choices, **kwargs)


@extend_schema_field(OpenApiTypes.INT)
class OwnInstitutionField(serializers.PrimaryKeyRelatedField):
    """An institution the caller may act for; any other is refused exactly like an id that
    exists nowhere, so the refusal confirms nothing."""

    default_error_messages = {"does_not_exist": _("机构不存在，或您无权为该机构办理。")}

    def get_queryset(self) -> QuerySet[Institution]:
        request = self.context.get("request")
        return acting_institutions(getattr(request, "user", None))


def acting_institutions(user) -> QuerySet[Institution]:
    """Operators act for the institutions they are linked to; the bureau for any."""
    if user is None or not user.is_authenticated:
        return Institution.objects.none()
    if user.is_superuser or user_roles(user) & BUREAU:
        return Institution.objects.all()
    return Institution.objects.filter(operators=user)


def institution_for(user, chosen: Institution | None) -> Institution:
    """The institution named in the request, or the caller's only one."""
    if chosen is not None:
        return chosen
    linked = list(Institution.objects.filter(operators=user).only("pk", "name")[:2])
    if len(linked) == 1:
        return linked[0]
    raise serializers.ValidationError(
        {
            "institution": [
                ErrorDetail(
                    str(_("您关联了多个机构（或未关联机构），请指定机构。")),
                    code="institution_required",
                )
            ]
        }
    )
