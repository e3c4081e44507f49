"""API of training (/api/v1/training/...): courses and attendance, scoped as the admin and the
pages are (portal.roles): city-wide roles read everything, operators their own staff's
attendance and every course; a training provider's users read and write their own provider's
courses and those courses' attendance; the bureau writes everything, through the services.
Staff's training hours per calendar year (/api/v1/training/hours/?year=) are read as the page
/peixun/xueshi/ reads them: operators their own staff's, city-wide roles everyone's."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView

from portal.api.errors import service_errors
from portal.api.permissions import BUREAU, READERS, RolePermission, ScopedQuerysetMixin
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
    # The course's days, read with the row: the calendar year its hours count in is the last's.
    course_starts_on = serializers.DateField(
        source="course.starts_on", read_only=True, label=_("开始日期")
    )
    course_ends_on = serializers.DateField(
        source="course.ends_on", read_only=True, label=_("结束日期")
    )

    class Meta:
        model = TrainingAttendance
        fields = [
            "id",
            "course",
            "course_starts_on",
            "course_ends_on",
            "staff",
            "hours",
            "completed",
            "award",
        ]
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
    queryset = TrainingAttendance.objects.select_related("course").order_by("course", "staff")
    serializer_class = AttendanceSerializer
    read_roles = TRAINING_READERS
    write_roles = TRAINING_WRITERS
    lookup_value_regex = r"\d+"

    def save(self, attendance):
        return services.attendance_save(attendance=attendance, actor=self.request.user)


class StaffHoursSerializer(serializers.Serializer):
    staff = serializers.IntegerField(label=_("从业人员"))
    name = serializers.CharField(label=_("姓名"))
    institution = serializers.IntegerField(label=_("机构"))
    institution_name = serializers.CharField(label=_("机构名称"))
    year = serializers.IntegerField(label=_("年度"))
    hours = serializers.DecimalField(max_digits=8, decimal_places=1, label=_("培训学时"))


class StaffHoursView(GenericAPIView):
    """从业人员年度培训学时: each staff member the caller sees who was employed on some day of the
    year, with the hours attended of the courses that ended in it (selectors.training_hours, one
    query per page), as /peixun/xueshi/ shows them: operators their own staff, city-wide roles
    everyone; training providers' users and other roles are refused, as on the page."""

    serializer_class = StaffHoursSerializer
    permission_classes = [RolePermission]
    read_roles = READERS
    filter_backends: list = []

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "year",
                int,
                description=_("公历年度（2000年至明年），默认今年；课程结束日期所在年度计入。"),
            )
        ],
        responses={200: StaffHoursSerializer(many=True)},
    )
    def get(self, request, *args, **kwargs):
        year = self._year()
        page = self.paginate_queryset(selectors.staff_employed_in(request.user, year))
        hours = selectors.training_hours([member.pk for member in page], year)
        rows = [
            {
                "staff": member.pk,
                "name": member.name,
                "institution": member.institution_id,
                "institution_name": member.institution.name,
                "year": year,
                "hours": hours.get(member.pk, Decimal("0")),
            }
            for member in page
        ]
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

    def _year(self) -> int:
        text = self.request.query_params.get("year")
        if text is None:
            return timezone.localdate().year
        try:
            return selectors.parse_year(text)
        except ValueError:
            raise ValidationError(
                {"year": [_("请填写2000年至明年之间的公历年份，如2026。")]}, code="invalid_year"
            ) from None
