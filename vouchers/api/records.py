"""API views of the records behind vouchers: batches, applications (bureau), enrolments
(operators and the bureau) and settlements (both). Who may do what: see views.py."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.api.permissions import BUREAU, BUREAU_ADMIN, BUREAU_AND_OPERATORS, OPERATORS
from portal.roles import Role

from .. import selectors, services
from ..models import VoucherApplication, VoucherBatch
from . import filters
from . import serializers as s
from .common import (
    BUREAU_READERS,
    READERS,
    VoucherViewSetMixin,
    api_errors,
    institution_for,
    voucher_errors,
)

# --- Batches -----------------------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(responses={201: s.VoucherBatchSerializer, **api_errors(400, 403, 422)}),
    update=extend_schema(
        responses={200: s.VoucherBatchSerializer, **api_errors(400, 403, 404, 422)}
    ),
    partial_update=extend_schema(
        responses={200: s.VoucherBatchSerializer, **api_errors(400, 403, 404, 422)}
    ),
    destroy=extend_schema(responses={204: None, **api_errors(403, 404, 422)}),
)
class VoucherBatchViewSet(VoucherViewSetMixin, viewsets.ModelViewSet):
    """发放批次: rounds limited in time and quantity."""

    serializer_class = s.VoucherBatchSerializer
    ordering_fields = ["apply_from", "name"]
    ordering = ["-apply_from", "-pk"]
    filterset_fields = ["inclusive_only"]
    read_roles = READERS | {Role.EDUCATION}
    action_roles = {"destroy": BUREAU_ADMIN}

    def get_queryset(self) -> QuerySet[VoucherBatch]:
        return selectors.batches()

    def perform_create(self, serializer) -> None:
        with voucher_errors():
            serializer.instance = services.batch_save(
                batch=VoucherBatch(**serializer.validated_data), actor=self.request.user
            )

    def perform_update(self, serializer) -> None:
        batch = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(batch, name, value)
        with voucher_errors():
            serializer.instance = services.batch_save(batch=batch, actor=self.request.user)

    def perform_destroy(self, instance: VoucherBatch) -> None:
        with voucher_errors():
            services.batch_delete(batch=instance, actor=self.request.user)


# --- Applications ------------------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(
        summary="录入申请 / Enter an application",
        request=s.VoucherApplicationCreateSerializer,
        responses={201: s.VoucherApplicationSerializer, **api_errors(400, 403, 422)},
    ),
)
class VoucherApplicationViewSet(
    VoucherViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """托育券申请, entered by bureau staff; eligibility is checked on entry, with reasons.
    Approval issues a voucher and is refused (422 quota_exhausted) once the batch is used up."""

    serializer_class = s.VoucherApplicationSerializer
    filterset_class = filters.VoucherApplicationFilter
    ordering_fields = ["applied_on", "decided_at"]
    ordering = ["-applied_on", "-pk"]
    read_roles = BUREAU_READERS
    write_roles = BUREAU

    def get_queryset(self) -> QuerySet[VoucherApplication]:
        return selectors.applications_for(self.request.user)

    def _answer(self, application: VoucherApplication, code: int = 200) -> Response:
        fresh = self.get_queryset().get(pk=application.pk)
        return Response(s.VoucherApplicationSerializer(fresh).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = s.VoucherApplicationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        common = {
            "batch": data["batch"],
            "source": VoucherApplication.Source.BUREAU,
            "actor": request.user,
            "applied_on": data.get("applied_on"),
        }
        with voucher_errors():
            if "child" in data:
                application = services.application_create(child=data["child"], **common)
            else:
                child = data["child_data"]
                guardian = child["guardian"]
                application = services.application_enter(
                    guardian_name=guardian["name"],
                    guardian_phone=guardian["phone"],
                    guardian_id_number=guardian["id_number"],
                    child_name=child["name"],
                    child_id_number=child["id_number"],
                    hukou_township=child.get("hukou_township"),
                    has_residence_permit=child["has_residence_permit"],
                    special_needs=child["special_needs"],
                    **common,
                )
        return self._answer(application, status.HTTP_201_CREATED)

    @extend_schema(
        summary="通过并发券 / Approve and issue",
        request=None,
        responses={200: s.VoucherApplicationSerializer, **api_errors(403, 404, 422)},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        application = self.get_object()
        with voucher_errors():
            services.application_approve(application=application, actor=request.user)
        return self._answer(application)

    @extend_schema(
        summary="不通过 / Reject",
        request=s.VoucherReasonSerializer,
        responses={200: s.VoucherApplicationSerializer, **api_errors(400, 403, 404, 422)},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        application = self.get_object()
        serializer = s.VoucherReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with voucher_errors():
            services.application_reject(
                application=application,
                actor=request.user,
                reason=serializer.validated_data["reason"],
            )
        return self._answer(application)

    @extend_schema(
        summary="批量审核 / Decide many",
        request=s.VoucherApplicationDecideSerializer,
        responses={200: s.VoucherApplicationDecisionSerializer, **api_errors(400, 403, 422)},
    )
    @action(detail=False, methods=["post"])
    def decide(self, request):
        """Approve or reject many at once, each on its own: one refusal (a used-up batch, an
        application already decided) does not undo the others; it is listed in `errors`."""
        serializer = s.VoucherApplicationDecideSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        ids = set(data["ids"])
        found = set(self.get_queryset().filter(pk__in=ids).values_list("pk", flat=True))
        if missing := sorted(ids - found):
            raise exceptions.ValidationError(
                {"ids": [_("申请不存在：%(ids)s") % {"ids": ", ".join(map(str, missing))}]},
                code="does_not_exist",
            )
        if not data["approve"] and not data["reason"].strip():
            with voucher_errors():
                raise services.VoucherError(_("请填写不通过的原因。"), code="reason_required")
        decided, errors = services.applications_decide_many(
            application_ids=sorted(found),
            actor=request.user,
            approve=data["approve"],
            reason=data["reason"],
        )
        return Response({"decided": decided, "errors": errors})


# --- Enrolments --------------------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(
        summary="入托登记 / Record an enrolment",
        request=s.VoucherEnrolmentCreateSerializer,
        responses={201: s.VoucherEnrolmentSerializer, **api_errors(400, 403, 422)},
    ),
)
class VoucherEnrolmentViewSet(
    VoucherViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """入托登记: a voucher child attends an institution from `start` to `end` (both included).
    The child is named by ID number together with one of their voucher codes, so an institution
    cannot enrol a child it only knows the ID number of."""

    serializer_class = s.VoucherEnrolmentSerializer
    filterset_class = filters.VoucherEnrolmentFilter
    ordering_fields = ["start", "end"]
    ordering = ["-start", "-pk"]
    write_roles = BUREAU_AND_OPERATORS

    def get_queryset(self):
        return selectors.enrolments_for(self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = s.VoucherEnrolmentCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        institution = institution_for(request.user, data.get("institution"))
        child = selectors.child_by_id_and_code(data["child_id_number"], data["voucher_code"])
        if child is None:
            raise exceptions.ValidationError(
                {"voucher_code": [_("券码与幼儿身份证号码不匹配。")]}, code="child_not_found"
            )
        with voucher_errors():
            enrolment = services.enrolment_record(
                child=child,
                institution=institution,
                start=data["start"],
                end=data.get("end"),
                actor=request.user,
            )
        fresh = self.get_queryset().get(pk=enrolment.pk)
        return Response(s.VoucherEnrolmentSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="离托 / End an enrolment",
        request=s.VoucherEnrolmentEndSerializer,
        responses={200: s.VoucherEnrolmentSerializer, **api_errors(400, 403, 404, 422)},
    )
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        enrolment = self.get_object()
        serializer = s.VoucherEnrolmentEndSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with voucher_errors():
            services.enrolment_end(
                enrolment=enrolment, end=serializer.validated_data["end"], actor=request.user
            )
        fresh = self.get_queryset().get(pk=enrolment.pk)
        return Response(s.VoucherEnrolmentSerializer(fresh).data)


# --- Settlements -------------------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(
        summary="生成结算单 / Prepare a statement",
        request=s.VoucherSettlementPrepareSerializer,
        responses={
            200: s.VoucherSettlementSerializer,
            201: s.VoucherSettlementSerializer,
            **api_errors(400, 403, 422),
        },
    ),
)
class VoucherSettlementViewSet(
    VoucherViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """结算 per institution and fee month: prepared and approved by the bureau (approval locks
    the month's redemptions), confirmed by the institution, then marked paid."""

    serializer_class = s.VoucherSettlementSerializer
    filterset_class = filters.VoucherSettlementFilter
    ordering_fields = ["month", "total"]
    ordering = ["-month", "institution_id", "pk"]
    write_roles = BUREAU
    action_roles = {"confirm": OPERATORS, "lines": READERS}

    def get_queryset(self):
        return selectors.settlements_for(self.request.user)

    def _answer(self, settlement, code: int = 200) -> Response:
        fresh = self.get_queryset().get(pk=settlement.pk)
        return Response(s.VoucherSettlementSerializer(fresh).data, status=code)

    def create(self, request, *args, **kwargs):
        """Created, or refreshed while nobody has confirmed it yet (200 when it existed)."""
        serializer = s.VoucherSettlementPrepareSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        existed = (
            self.get_queryset()
            .filter(institution=data["institution"], month=data["month"])
            .exists()
        )
        with voucher_errors():
            settlement = services.settlement_prepare(
                institution=data["institution"], month=data["month"], actor=request.user
            )
        return self._answer(settlement, status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    @extend_schema(
        summary="机构确认 / Confirm (institution)",
        request=None,
        responses={200: s.VoucherSettlementSerializer, **api_errors(403, 404, 422)},
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        settlement = self.get_object()
        with voucher_errors():
            services.settlement_confirm(settlement=settlement, actor=request.user)
        return self._answer(settlement)

    @extend_schema(
        summary="审核结算 / Approve (bureau)",
        request=None,
        responses={200: s.VoucherSettlementSerializer, **api_errors(403, 404, 422)},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Locks the month's redemptions. If a reversal changed the statement after the
        institution confirmed it, it goes back to the institution: 422 statement_changed."""
        settlement = self.get_object()
        with voucher_errors():
            services.settlement_approve(settlement=settlement, actor=request.user)
        return self._answer(settlement)

    @extend_schema(
        summary="标记已支付 / Mark paid",
        request=s.VoucherSettlementPaySerializer,
        responses={200: s.VoucherSettlementSerializer, **api_errors(400, 403, 404, 422)},
    )
    @action(detail=True, methods=["post"], url_path="mark-paid")
    def mark_paid(self, request, pk=None):
        settlement = self.get_object()
        serializer = s.VoucherSettlementPaySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with voucher_errors():
            services.settlement_mark_paid(
                settlement=settlement,
                reference=serializer.validated_data["payment_reference"],
                actor=request.user,
            )
        return self._answer(settlement)

    @extend_schema(
        summary="结算明细 / Statement lines",
        responses={200: s.RedemptionSerializer(many=True), **api_errors(404)},
        filters=False,
    )
    @action(detail=True, methods=["get"], filterset_class=None, ordering_fields=[])
    def lines(self, request, pk=None):
        """The month's active redemptions of the institution: the statement's line items."""
        settlement = self.get_object()
        lines = (
            selectors.statement_lines(settlement)
            .select_related("institution")
            .annotate(balance_after=selectors.redemption_balance_after())
            .defer("voucher__child__id_number")
        )
        page = self.paginate_queryset(lines)
        return self.get_paginated_response(s.RedemptionSerializer(page, many=True).data)
