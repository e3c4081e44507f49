"""API of training (/api/v1/training/...): courses and attendance, scoped as the admin and the
pages are (portal.roles): city-wide roles read everything, operators their own staff's
attendance and every course; the bureau writes through the services."""

from __future__ import annotations

from rest_framework import mixins, serializers, viewsets

from portal.api.errors import service_errors
from portal.api.permissions import BUREAU, READERS, ScopedQuerysetMixin
from portal.roles import scope

from ..models import StaffMember
from . import services
from .models import TrainingAttendance, TrainingCourse


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
            "kind",
            "starts_on",
            "ends_on",
            "hours",
            "open_to_roles",
        ]
        read_only_fields = ["id"]


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
            fields["staff"].queryset = scope(request.user, StaffMember)
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
    """培训课程: everyone who reads the registry reads the courses; the bureau writes them."""

    model = TrainingCourse
    queryset = TrainingCourse.objects.all().order_by("-starts_on", "pk")
    serializer_class = CourseSerializer
    read_roles = READERS
    write_roles = BUREAU
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
    """培训参训记录: operators read their own staff's; the bureau writes."""

    model = TrainingAttendance
    queryset = TrainingAttendance.objects.all().order_by("course", "staff")
    serializer_class = AttendanceSerializer
    read_roles = READERS
    write_roles = BUREAU
    lookup_value_regex = r"\d+"

    def save(self, attendance):
        return services.attendance_save(attendance=attendance, actor=self.request.user)
