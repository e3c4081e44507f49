"""GET /api/v1/kpis/?period=YYYY-MM&area=city|<township code>"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView

from portal.api.permissions import RolePermission
from portal.api.schema import month_parameter
from portal.dates import parse_month
from portal.roles import BUREAU_ROLES, Role

from .models import CITY, Indicator, Snapshot


class SnapshotSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()

    class Meta:
        model = Snapshot
        fields = [
            "indicator",
            "name",
            "value",
            "numerator",
            "denominator",
            "target",
            "status",
            "computed_at",
        ]

    def get_name(self, obj) -> str:
        return str(Indicator(obj.indicator).label)


class KpiListView(ListAPIView):
    """The indicators of one month for the city or one township (no data: value null)."""

    serializer_class = SnapshotSerializer
    permission_classes = [RolePermission]
    read_roles = frozenset(BUREAU_ROLES | {Role.EDUCATION, Role.AUDITOR, Role.INSPECTOR})
    pagination_class = None
    filter_backends: list = []

    @extend_schema(
        parameters=[
            month_parameter("period", required=True),
            OpenApiParameter("area", str, description="city（默认）或镇街代码，如 330382114"),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        try:
            period = parse_month(self.request.query_params.get("period", ""))
        except ValueError:
            raise ValidationError(
                {"period": [_("请按 YYYY-MM 填写月份。")]}, code="invalid_period"
            ) from None
        area = self.request.query_params.get("area", CITY) or CITY
        order = {indicator: position for position, indicator in enumerate(Indicator.values)}
        rows = list(Snapshot.objects.filter(period=period, area=area))
        rows.sort(key=lambda row: order[row.indicator])
        return rows
