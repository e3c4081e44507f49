"""Filters of the registry's API (django-filter). References are limited to what the caller may
see, so a filter naming another institution is refused like an id that does not exist."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from portal.api.filters import scoped_queryset
from portal.personal_data import keyed_hash
from portal.validators import validate_resident_id

from ..models import (
    ApprovedPlaces,
    CareContract,
    Certificate,
    Community,
    DemonstrationUnit,
    FeeStandard,
    InclusiveRecognition,
    Institution,
    InstructorAssignment,
    StaffMember,
    StarRating,
)
from ..selectors import certificate_valid_on, employed_on
from .common import as_of_from


def _institution_filter(field_name: str = "institution") -> filters.ModelChoiceFilter:
    return filters.ModelChoiceFilter(
        field_name=field_name, queryset=scoped_queryset(Institution), label=_("机构")
    )


class CommunityFilter(filters.FilterSet):
    township_code = filters.CharFilter(field_name="township__code", label=_("镇街代码"))
    name = filters.CharFilter(lookup_expr="icontains", label=_("名称包含"))

    class Meta:
        model = Community
        fields = ["township", "township_code", "is_new", "name"]


class InstitutionFilter(filters.FilterSet):
    """Every as-of filter reads the view's `as_of` day (default today)."""

    class Filing:
        UNFILED = "unfiled"
        COUNTED = "counted"
        CLOSED = "closed"
        CHOICES = (
            (UNFILED, _("未备案")),
            (COUNTED, _("已备案在办")),
            (CLOSED, _("已注销/停办")),
        )

    name = filters.CharFilter(lookup_expr="icontains", label=_("名称包含"))
    township_code = filters.CharFilter(field_name="township__code", label=_("镇街代码"))
    inclusive = filters.BooleanFilter(field_name="is_inclusive", label=_("当日为普惠机构"))
    filing = filters.ChoiceFilter(
        choices=Filing.CHOICES,
        method="filter_filing",
        label=_("当日备案状态"),
        help_text=_(
            "unfiled 当日尚未备案；counted 当日已备案且未停办（计入统计）；closed 当日已停办。"
        ),
    )
    filed_on = filters.DateFromToRangeFilter(label=_("备案日期"))

    class Meta:
        model = Institution
        fields = ["township", "township_code", "kind", "ownership", "inclusive", "filing"]

    def filter_filing(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        as_of = as_of_from(self.request)
        if value == self.Filing.UNFILED:
            return queryset.filter(Q(filed_on__isnull=True) | Q(filed_on__gt=as_of))
        if value == self.Filing.CLOSED:
            return queryset.filter(closed_on__lte=as_of)
        return queryset.filter(is_counted=True)


class DatedFactFilter(filters.FilterSet):
    institution = _institution_filter()
    effective_from = filters.DateFromToRangeFilter(label=_("生效日期"))

    class Meta:
        fields = ["institution", "effective_from"]


class ApprovedPlacesFilter(DatedFactFilter):
    class Meta(DatedFactFilter.Meta):
        model = ApprovedPlaces


class FeeStandardFilter(DatedFactFilter):
    class Meta(DatedFactFilter.Meta):
        model = FeeStandard


class StarRatingFilter(DatedFactFilter):
    class Meta(DatedFactFilter.Meta):
        model = StarRating


class InstructorAssignmentFilter(DatedFactFilter):
    class Meta(DatedFactFilter.Meta):
        model = InstructorAssignment
        fields = [*DatedFactFilter.Meta.fields, "instructor"]


class ValidityPeriodFilter(filters.FilterSet):
    institution = _institution_filter()
    valid_from = filters.DateFromToRangeFilter(label=_("有效期起"))
    valid_on = filters.DateFilter(method="filter_valid_on", label=_("该日（含）有效"))

    class Meta:
        fields = ["institution", "valid_from", "valid_on"]

    def filter_valid_on(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.filter(valid_from__lte=value).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=value)
        )


class InclusiveRecognitionFilter(ValidityPeriodFilter):
    class Meta(ValidityPeriodFilter.Meta):
        model = InclusiveRecognition


class DemonstrationUnitFilter(ValidityPeriodFilter):
    class Meta(ValidityPeriodFilter.Meta):
        model = DemonstrationUnit
        fields = [*ValidityPeriodFilter.Meta.fields, "level"]


class CareContractFilter(ValidityPeriodFilter):
    class Meta(ValidityPeriodFilter.Meta):
        model = CareContract


class StaffFilter(filters.FilterSet):
    institution = _institution_filter()
    id_number = filters.CharFilter(
        method="filter_id_number",
        validators=[validate_resident_id],
        label=_("身份证号码"),
        help_text=_("18位号码，按加密索引精确查找。"),
    )
    employed_on = filters.DateFilter(method="filter_employed_on", label=_("该日在岗"))
    hired_on = filters.DateFromToRangeFilter(label=_("入职日期"))

    class Meta:
        model = StaffMember
        fields = ["institution", "role", "id_number", "employed_on", "hired_on"]

    def filter_id_number(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # The stored number is encrypted with a random nonce; only its keyed hash is findable.
        return queryset.filter(id_number_hash=keyed_hash(value))

    def filter_employed_on(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.filter(employed_on(value))


class CertificateFilter(filters.FilterSet):
    staff = filters.ModelChoiceFilter(queryset=scoped_queryset(StaffMember), label=_("从业人员"))
    institution = _institution_filter("staff__institution")
    valid_on = filters.DateFilter(method="filter_valid_on", label=_("该日（含）有效"))
    expires_on = filters.DateFromToRangeFilter(label=_("有效期至"))

    class Meta:
        model = Certificate
        fields = ["staff", "institution", "kind", "valid_on", "expires_on"]

    def filter_valid_on(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.filter(certificate_valid_on(value))
