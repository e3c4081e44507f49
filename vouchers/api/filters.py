"""Filters of the voucher API. References are limited to what the caller may see, so naming
another institution is refused like an id that does not exist."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from institutions.models import Institution
from portal.personal_data import keyed_hash
from portal.roles import scope
from portal.validators import validate_resident_id

from .. import codes
from ..models import Enrolment, Redemption, Settlement, Voucher, VoucherApplication
from .common import MONTH_PATTERN


class MonthFormField(forms.CharField):
    default_error_messages = {"invalid": _("请按YYYY-MM填写月份，例如2025-03。")}

    def to_python(self, value) -> dt.date | None:
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        if not re.fullmatch(MONTH_PATTERN, value.strip()):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return dt.date(int(value[:4]), int(value[5:7]), 1)


@extend_schema_field(OpenApiTypes.STR)
class MonthFilter(filters.Filter):
    """?fee_month=YYYY-MM"""

    field_class = MonthFormField


def _institutions(request) -> QuerySet[Institution]:
    return scope(getattr(request, "user", None), Institution)


def _institution_filter(**kwargs) -> filters.ModelChoiceFilter:
    return filters.ModelChoiceFilter(queryset=_institutions, label=_("机构"), **kwargs)


class RedemptionFilter(filters.FilterSet):
    fee_month = MonthFilter(label=_("费用月份（YYYY-MM）"))
    institution = _institution_filter()
    voucher_code = filters.CharFilter(method="filter_code", label=_("券码"))

    class Meta:
        model = Redemption
        fields = ["fee_month", "institution", "status", "voucher_code"]

    def filter_code(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(voucher__code=codes.normalize(value))


class VoucherFilter(filters.FilterSet):
    child_id_number = filters.CharFilter(
        method="filter_child_id_number",
        validators=[validate_resident_id],
        label=_("幼儿身份证号码"),
        help_text=_("18位号码，按加密索引精确查找。"),
    )

    class Meta:
        model = Voucher
        fields = ["batch", "status", "child_id_number"]

    def filter_child_id_number(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # The stored number is encrypted with a random nonce; only its keyed hash is findable.
        return queryset.filter(child__id_number_hash=keyed_hash(value))


class VoucherApplicationFilter(filters.FilterSet):
    class Meta:
        model = VoucherApplication
        fields = ["batch", "state", "eligible", "source"]


class VoucherEnrolmentFilter(filters.FilterSet):
    institution = _institution_filter()
    active_on = filters.DateFilter(method="filter_active_on", label=_("该日（含）在托"))

    class Meta:
        model = Enrolment
        fields = ["institution", "active_on"]

    def filter_active_on(self, queryset: QuerySet, name: str, value: dt.date) -> QuerySet:
        return queryset.filter(start__lte=value).filter(Q(end__isnull=True) | Q(end__gte=value))


class VoucherSettlementFilter(filters.FilterSet):
    month = MonthFilter(label=_("费用月份（YYYY-MM）"))
    institution = _institution_filter()

    class Meta:
        model = Settlement
        fields = ["month", "institution", "state"]
