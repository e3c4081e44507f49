"""API of medical–childcare integration (/api/v1/health/...): facilities, health facilities'
sessions with attendance lists, guidance visits and monthly screening figures. Scoped as the
pages are (portal.roles); a write names a facility the caller acts for (selectors.acting_facilities),
else it is refused. Attendance lists are written, never read back: an answer gives the number of
families on the list."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from portal.api.errors import service_errors
from portal.api.fields import MonthField
from portal.api.permissions import BUREAU, READERS, ScopedQuerysetMixin
from portal.roles import CITY_WIDE_ROLES, Role, scope

from ..models import CareContract, Community, Institution, LecturerMember, ParentingSession
from . import selectors, services
from .fields import MobilesListField as MobilesField
from .models import (
    GUIDANCE_TOPICS,
    ContractServiceMonth,
    GuidanceVisit,
    HealthFacility,
    ScreeningMonth,
)

HEALTH_READERS = frozenset(READERS | {Role.HEALTH_CENTRE})
HEALTH_WRITERS = frozenset(BUREAU | {Role.HEALTH_CENTRE})


class FacilitySerializer(serializers.ModelSerializer):
    class Meta:
        model = HealthFacility
        fields = ["id", "name", "level", "kind", "township"]


class HealthSessionSerializer(serializers.ModelSerializer):
    families_on_list = serializers.IntegerField(read_only=True, label=_("签到名单家庭数"))

    class Meta:
        model = ParentingSession
        fields = [
            "id",
            "facility",
            "held_on",
            "topic",
            "venue",
            "community",
            "township",
            "families_reached",
            "families_on_list",
            "lecturers",
        ]
        read_only_fields = fields


class HealthSessionInputSerializer(serializers.Serializer):
    facility = serializers.PrimaryKeyRelatedField(queryset=HealthFacility.objects.all())
    held_on = serializers.DateField()
    topic = serializers.CharField(max_length=200)
    venue = serializers.ChoiceField(choices=ParentingSession.Venue.choices)
    community = serializers.PrimaryKeyRelatedField(
        queryset=Community.objects.all(), required=False, allow_null=True
    )
    families_reached = serializers.IntegerField(min_value=0, required=False)
    mobiles = MobilesField(required=False, write_only=True, label=_("签到家长手机号码"))
    lecturers = serializers.PrimaryKeyRelatedField(
        many=True, queryset=LecturerMember.objects.all(), required=False, label=_("主讲讲师")
    )

    def validate(self, attrs):
        if not attrs.get("mobiles") and attrs.get("families_reached") is None:
            raise serializers.ValidationError(
                {"families_reached": _("请填写参与家庭数，或提供签到名单。")}
            )
        return attrs


class AttendanceInputSerializer(serializers.Serializer):
    mobiles = MobilesField(allow_empty=True, label=_("签到家长手机号码"))


def _require_acting(request, facility: HealthFacility) -> None:
    if not selectors.acting_facilities(request.user).filter(pk=facility.pk).exists():
        raise PermissionDenied(_("只能为本机构登记。"))


class FacilityViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    """医疗卫生机构: city-wide roles see every one, a facility's users their own."""

    queryset = HealthFacility.objects.all().order_by("level", "name")
    serializer_class = FacilitySerializer
    read_roles = HEALTH_READERS
    lookup_value_regex = r"\d+"


class HealthSessionViewSet(
    ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """卫生院/社区卫生服务中心的养育照护小组活动, with their attendance lists (write-only)."""

    queryset = ParentingSession.objects.filter(facility__isnull=False).order_by("-held_on", "-pk")
    serializer_class = HealthSessionSerializer
    read_roles = HEALTH_READERS
    write_roles = HEALTH_WRITERS
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .annotate(families_on_list=Count("attendance"))
            .prefetch_related("lecturers")
        )

    @extend_schema(request=HealthSessionInputSerializer, responses={201: HealthSessionSerializer})
    def create(self, request) -> Response:
        data = HealthSessionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        facility = values.pop("facility")
        _require_acting(request, facility)
        mobiles = values.pop("mobiles", None)
        lecturers = values.pop("lecturers", None)
        values.setdefault("families_reached", 0)
        with service_errors():
            session = services.health_session_save(
                session=ParentingSession(**values),
                facility=facility,
                mobiles=mobiles,
                lecturers=lecturers,
                actor=request.user,
            )
        fresh = self.get_queryset().get(pk=session.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AttendanceInputSerializer, responses={200: HealthSessionSerializer})
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None) -> Response:
        session = self.get_object()
        if (
            not session.facility
            or not selectors.acting_facilities(request.user).filter(pk=session.facility_id).exists()
        ):
            raise PermissionDenied(_("只能修改本机构活动的签到名单。"))
        data = AttendanceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            services.attendance_replace(
                session=session, mobiles=data.validated_data["mobiles"], actor=request.user
            )
        return Response(self.get_serializer(self.get_queryset().get(pk=session.pk)).data)


class GuidanceSerializer(serializers.ModelSerializer):
    topics = serializers.ListField(
        child=serializers.ChoiceField(choices=GUIDANCE_TOPICS), allow_empty=False
    )

    class Meta:
        model = GuidanceVisit
        fields = [
            "id",
            "facility",
            "institution",
            "instructor",
            "visited_on",
            "mode",
            "topics",
            "advice",
            "follow_up",
            "follow_up_by",
        ]
        read_only_fields = ["id"]
        extra_kwargs = {
            "instructor": {
                "required": False,
                "help_text": _(
                    "该托育机构在指导日期的健康指导员，或所选医疗卫生机构的用户；不填时为当前用户。"
                ),
            }
        }

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            institutions = scope(request.user, Institution, facility_links=True)
            fields["institution"].queryset = institutions
            fields["instructor"].queryset = selectors.instructor_candidates(
                selectors.acting_facilities(request.user), institutions
            )
        return fields


class GuidanceViewSet(
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """健康指导记录: a facility's users record their instructors' visits at linked institutions;
    operators read their own institutions'. `instructor` defaults to the caller; who keys the
    visit is kept as its `created_by`."""

    queryset = GuidanceVisit.objects.all().order_by("-visited_on", "-pk")
    serializer_class = GuidanceSerializer
    read_roles = HEALTH_READERS
    write_roles = HEALTH_WRITERS
    lookup_value_regex = r"\d+"

    def perform_create(self, serializer):
        _require_acting(self.request, serializer.validated_data["facility"])
        values = {"instructor": self.request.user, **serializer.validated_data}
        with service_errors():
            serializer.instance = services.guidance_save(
                visit=GuidanceVisit(**values), actor=self.request.user
            )


class ScreeningSerializer(serializers.ModelSerializer):
    period = MonthField(label=_("月份"))

    class Meta:
        model = ScreeningMonth
        fields = [
            "id",
            "facility",
            "period",
            "development_screenings",
            "risk_assessments",
            "positive_cases",
            "home_visits",
        ]
        read_only_fields = ["id"]
        validators = []  # one row per facility and month: a second entry corrects the first


class ScreeningViewSet(
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """月度筛查数据: counts only; posting a facility's month again corrects it."""

    queryset = ScreeningMonth.objects.all().order_by("-period", "facility")
    serializer_class = ScreeningSerializer
    read_roles = frozenset(CITY_WIDE_ROLES | {Role.HEALTH_CENTRE})  # no institution's record
    write_roles = HEALTH_WRITERS
    lookup_value_regex = r"\d+"

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        facility = data.pop("facility")
        _require_acting(self.request, facility)
        period = data.pop("period")
        with service_errors():
            serializer.instance = services.screening_save(
                facility=facility, period=period, figures=data, actor=self.request.user
            )


class ContractServiceSerializer(serializers.ModelSerializer):
    period = MonthField(label=_("月份"))

    class Meta:
        model = ContractServiceMonth
        fields = [
            "id",
            "contract",
            "period",
            "health_education",
            "vaccination_checks",
            "growth_monitoring",
            "notes",
        ]
        read_only_fields = ["id"]
        validators = []  # one row per contract and month: a second entry corrects the first

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["contract"].queryset = scope(request.user, CareContract)
        return fields


class ContractServiceViewSet(
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """签约服务记录: what a facility delivered under a "1+1" contract in a month (counts only);
    posting a contract's month again corrects it. Operators read their institutions'."""

    queryset = ContractServiceMonth.objects.all().order_by("-period", "contract")
    serializer_class = ContractServiceSerializer
    read_roles = HEALTH_READERS
    write_roles = HEALTH_WRITERS
    lookup_value_regex = r"\d+"

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        contract = data.pop("contract")
        if contract.facility is None:
            raise PermissionDenied(_("只能为本机构登记。"))
        _require_acting(self.request, contract.facility)
        period, notes = data.pop("period"), data.pop("notes", "")
        with service_errors():
            serializer.instance = services.contract_service_save(
                contract=contract, period=period, figures=data, notes=notes, actor=self.request.user
            )
