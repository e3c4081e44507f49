"""What only the report API has: the institution a caller may file for, the township filter and
the month an export is for. The rest (permission, service errors, months) comes from portal/api."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from institutions.models import Institution
from portal.dates import parse_month
from portal.forms import MONTH_INVALID

from .. import selectors


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
        return parse_month(raw)
    except ValueError:
        message = _("请选择要导出的月份。") if not raw else MONTH_INVALID
        raise serializers.ValidationError(
            {name: [ErrorDetail(str(message), code="required" if not raw else "invalid")]}
        ) from None
