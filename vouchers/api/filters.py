"""Filters of the voucher API. References are limited to what the caller may see, so naming
another institution is refused like an id that does not exist."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from institutions.models import Institution
from portal.api.filters import MonthFilter, scoped_queryset
from portal.personal_data import keyed_hash
from portal.validators import validate_resident_id

from .. import codes
from ..models import Enrolment, Redemption, Settlement, Voucher, VoucherApplication


def _institution_filter(**kwargs) -> filters.ModelChoiceFilter:
    return filters.ModelChoiceFilter(
        queryset=scoped_queryset(Institution), label=_("机构"), **kwargs
    )


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
