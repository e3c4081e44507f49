"""API views of monthly reports and parenting sessions. Thin: scope the queryset, check the
input, call institutions/reports/services.py with the requesting user as the actor, answer with
the output serializer."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from portal.api.errors import service_errors
from portal.api.permissions import BUREAU, OPERATORS, READERS, ScopedQuerysetMixin
from portal.api.schema import month_parameter
from portal.roles import Role

from .. import exports, selectors, services
from ..models import MonthlyReport, ParentingSession
from . import filters
from . import serializers as s
from .common import required_month

REPORT_OUT = s.MonthlyReportSerializer
REVIEW_ACTIONS = frozenset({"accept", "return_report", "reopen", "review"})
PERIOD_PARAMETER = month_parameter("period", required=True)
XLSX_RESPONSE = {
    (200, exports.XLSX_CONTENT_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="xlsx")
}


class MonthlyReportViewSet(ScopedQuerysetMixin, viewsets.GenericViewSet):
    """月报: operators start, fill in and submit their institutions' reports for a month; bureau
    staff accept, return, reopen and export them. Each answer says why a report cannot be edited
    now (`edit_block_reason`: window not open, locked after the deadline, submitted, accepted)."""

    queryset = MonthlyReport.objects.all()
    serializer_class = s.MonthlyReportSerializer
    filterset_class = filters.MonthlyReportFilter
    ordering_fields = ["period", "first_submitted_at", "submitted_at", "state"]
    ordering = ["-period", "institution__township__sort_order", "institution__name", "pk"]
    lookup_value_regex = r"\d+"

    @property
    def read_roles(self) -> frozenset[Role]:
        return BUREAU if getattr(self, "action", None) == "export" else READERS

    @property
    def write_roles(self) -> frozenset[Role]:
        return BUREAU if getattr(self, "action", None) in REVIEW_ACTIONS else OPERATORS

    def get_queryset(self) -> QuerySet[MonthlyReport]:
        return selectors.reports_with_exception(super().get_queryset())

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def _input(self, serializer_class, data) -> dict:
        serializer = serializer_class(data=data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _answer(self, report: MonthlyReport, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=report.pk)
        return Response(self.get_serializer(fresh).data, status=status_code)

    def list(self, request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, pk=None) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        request=s.ReportStartSerializer,
        responses={201: REPORT_OUT, 200: REPORT_OUT},
        summary="开始填报某月月报（已有则返回已有的）",
    )
    def create(self, request) -> Response:
        data = self._input(s.ReportStartSerializer, request.data)
        existed = MonthlyReport.objects.filter(
            institution=data["institution"], period=data["period"]
        ).exists()
        with service_errors():
            report = services.report_get_or_start(
                institution=data["institution"], period=data["period"], actor=request.user
            )
        return self._answer(report, status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    @extend_schema(request=s.ReportFieldsSerializer, responses={200: REPORT_OUT})
    def partial_update(self, request, pk=None) -> Response:
        report = self.get_object()
        data = self._input(s.ReportFieldsSerializer, request.data)
        with service_errors():
            services.report_update(report=report, actor=request.user, **data)
        return self._answer(report)

    @extend_schema(
        request=s.ReportFieldsSerializer,
        responses={200: REPORT_OUT},
        summary="提交月报（可同时修改）；每条预警须填写预警说明",
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None) -> Response:
        report = self.get_object()
        data = self._input(s.ReportFieldsSerializer, request.data)
        with service_errors():
            services.report_submit(report=report, actor=request.user, **data)
        return self._answer(report)

    @extend_schema(request=None, responses={200: REPORT_OUT}, summary="审核通过（数据锁定）")
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None) -> Response:
        report = self.get_object()
        with service_errors():
            services.report_accept(report=report, actor=request.user)
        return self._answer(report)

    @extend_schema(
        request=s.ReasonSerializer, responses={200: REPORT_OUT}, summary="退回（须填原因）"
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_report(self, request, pk=None) -> Response:
        report = self.get_object()
        reason = self._input(s.ReasonSerializer, request.data)["reason"]
        with service_errors():
            services.report_return(report=report, actor=request.user, reason=reason)
        return self._answer(report)

    @extend_schema(
        request=s.ReasonSerializer, responses={200: REPORT_OUT}, summary="重新打开已通过的月报"
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None) -> Response:
        report = self.get_object()
        reason = self._input(s.ReasonSerializer, request.data)["reason"]
        with service_errors():
            services.report_reopen(report=report, actor=request.user, reason=reason)
        return self._answer(report)

    @extend_schema(
        request=s.ReviewSerializer,
        responses={200: s.ReviewResultSerializer},
        summary="批量审核通过或退回（逐份处理，互不影响）",
    )
    @action(detail=False, methods=["post"])
    def review(self, request) -> Response:
        data = self._input(s.ReviewSerializer, request.data)
        ids = list(dict.fromkeys(data["ids"]))
        found = set(self.get_queryset().filter(pk__in=ids).values_list("pk", flat=True))
        done, errors = services.reports_review_many(
            report_ids=[pk for pk in ids if pk in found],
            actor=request.user,
            action=data["action"],
            reason=data["reason"],
        )
        result = {
            "done": done,
            "errors": errors,
            "not_found": [pk for pk in ids if pk not in found],
        }
        return Response(s.ReviewResultSerializer(result).data)

    @extend_schema(
        parameters=[PERIOD_PARAMETER],
        responses=XLSX_RESPONSE,
        summary="导出某月全部月报（xlsx）",
        filters=True,
    )
    @action(detail=False, methods=["get"], renderer_classes=[JSONRenderer, exports.XlsxRenderer])
    def export(self, request):
        period = required_month(request, "period")
        reports = self.filter_queryset(self.get_queryset())
        return exports.monthly_reports_xlsx(reports, period=period)


class ParentingSessionViewSet(
    ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """养育照护小组活动, filed by institutions (their operators) or health centres (bureau staff).
    Operators see their own institutions' sessions."""

    queryset = ParentingSession.objects.select_related(
        "institution", "township", "facility", "community"
    )
    serializer_class = s.ParentingSessionSerializer
    filterset_class = filters.ParentingSessionFilter
    ordering_fields = ["held_on", "families_reached"]
    ordering = ["-held_on", "pk"]
    lookup_value_regex = r"\d+"
    write_roles = frozenset(BUREAU | OPERATORS)

    @property
    def read_roles(self) -> frozenset[Role]:
        return BUREAU if getattr(self, "action", None) == "export" else READERS

    def get_queryset(self) -> QuerySet[ParentingSession]:
        return (
            super()
            .get_queryset()
            .annotate(families_on_list=Count("attendance"))
            .prefetch_related("lecturers")
        )

    @extend_schema(
        request=s.ParentingSessionInputSerializer, responses={201: s.ParentingSessionSerializer}
    )
    def create(self, request) -> Response:
        serializer = s.ParentingSessionInputSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        lecturers = values.pop("lecturers", None)
        mobiles = values.pop("mobiles", None)
        with service_errors():
            session = services.parenting_session_save(
                session=ParentingSession(**values),
                lecturers=lecturers,
                facility=values.get("facility"),
                mobiles=mobiles,
                actor=request.user,
            )
        fresh = self.get_queryset().get(pk=session.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[month_parameter("month", required=True)],
        responses=XLSX_RESPONSE,
        summary="导出某月养育照护小组活动（xlsx，可按镇街）",
        filters=True,
    )
    @action(detail=False, methods=["get"], renderer_classes=[JSONRenderer, exports.XlsxRenderer])
    def export(self, request):
        period = required_month(request, "month")
        sessions = self.filter_queryset(self.get_queryset())
        return exports.parenting_sessions_xlsx(sessions, period=period)
