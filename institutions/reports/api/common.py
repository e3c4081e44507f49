"""Pieces the report API shares: roles, the permission, service errors as 400s with their codes,
months as "YYYY-MM", the institution a caller may file for, the township filter."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import permissions, serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.settings import api_settings

from institutions.models import Institution
from portal.api import RolePermission
from portal.dates import parse_period
from portal.roles import BUREAU_ROLES, CITY_WIDE_ROLES, Role, can_write

from .. import selectors

READERS = frozenset(CITY_WIDE_ROLES | {Role.OPERATOR})
BUREAU = frozenset(BUREAU_ROLES)
OPERATORS = frozenset({Role.OPERATOR})
MONTH_PATTERN = r"^\d{4}-\d{2}$"
MONTH_INVALID = _("请按YYYY-MM填写月份，例如2025-03。")


class ReportPermission(RolePermission):
    """`RolePermission` (views set read_roles and write_roles per action), and read-only roles
    never write whatever other role they also hold."""

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        return request.method in permissions.SAFE_METHODS or can_write(request.user)


def _error_detail(error: DjangoValidationError) -> dict:
    # The services attach one code to a whole error (ValidationError({...}, code=...)); Django
    # keeps it only in `args`, so each message without a code of its own is given it.
    code = getattr(error, "code", None) or (error.args[1] if len(error.args) > 1 else None)

    def details(errors) -> list[ErrorDetail]:
        return [
            ErrorDetail(
                str(e.message % e.params if e.params else e.message),
                code=e.code or code or "invalid",
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
def service_errors() -> Iterator[None]:
    """A service's domain error becomes a 400 {code, detail, errors} with the service's codes
    (rest.py's handler would drop them: it converts through `message_dict`)."""
    try:
        yield
    except DjangoValidationError as error:
        raise serializers.ValidationError(_error_detail(error)) from error


def _parse_month(text: str) -> dt.date:
    if not re.fullmatch(MONTH_PATTERN, text.strip()):
        raise ValueError(text)
    return parse_period(text.strip())


@extend_schema_field({"type": "string", "pattern": MONTH_PATTERN, "example": "2025-03"})
class MonthField(serializers.Field):
    """A month as "YYYY-MM" (stored as its first day)."""

    default_error_messages = {"invalid": MONTH_INVALID}

    def to_internal_value(self, data) -> dt.date:
        try:
            return _parse_month(str(data))
        except ValueError:
            self.fail("invalid")

    def to_representation(self, value: dt.date) -> str:
        return f"{value:%Y-%m}"


class MonthFormField(forms.CharField):
    default_error_messages = {"invalid": MONTH_INVALID}

    def to_python(self, value) -> dt.date | None:
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return _parse_month(value)
        except ValueError:
            raise DjangoValidationError(self.error_messages["invalid"], code="invalid") from None


@extend_schema_field(OpenApiTypes.STR)
class MonthFilter(filters.Filter):
    field_class = MonthFormField


@extend_schema_field(OpenApiTypes.INT)
class ReportableInstitutionField(serializers.PrimaryKeyRelatedField):
    """An institution the caller may file for; any other is refused exactly like an id that
    exists nowhere, so the refusal confirms nothing."""

    default_error_messages = {"does_not_exist": _("该机构不存在，或您无权为其填报。")}

    def get_queryset(self) -> QuerySet[Institution]:
        request = self.context.get("request")
        return selectors.reportable_institutions(getattr(request, "user", None))


def township_filter(path: str):
    """A FilterSet method matching the township at `path` by its id or its statistical code."""

    def method(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        condition = Q(**{f"{path}__code": value})
        if value.isdigit() and len(value) <= 9:  # an id fits in an integer column; a code may not
            condition |= Q(**{f"{path}_id": int(value)})
        return queryset.filter(condition)

    return method


def required_month(request, name: str) -> dt.date:
    """The month a download is for: required, so an export is never every month at once."""
    raw = request.query_params.get(name, "")
    try:
        return _parse_month(raw)
    except ValueError:
        message = _("请选择要导出的月份。") if not raw else MONTH_INVALID
        raise serializers.ValidationError(
            {name: [ErrorDetail(str(message), code="required" if not raw else "invalid")]}
        ) from None
