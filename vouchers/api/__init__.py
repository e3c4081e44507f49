"""The voucher API (/api/v1/): serializers, filters and views, one module each."""

from .views import (
    PublicVoucherBalanceView,
    RedemptionViewSet,
    VoucherApplicationViewSet,
    VoucherBatchViewSet,
    VoucherEnrolmentViewSet,
    VoucherSettlementViewSet,
    VoucherViewSet,
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
