"""API routes for vouchers (under /api/v1/)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import (
    PublicVoucherBalanceView,
    RedemptionViewSet,
    VoucherApplicationViewSet,
    VoucherBatchViewSet,
    VoucherEnrolmentViewSet,
    VoucherSettlementViewSet,
    VoucherViewSet,
)
from .statements.api import FeeStatementViewSet

router = SimpleRouter()
router.register("redemptions", RedemptionViewSet, basename="redemption")
router.register("vouchers", VoucherViewSet, basename="voucher")
router.register("voucher-batches", VoucherBatchViewSet, basename="voucher-batch")
router.register("voucher-applications", VoucherApplicationViewSet, basename="voucher-application")
router.register("voucher-enrolments", VoucherEnrolmentViewSet, basename="voucher-enrolment")
router.register("settlements", VoucherSettlementViewSet, basename="settlement")
router.register("fee-statements", FeeStatementViewSet, basename="fee-statement")

urlpatterns = [
    path(
        "public/voucher-balance/",
        PublicVoucherBalanceView.as_view(),
        name="public-voucher-balance",
    ),
    *router.urls,
]
