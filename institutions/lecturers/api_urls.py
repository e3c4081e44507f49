"""API routes of the lecturer team (under /api/v1/)."""

from rest_framework.routers import SimpleRouter

from .api import LecturerViewSet

router = SimpleRouter()
router.register("lecturers", LecturerViewSet, basename="lecturer")

urlpatterns = router.urls
