"""Filters of the report API (django-filter). An institution outside the caller's scope is
refused like an id that does not exist."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from institutions.models import Institution
from portal.api.filters import MonthFilter, scoped_queryset
from portal.dates import month_end

from ..models import MonthlyReport, ParentingSession
from .common import township_filter


class MonthlyReportFilter(filters.FilterSet):
    period = MonthFilter(field_name="period", label=_("月份（YYYY-MM）"))
    state = filters.ChoiceFilter(choices=MonthlyReport.State.choices, label=_("状态"))
    township = filters.CharFilter(method="filter_township", label=_("镇街（编号或统计用区划代码）"))
    institution = filters.ModelChoiceFilter(
        queryset=scoped_queryset(Institution),
        label=_("机构"),
    )
    has_warnings = filters.BooleanFilter(method="filter_has_warnings", label=_("有预警"))

    class Meta:
        model = MonthlyReport
        fields = ["period", "state", "township", "institution", "has_warnings"]

    filter_township = township_filter("institution__township")

    def filter_has_warnings(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.exclude(warnings=[]) if value else queryset.filter(warnings=[])


class ParentingSessionFilter(filters.FilterSet):
    month = MonthFilter(method="filter_month", label=_("月份（YYYY-MM）"))
    township = filters.CharFilter(method="filter_township", label=_("镇街（编号或统计用区划代码）"))

    class Meta:
        model = ParentingSession
        fields = ["month", "township", "organiser_kind"]

    filter_township = township_filter("township")

    def filter_month(self, queryset: QuerySet, name: str, value: dt.date) -> QuerySet:
        return queryset.filter(held_on__gte=value, held_on__lte=month_end(value))
