"""API routes of star rating (under /api/v1/)."""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("rating-criteria", api.CriteriaSetViewSet, basename="rating-criteria")
router.register("rating-applications", api.RatingApplicationViewSet, basename="rating-application")

urlpatterns = router.urls
