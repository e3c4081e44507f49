"""API of the lecturer team (/api/v1/lecturers/): the bureau reads and writes, the other
city-wide roles and health facilities' users read. Mobiles are answered masked; a write that
sends the mask back keeps the stored number."""

from __future__ import annotations

from rest_framework import mixins, serializers, viewsets

from portal.api.errors import service_errors
from portal.api.permissions import BUREAU, ScopedQuerysetMixin
from portal.personal_data import MaskedValue
from portal.roles import CITY_WIDE_ROLES, Role

from . import selectors, services
from .models import LecturerMember


class MaskedMobileField(serializers.CharField):
    def to_representation(self, value):
        return value.masked if isinstance(value, MaskedValue) else ""


class LecturerSerializer(serializers.ModelSerializer):
    mobile = MaskedMobileField(required=False, allow_blank=True, max_length=20)

    class Meta:
        model = LecturerMember
        fields = [
            "id",
            "name",
            "profession",
            "facility",
            "organisation",
            "mobile",
            "joined_on",
            "left_on",
        ]
        read_only_fields = ["id"]


class LecturerViewSet(
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """讲师团成员."""

    queryset = LecturerMember.objects.all()
    serializer_class = LecturerSerializer
    read_roles = frozenset(CITY_WIDE_ROLES | {Role.HEALTH_CENTRE})
    write_roles = BUREAU
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.team_for(self.request.user).order_by("name", "pk")

    def _save(self, member, data):
        mobile = data.pop("mobile", None)
        for name, value in data.items():
            setattr(member, name, value)
        if mobile is not None and "*" not in mobile:
            member.mobile = mobile
        with service_errors():
            return services.member_save(member=member, actor=self.request.user)

    def perform_create(self, serializer):
        serializer.instance = self._save(LecturerMember(), dict(serializer.validated_data))

    def perform_update(self, serializer):
        serializer.instance = self._save(serializer.instance, dict(serializer.validated_data))
