"""API routes of medical–childcare integration (under /api/v1/health/)."""

from rest_framework.routers import SimpleRouter

from .api import (
    ContractServiceViewSet,
    FacilityViewSet,
    GuidanceViewSet,
    HealthSessionViewSet,
    ScreeningViewSet,
)

router = SimpleRouter()
router.register("health/facilities", FacilityViewSet, basename="health-facility")
router.register("health/sessions", HealthSessionViewSet, basename="health-session")
router.register("health/guidance-visits", GuidanceViewSet, basename="guidance-visit")
router.register("health/screenings", ScreeningViewSet, basename="screening")
router.register("health/contract-services", ContractServiceViewSet, basename="contract-service")

urlpatterns = router.urls
