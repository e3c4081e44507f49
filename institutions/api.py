from rest_framework import serializers, viewsets

from lequing_tuoyu.api import ScopedQuerysetMixin
from lequing_tuoyu.roles import CITY_WIDE_ROLES, Role

from .models import Institution, Township


class TownshipSerializer(serializers.ModelSerializer):
    class Meta:
        model = Township
        fields = ["id", "code", "name", "kind", "is_urban"]


class TownshipViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    """The city's 25 townships with their NBS codes."""

    queryset = Township.objects.all()
    serializer_class = TownshipSerializer
    filterset_fields = ["kind", "is_urban"]
    pagination_class = None
    read_roles = frozenset(CITY_WIDE_ROLES | {Role.OPERATOR, Role.FAMILY})


class InstitutionSerializer(serializers.ModelSerializer):
    township_code = serializers.CharField(source="township.code", read_only=True)

    class Meta:
        model = Institution
        fields = [
            "id",
            "name",
            "credit_code",
            "kind",
            "ownership",
            "township",
            "township_code",
            "address",
            "filed_on",
            "closed_on",
        ]


class InstitutionViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    """Institutions the caller may see: all for bureau staff, their own for operators."""

    queryset = Institution.objects.select_related("township")
    serializer_class = InstitutionSerializer
    filterset_fields = ["kind", "ownership", "township"]
    ordering_fields = ["name", "filed_on"]
