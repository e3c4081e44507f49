"""API of training (/api/v1/training/...): courses and attendance, scoped as the admin and the
pages are (portal.roles): city-wide roles read everything, operators their own staff's
attendance and every course; a training provider's users read and write their own provider's
courses and those courses' attendance; the bureau writes everything, through the services."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, serializers, viewsets

from portal.api.errors import service_errors
from portal.api.permissions import BUREAU, READERS, ScopedQuerysetMixin
from portal.roles import Role, is_bureau, scope

from ..models import StaffMember
from . import selectors, services
from .models import TrainingAttendance, TrainingCourse

TRAINING_READERS = frozenset(READERS | {Role.TRAINING_PROVIDER})
TRAINING_WRITERS = frozenset(BUREAU | {Role.TRAINING_PROVIDER})


class CourseSerializer(serializers.ModelSerializer):
    open_to_roles = serializers.ListField(
        child=serializers.ChoiceField(choices=StaffMember.Role.choices), required=False
    )

    class Meta:
        model = TrainingCourse
        fields = [
            "id",
            "name",
            "provider",
            "provider_org",
            "kind",
            "starts_on",
            "ends_on",
            "hours",
            "open_to_roles",
        ]
        read_only_fields = ["id"]
        extra_kwargs = {"provider": {"required": False}}

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["provider_org"].queryset = selectors.providers_of(request.user)
        return fields

    def validate(self, attrs):
        request = self.context.get("request")
        if request is not None and not is_bureau(request.user):
            provider = attrs.get("provider_org", getattr(self.instance, "provider_org", None))
            if provider is None:
                providers = list(selectors.providers_of(request.user)[:2])
                if len(providers) != 1:
                    raise serializers.ValidationError({"provider_org": _("请选择培训机构。")})
                attrs["provider_org"] = providers[0]
        return attrs


class AttendanceSerializer(serializers.ModelSerializer):
    class Meta:
        model = TrainingAttendance
        fields = ["id", "course", "staff", "hours", "completed", "award"]
        read_only_fields = ["id"]
        validators = []  # one per course and person: the service's full_clean names it

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            # A provider's users enter any staff member's attendance of their own courses.
            staff = StaffMember.objects.all()
            if not selectors.is_provider_user(request.user):
                staff = scope(request.user, StaffMember)
            fields["staff"].queryset = staff
            fields["course"].queryset = scope(request.user, TrainingCourse)
        return fields


class _ServiceWrites:
    def perform_create(self, serializer):
        with service_errors():
            serializer.instance = self.save(self.model(**serializer.validated_data))

    def perform_update(self, serializer):
        instance = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(instance, name, value)
        with service_errors():
            serializer.instance = self.save(instance)


class CourseViewSet(
    _ServiceWrites,
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """培训课程: everyone who reads the registry reads the courses; the bureau writes them, and a
    provider's users their own provider's."""

    model = TrainingCourse
    queryset = TrainingCourse.objects.all().order_by("-starts_on", "pk")
    serializer_class = CourseSerializer
    read_roles = TRAINING_READERS
    write_roles = TRAINING_WRITERS
    lookup_value_regex = r"\d+"

    def save(self, course):
        return services.course_save(course=course, actor=self.request.user)


class AttendanceViewSet(
    _ServiceWrites,
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """培训参训记录: operators read their own staff's; the bureau writes, and a provider's users
    for their own provider's courses."""

    model = TrainingAttendance
    queryset = TrainingAttendance.objects.all().order_by("course", "staff")
    serializer_class = AttendanceSerializer
    read_roles = TRAINING_READERS
    write_roles = TRAINING_WRITERS
    lookup_value_regex = r"\d+"

    def save(self, attendance):
        return services.attendance_save(attendance=attendance, actor=self.request.user)
