"""API routes of subsidies (under /api/v1/)."""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("subsidy-lines", api.SubsidyLineViewSet, basename="subsidy-line")

urlpatterns = router.urls
