"""API views of the inspections app. Thin: scope the queryset, check the input, call the service."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, mixins, permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.permissions import BUREAU, BUREAU_ADMIN, OPERATORS, READERS
from portal.api.schema import month_parameter
from portal.dates import parse_month
from portal.personal_data import keyed_hash
from portal.roles import CITY_WIDE_ROLES, get_scoped_or_404, scope
from portal.uploads import file_response

from .. import services
from ..models import (
    ChecklistItem,
    ChecklistTemplate,
    ConflictOfInterest,
    DrawAssignment,
    Finding,
    Incident,
    IncidentFollowUp,
    Inspection,
    InspectionPhoto,
    InspectionResult,
    RandomDraw,
    Rectification,
    RectificationEvidence,
    StaffCreditRecord,
)
from ..selectors import (
    ROUTINE_KINDS,
    CoveragePeriods,
    coverage_by_township,
    finding_list,
)
from .common import (
    BUREAU_READERS,
    DRAW_READERS,
    REPORTERS,
    InspectionPermission,
    ScopedViewSet,
    service_errors,
)
from .serializers import (
    ChecklistTemplateSerializer,
    CompleteInputSerializer,
    ConflictSerializer,
    CoverageRowSerializer,
    DrawInputSerializer,
    FindingInputSerializer,
    FindingSerializer,
    FindingUpdateSerializer,
    FollowUpInputSerializer,
    IncidentInputSerializer,
    IncidentSerializer,
    IncidentUpdateSerializer,
    InspectionDetailSerializer,
    InspectionInputSerializer,
    InspectionSerializer,
    InspectionUpdateSerializer,
    RandomDrawSerializer,
    RectificationSerializer,
    RectifyInputSerializer,
    ResultsInputSerializer,
    ReviewInputSerializer,
    StaffCreditRecordInputSerializer,
    StaffCreditRecordSerializer,
)


class ChecklistTemplateViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """检查表: checklists by inspection kind, with weighted items grouped by area."""

    queryset = ChecklistTemplate.objects.prefetch_related(
        Prefetch("items", queryset=ChecklistItem.objects.order_by("order", "pk"))
    ).order_by("kind", "-is_active", "pk")
    serializer_class = ChecklistTemplateSerializer
    read_roles = frozenset(READERS)
    filterset_fields = ["kind", "is_active"]
    pagination_class = None


def _inspection_queryset():
    return (
        Inspection.objects.select_related("institution__township")
        .prefetch_related(Prefetch("inspectors", queryset=get_user_model().objects.only("pk")))
        .annotate(
            findings_count=Count("findings", distinct=True),
            open_findings_count=Count(
                "findings", filter=Q(findings__state__in=Finding.OPEN_STATES), distinct=True
            ),
        )
        .order_by("-inspected_on", "-pk")
    )


class InspectionViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """检查: routine, holiday joint and spot-check inspections. Inspectors and bureau staff
    create and fill them (`results`, `complete`); operators read their own."""

    queryset = Inspection.objects.all()
    serializer_class = InspectionSerializer
    filterset_fields = ["kind", "state", "outcome", "institution"]
    ordering_fields = ["inspected_on", "score"]

    def get_queryset(self):
        queryset = scope(self.request.user, _inspection_queryset())
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(
                Prefetch(
                    "results",
                    queryset=InspectionResult.objects.order_by("order", "pk").prefetch_related(
                        "photos"
                    ),
                )
            )
        return queryset

    def get_serializer_class(self):
        return InspectionDetailSerializer if self.action == "retrieve" else InspectionSerializer

    def _answer(self, inspection, code=status.HTTP_200_OK) -> Response:
        fresh = (
            self.get_queryset()
            .prefetch_related(
                Prefetch(
                    "results",
                    queryset=InspectionResult.objects.order_by("order", "pk").prefetch_related(
                        "photos"
                    ),
                )
            )
            .get(pk=inspection.pk)
        )
        return Response(
            InspectionDetailSerializer(fresh, context=self.get_serializer_context()).data,
            status=code,
        )

    @extend_schema(request=InspectionInputSerializer, responses={201: InspectionDetailSerializer})
    def create(self, request):
        data = InspectionInputSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        with service_errors():
            inspection = services.inspection_create(actor=request.user, **data.validated_data)
        return self._answer(inspection, status.HTTP_201_CREATED)

    @extend_schema(request=InspectionUpdateSerializer, responses={200: InspectionDetailSerializer})
    def partial_update(self, request, pk=None):
        inspection = self.get_object()
        data = InspectionUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        with service_errors():
            services.inspection_update(
                inspection=inspection, actor=request.user, **data.validated_data
            )
        return self._answer(inspection)

    @extend_schema(request=ResultsInputSerializer, responses={200: InspectionDetailSerializer})
    @action(detail=True, methods=["post"])
    def results(self, request, pk=None):
        """Save answers of a draft (any subset of items)."""
        inspection = self.get_object()
        data = ResultsInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answers = {
            row["id"]: {k: v for k, v in row.items() if k != "id"}
            for row in data.validated_data["results"]
        }
        with service_errors():
            services.inspection_save_results(
                inspection=inspection, actor=request.user, results=answers
            )
        return self._answer(inspection)

    @extend_schema(request=CompleteInputSerializer, responses={200: InspectionDetailSerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Lock the results; failed items become findings with their severity's deadline."""
        inspection = self.get_object()
        data = CompleteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            services.inspection_complete(
                inspection=inspection,
                actor=request.user,
                outcome=data.validated_data.get("outcome") or None,
                summary=data.validated_data.get("summary"),
            )
        return self._answer(inspection)


OVERDUE_PARAMETER = OpenApiParameter(
    "overdue", OpenApiTypes.BOOL, description="只返回已逾期（未销号且超过整改期限）的问题"
)


class FindingViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """检查发现问题 and their rectification. Operators answer (`rectify`); inspectors and bureau
    staff who are not operators of the institution verify (`review`)."""

    queryset = Finding.objects.all()
    serializer_class = FindingSerializer
    filterset_fields = ["state", "severity", "inspection"]
    ordering_fields = ["deadline", "found_on"]
    action_roles = {"rectify": OPERATORS}
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def get_queryset(self):
        today = timezone.localdate()
        queryset = (
            finding_list(self.request.user, today=today)
            .prefetch_related(
                Prefetch(
                    "rectifications",
                    queryset=Rectification.objects.order_by("submitted_at", "pk").prefetch_related(
                        "evidence"
                    ),
                )
            )
            .annotate(
                closed_on_time=ExpressionWrapper(
                    Q(state=Finding.State.CLOSED, closed_on__lte=F("deadline")),
                    output_field=BooleanField(),
                )
            )
        )
        overdue = self.request.query_params.get("overdue")
        if overdue in ("true", "1"):
            queryset = queryset.filter(is_overdue_now=True)
        elif overdue in ("false", "0"):
            queryset = queryset.filter(is_overdue_now=False)
        institution = self.request.query_params.get("institution")
        if institution and institution.isdigit():
            queryset = queryset.filter(inspection__institution_id=int(institution))
        return queryset

    def _answer(self, finding, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=finding.pk)
        return Response(
            FindingSerializer(fresh, context=self.get_serializer_context()).data, status=code
        )

    @extend_schema(
        parameters=[OVERDUE_PARAMETER, OpenApiParameter("institution", OpenApiTypes.INT)]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=FindingInputSerializer, responses={201: FindingSerializer})
    def create(self, request):
        data = FindingInputSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        with service_errors():
            finding = services.finding_create(actor=request.user, **data.validated_data)
        return self._answer(finding, status.HTTP_201_CREATED)

    @extend_schema(request=FindingUpdateSerializer, responses={200: FindingSerializer})
    def partial_update(self, request, pk=None):
        finding = self.get_object()
        data = FindingUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        with service_errors():
            services.finding_update(finding=finding, actor=request.user, **data.validated_data)
        return self._answer(finding)

    @extend_schema(
        request={"multipart/form-data": RectifyInputSerializer},
        responses={201: FindingSerializer},
    )
    @action(detail=True, methods=["post"])
    def rectify(self, request, pk=None):
        """The operator's answer: what was done, with evidence files (multipart)."""
        finding = self.get_object()
        data = RectifyInputSerializer(
            data={
                "action_taken": request.data.get("action_taken", ""),
                "evidence": request.FILES.getlist("evidence") if hasattr(request, "FILES") else [],
            }
        )
        data.is_valid(raise_exception=True)
        with service_errors():
            services.rectification_submit(
                finding=finding,
                actor=request.user,
                action_taken=data.validated_data["action_taken"],
                files=data.validated_data.get("evidence", []),
            )
        return self._answer(finding, status.HTTP_201_CREATED)

    @extend_schema(request=ReviewInputSerializer, responses={200: FindingSerializer})
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """Verify the answer: close the finding (销号) or send it back with a note."""
        finding = self.get_object()
        data = ReviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            services.rectification_review(
                finding=finding,
                actor=request.user,
                accept=data.validated_data["accept"],
                note=data.validated_data.get("note", ""),
            )
        return self._answer(finding)


class RectificationViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """整改回复: operators' answers with their evidence and the inspectors' review."""

    queryset = Rectification.objects.prefetch_related("evidence").order_by("-submitted_at", "-pk")
    serializer_class = RectificationSerializer
    filterset_fields = ["finding", "review"]


class FileView(APIView):
    """A photo or an evidence file, for whoever may see its inspection."""

    permission_classes = [permissions.IsAuthenticated]
    model = None

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        record = get_scoped_or_404(request.user, self.model, pk=pk)
        return file_response(record.file)


class PhotoFileView(FileView):
    model = InspectionPhoto


class EvidenceFileView(FileView):
    model = RectificationEvidence


class RandomDrawViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """双随机抽查: draws with their seed, pool, conflicts and result; reproducible."""

    queryset = RandomDraw.objects.prefetch_related(
        Prefetch(
            "assignments",
            queryset=DrawAssignment.objects.select_related("institution", "inspection")
            .prefetch_related(Prefetch("inspectors", queryset=get_user_model().objects.only("pk")))
            .order_by("position"),
        )
    ).order_by("-drawn_on", "-pk")
    serializer_class = RandomDrawSerializer
    read_roles = DRAW_READERS
    write_roles = BUREAU

    @extend_schema(request=DrawInputSerializer, responses={201: RandomDrawSerializer})
    def create(self, request):
        data = DrawInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            draw = services.draw_perform(actor=request.user, **data.validated_data)
        fresh = self.get_queryset().get(pk=draw.pk)
        return Response(RandomDrawSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: RandomDrawSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        draw = self.get_object()
        with service_errors():
            services.draw_publish(draw=draw, actor=request.user)
        return Response(RandomDrawSerializer(self.get_queryset().get(pk=draw.pk)).data)


class ConflictViewSet(
    ScopedViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
):
    """回避关系: inspectors who must not inspect an institution (besides its health instructor)."""

    queryset = ConflictOfInterest.objects.order_by("institution", "-valid_from")
    serializer_class = ConflictSerializer
    read_roles = BUREAU_READERS
    write_roles = BUREAU
    filterset_fields = ["inspector", "institution"]

    def perform_create(self, serializer):
        with service_errors():
            serializer.instance = services.conflict_save(
                conflict=ConflictOfInterest(**serializer.validated_data), actor=self.request.user
            )

    def perform_update(self, serializer):
        conflict = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(conflict, name, value)
        with service_errors():
            services.conflict_save(conflict=conflict, actor=self.request.user)

    def perform_destroy(self, instance):
        with service_errors():
            services.conflict_delete(conflict=instance, actor=self.request.user)


class IncidentViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """事件报告 (强制报告). Suspected harm to a child is escalated at once and cannot be
    deleted by anyone: DELETE answers 403 `incident_undeletable`."""

    queryset = (
        Incident.objects.select_related("institution")
        .prefetch_related(
            Prefetch("follow_ups", queryset=IncidentFollowUp.objects.order_by("created_at", "pk"))
        )
        .order_by("-occurred_at", "-pk")
    )
    serializer_class = IncidentSerializer
    write_roles = REPORTERS
    action_roles = {"destroy": BUREAU_ADMIN}
    filterset_fields = ["kind", "state", "institution"]

    def _answer(self, incident, code=status.HTTP_200_OK) -> Response:
        return Response(
            IncidentSerializer(self.get_queryset().get(pk=incident.pk)).data, status=code
        )

    @extend_schema(request=IncidentInputSerializer, responses={201: IncidentSerializer})
    def create(self, request):
        data = IncidentInputSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        with service_errors():
            incident = services.incident_report(actor=request.user, **data.validated_data)
        return self._answer(incident, status.HTTP_201_CREATED)

    @extend_schema(request=IncidentUpdateSerializer, responses={200: IncidentSerializer})
    def partial_update(self, request, pk=None):
        incident = self.get_object()
        data = IncidentUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        with service_errors():
            services.incident_update(incident=incident, actor=request.user, **data.validated_data)
        return self._answer(incident)

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        # DRF's lookup, not Django's: an id that is not a number is a 404, not a ValueError.
        incident = generics.get_object_or_404(scope(request.user, Incident), pk=pk)
        # Nobody deletes harm to a child: the refusal does not depend on the caller's role.
        if incident.is_harm:
            raise exceptions.PermissionDenied(
                detail=" ".join(services.IncidentUndeletable().messages),
                code="incident_undeletable",
            )
        self.check_object_permissions(request, incident)
        with service_errors():
            services.incident_delete(incident=incident, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=FollowUpInputSerializer, responses={201: IncidentSerializer})
    @action(detail=True, methods=["post"], url_path="follow-up")
    def follow_up(self, request, pk=None):
        incident = self.get_object()
        data = FollowUpInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            services.incident_follow_up(
                incident=incident, actor=request.user, **data.validated_data
            )
        return self._answer(incident, status.HTTP_201_CREATED)


class StaffCreditRecordViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """从业人员信用记录 (bureau staff): a disqualifying finding against a person, found by the
    keyed hash of the ID number. `?id_number=` finds a person's records."""

    queryset = StaffCreditRecord.objects.order_by("-recorded_on", "-pk")
    serializer_class = StaffCreditRecordSerializer
    read_roles = BUREAU_READERS
    write_roles = BUREAU

    @extend_schema(parameters=[OpenApiParameter("id_number", OpenApiTypes.STR)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        queryset = super().get_queryset()
        number = self.request.query_params.get("id_number")
        if number:
            queryset = queryset.filter(id_number_hash=keyed_hash(number))
        return queryset

    @extend_schema(
        request=StaffCreditRecordInputSerializer, responses={201: StaffCreditRecordSerializer}
    )
    def create(self, request):
        data = StaffCreditRecordInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            record = services.staff_credit_record_create(actor=request.user, **data.validated_data)
        return Response(StaffCreditRecordSerializer(record).data, status=status.HTTP_201_CREATED)


class CoverageView(APIView):
    """Counted institutions and those with a completed patrol (the month), guidance (its
    quarter) and annual inspection (its year), by township."""

    permission_classes = [permissions.IsAuthenticated, InspectionPermission]
    read_roles = CITY_WIDE_ROLES

    @extend_schema(
        parameters=[month_parameter("month", description="YYYY-MM，默认本月")],
        responses={200: CoverageRowSerializer(many=True)},
    )
    def get(self, request):
        day = timezone.localdate()
        raw = request.query_params.get("month")
        if raw:
            try:
                day = parse_month(raw)
            except ValueError:
                raise serializers.ValidationError({"month": [_("月份格式为 YYYY-MM。")]}) from None
        rows = coverage_by_township(CoveragePeriods(day))
        data = [
            {
                "township": row.key.pk,
                "township_name": row.key.name,
                "counted": row.counted,
                **{f"{kind}_done": row.done[kind] for kind in ROUTINE_KINDS},
            }
            for row in rows
        ]
        return Response(CoverageRowSerializer(data, many=True).data)
