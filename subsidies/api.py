"""API of subsidy lines (under /api/v1/): read-only; an operator's caller sees only its own
institutions' lines (another's is a 404), the bureau and auditors every line."""

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from rest_framework import mixins, serializers, viewsets

from institutions.models import Institution
from portal.api.fields import MonthField
from portal.api.filters import MonthFilter, scoped_queryset
from portal.api.permissions import BUREAU, OPERATORS, ScopedQuerysetMixin
from portal.roles import Role

from .models import SubsidyLine


class SubsidyLineSerializer(serializers.ModelSerializer):
    institution_name = serializers.CharField(source="institution.name", read_only=True)
    scheme_name = serializers.CharField(source="scheme.name", read_only=True)
    state = serializers.CharField(source="subsidy_month.state", read_only=True)
    month = MonthField(read_only=True)

    class Meta:
        model = SubsidyLine
        fields = [
            "id",
            "institution",
            "institution_name",
            "scheme",
            "scheme_name",
            "month",
            "amount",
            "explanation",
            "state",
        ]


class SubsidyLineFilter(filters.FilterSet):
    month = MonthFilter(label=_("月份（YYYY-MM）"))
    institution = filters.ModelChoiceFilter(queryset=scoped_queryset(Institution), label=_("机构"))

    class Meta:
        model = SubsidyLine
        fields = ["month", "institution", "scheme"]


class SubsidyLineViewSet(
    ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """补助明细: what each institution receives under a scheme for a month, and how."""

    queryset = SubsidyLine.objects.select_related(
        "institution", "scheme", "subsidy_month"
    ).order_by("-month", "institution_id", "pk")
    serializer_class = SubsidyLineSerializer
    read_roles = frozenset(BUREAU | OPERATORS | {Role.AUDITOR})
    write_roles = frozenset()
    filterset_class = SubsidyLineFilter
