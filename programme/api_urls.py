"""API routes of the pilot programme (under /api/v1/)."""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("programme-tasks", api.TaskViewSet, basename="programme-task")
router.register("programme-updates", api.ProgressUpdateViewSet, basename="programme-update")
router.register("programme-funds", api.FundViewSet, basename="programme-fund")
router.register("programme-catalogue", api.CatalogueViewSet, basename="programme-catalogue")

urlpatterns = router.urls
