"""API views of vouchers (/api/v1/). Thin: scope the queryset, check the input, call
vouchers/services/ with the requesting user as the actor, answer with the output serializer.

A broken voucher rule answers 422 with the rule's code (409 for `insufficient_balance`); bad
input 400; a record outside the caller's scope 404; a role that may not do it 403.

| endpoint | who |
|---|---|
| POST redemptions/ (header Idempotency-Key) | operators, for their institution |
| GET redemptions/, redemptions/{id}/ | bureau, auditors; operators their institutions' |
| POST redemptions/{id}/reverse/ | operators (their own, within 7 days), bureau |
| GET vouchers/, vouchers/{code}/ | bureau, auditors; operators: children enrolled with them |
| GET vouchers/{code}/ledger/ | bureau, auditors |
| POST vouchers/{code}/adjust/ | bureau |
| voucher-batches/ | read: bureau, auditors, education, operators; write: bureau; delete: bureau admin |
| GET voucher-applications/…; POST create, {id}/approve/, {id}/reject/, decide/ | bureau (auditors read) |
| GET voucher-enrolments/…; POST create, {id}/end/ | bureau; operators their own; auditors read |
| GET settlements/…, {id}/lines/ | bureau, auditors; operators their own |
| POST settlements/ (prepare), {id}/approve/, {id}/mark-paid/ | bureau |
| POST settlements/{id}/confirm/ | operators, their own |
| POST public/voucher-balance/ | anyone (no login), throttled |
"""

from __future__ import annotations

import re

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.permissions import BUREAU, BUREAU_AND_OPERATORS, OPERATORS
from portal.roles import is_bureau

from .. import codes, family, selectors, services
from ..models import Redemption, Voucher
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
from .records import (
    VoucherApplicationViewSet,
    VoucherBatchViewSet,
    VoucherEnrolmentViewSet,
    VoucherSettlementViewSet,
)

__all__ = [
    "PublicVoucherBalanceView",
    "RedemptionViewSet",
    "VoucherApplicationViewSet",
    "VoucherBatchViewSet",
    "VoucherEnrolmentViewSet",
    "VoucherSettlementViewSet",
    "VoucherViewSet",
]

IDEMPOTENCY_KEY = "Idempotency-Key"
_KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,100}$")  # visible ASCII, as the column holds 100


# --- Redemptions -------------------------------------------------------------------------------


def _idempotency_key(request) -> str:
    key = request.headers.get(IDEMPOTENCY_KEY)
    if key is None or not key.strip():
        raise exceptions.ParseError(
            _("请在请求头 Idempotency-Key 中提供幂等键（每笔抵扣唯一，重试时保持不变）。"),
            code="idempotency_key_required",
        )
    key = key.strip()
    if not _KEY_PATTERN.match(key):
        raise exceptions.ParseError(
            _("Idempotency-Key 应为1至100个可见ASCII字符（如UUID）。"),
            code="idempotency_key_invalid",
        )
    return key


@extend_schema_view(
    list=extend_schema(summary="抵扣记录 / Redemptions"),
    retrieve=extend_schema(
        summary="一笔抵扣 / One redemption",
        responses={200: s.RedemptionSerializer, **api_errors(404)},
    ),
)
class RedemptionViewSet(
    VoucherViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """抵扣: operators redeem vouchers against their institution's fees, idempotently."""

    serializer_class = s.RedemptionSerializer
    filterset_class = filters.RedemptionFilter
    ordering_fields = ["created_at", "fee_month", "amount"]
    ordering = ["-created_at", "-pk"]
    write_roles = OPERATORS
    action_roles = {"create": OPERATORS, "reverse": BUREAU_AND_OPERATORS}

    def get_queryset(self) -> QuerySet[Redemption]:
        # The child's name is shown masked; the ID number is not needed, so not decrypted.
        return (
            selectors.redemptions_for(self.request.user)
            .select_related("voucher__child")
            .defer("voucher__child__id_number")
        )

    @extend_schema(
        summary="抵扣 / Redeem",
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_KEY,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=True,
                description="每笔抵扣唯一（如UUID）。同一键、同一请求重放时原样返回首次结果，"
                "不重复抵扣；同一键、不同请求返回422 idempotency_key_reused。",
            )
        ],
        request=s.RedemptionCreateSerializer,
        responses={201: s.RedemptionCreatedSerializer, **api_errors(400, 403, 409, 422)},
    )
    def create(self, request, *args, **kwargs):
        key = _idempotency_key(request)
        serializer = s.RedemptionCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        institution = institution_for(request.user, data.get("institution"))
        with voucher_errors():
            result = services.redeem(
                institution=institution,
                code=data["voucher_code"],
                fee_month=data["fee_month"],
                amount=data["amount"],
                idempotency_key=key,
                actor=request.user,
            )
        if result.replayed:
            redemption = (
                Redemption.objects.select_related("voucher")
                .annotate(balance_after=selectors.redemption_balance_after())
                .get(pk=result.redemption.pk)
            )
        else:
            # Just written under the voucher's lock: its ledger entry's balance_after is the
            # voucher's balance now, so no query to read it back (the hottest write path).
            redemption = result.redemption
            redemption.balance_after = redemption.voucher.balance
        response = Response(
            s.RedemptionCreatedSerializer(redemption).data, status=status.HTTP_201_CREATED
        )
        if result.replayed:
            response["Idempotent-Replayed"] = "true"
        return response

    @extend_schema(
        summary="冲正 / Reverse a redemption",
        request=s.VoucherReasonSerializer,
        responses={200: s.RedemptionSerializer, **api_errors(400, 403, 404, 422)},
    )
    @action(detail=True, methods=["post"])
    def reverse(self, request, pk=None):
        """Operators their own institution's, within 7 days; bureau staff any, before the
        month is settled. A reason is required."""
        redemption = self.get_object()
        serializer = s.VoucherReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with voucher_errors():
            services.reverse(
                redemption=redemption,
                actor=request.user,
                reason=serializer.validated_data["reason"],
                by_bureau=is_bureau(request.user),
            )
        return Response(s.RedemptionSerializer(self.get_queryset().get(pk=redemption.pk)).data)


# --- Vouchers ----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="托育券 / Vouchers"),
    retrieve=extend_schema(
        summary="按券码查询托育券 / A voucher by its code",
        responses={200: s.VoucherDetailSerializer, **api_errors(404)},
    ),
)
class VoucherViewSet(
    VoucherViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """托育券. Looked up by code (dashes, spaces and case do not matter). Bureau staff and
    auditors see every voucher, an operator those of children enrolled with them; anyone else
    gets a 404. ID numbers and names only ever masked."""

    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    filterset_class = filters.VoucherFilter
    ordering_fields = ["issued_at", "balance", "valid_until"]
    ordering = ["-issued_at", "-pk"]
    action_roles = {
        "list": READERS,
        "retrieve": READERS,
        "ledger": BUREAU_READERS,
        "adjust": BUREAU,
    }

    def get_queryset(self) -> QuerySet[Voucher]:
        vouchers = selectors.vouchers_for(self.request.user)
        if self.action == "list":
            return vouchers.select_related("batch", "child")
        return vouchers

    def get_serializer_class(self):
        return s.VoucherSummarySerializer if self.action == "list" else s.VoucherDetailSerializer

    def get_object(self) -> Voucher:
        voucher = get_object_or_404(
            self.get_queryset(), code=codes.normalize(self.kwargs[self.lookup_field])
        )
        self.check_object_permissions(self.request, voucher)
        return voucher

    @extend_schema(
        summary="托育券流水 / A voucher's ledger",
        responses={200: s.LedgerEntrySerializer(many=True), **api_errors(404)},
        filters=False,
    )
    @action(detail=True, methods=["get"], filterset_class=None, ordering_fields=[])
    def ledger(self, request, code=None):
        """Every movement of the voucher's value, oldest first; the balance is their sum."""
        voucher = self.get_object()
        entries = voucher.ledger.select_related("institution").order_by("created_at", "pk")
        page = self.paginate_queryset(entries)
        data = s.LedgerEntrySerializer(page, many=True).data
        return self.get_paginated_response(data)

    @extend_schema(
        summary="调整余额 / Adjust the balance",
        request=s.AdjustmentSerializer,
        responses={201: s.LedgerEntrySerializer, **api_errors(400, 403, 404, 409, 422)},
    )
    @action(detail=True, methods=["post"])
    def adjust(self, request, code=None):
        """A staff correction with a reason; it cannot take the balance below zero (409)."""
        voucher = self.get_object()
        serializer = s.AdjustmentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with voucher_errors():
            entry = services.adjust(
                voucher=voucher,
                amount=serializer.validated_data["amount"],
                reason=serializer.validated_data["reason"],
                actor=request.user,
            )
        return Response(s.LedgerEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


# --- Families ----------------------------------------------------------------------------------


class PublicVoucherBalanceView(APIView):
    """托育券余额查询 for families, no login: the code plus the last six characters of the
    child's ID number. POST, so the ID digits never sit in a URL or an access log.

    Any mismatch (unknown code, malformed code, wrong suffix) answers the same 404. After 5
    failed tries for a code within an hour, every try for it answers 429 until the hour has
    passed, the right suffix included; each address may try 30 times an hour."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [family.BalanceRateThrottle]

    def throttled(self, request, wait):
        raise exceptions.Throttled(wait=wait, detail=str(family.THROTTLED_MESSAGE))

    @extend_schema(
        summary="家长查询托育券余额 / A family checks a voucher",
        request=s.PublicVoucherBalanceRequestSerializer,
        responses={200: s.PublicVoucherBalanceSerializer, **api_errors(400, 404, 429)},
        auth=[],
    )
    def post(self, request):
        serializer = s.PublicVoucherBalanceRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            result = family.check_balance(
                serializer.validated_data["code"], serializer.validated_data["id_last6"]
            )
        except family.NoMatch:
            raise exceptions.NotFound(family.NO_MATCH_MESSAGE) from None
        except family.TooManyFailures as refused:
            raise exceptions.Throttled(
                wait=refused.retry_after, detail=str(family.THROTTLED_MESSAGE)
            ) from None
        return Response(
            s.PublicVoucherBalanceSerializer(
                {
                    "status": result.status,
                    "balance": result.balance,
                    "valid_until": result.valid_until,
                    "month_remaining": result.month_remaining,
                    "history": [
                        {
                            "date": item.date,
                            "institution": item.institution,
                            "amount": item.amount,
                            "kind": item.kind,
                        }
                        for item in result.history
                    ],
                }
            ).data,
            headers={"Cache-Control": "no-store"},
        )
