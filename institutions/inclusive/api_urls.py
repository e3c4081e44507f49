"""API routes of inclusive care (under /api/v1/)."""

from rest_framework.routers import SimpleRouter

from .api import SupportCaseViewSet, SupportReviewViewSet

router = SimpleRouter()
router.register("support-cases", SupportCaseViewSet, basename="support-case")
router.register("support-reviews", SupportReviewViewSet, basename="support-review")

urlpatterns = router.urls
