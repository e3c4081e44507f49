"""API routes for monthly reports and parenting sessions (under /api/v1/)."""

from rest_framework.routers import SimpleRouter

from .api import MonthlyReportViewSet, ParentingSessionViewSet

router = SimpleRouter()
router.register("monthly-reports", MonthlyReportViewSet, basename="monthly-report")
router.register("parenting-sessions", ParentingSessionViewSet, basename="parenting-session")

urlpatterns = router.urls
