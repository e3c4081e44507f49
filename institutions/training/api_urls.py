"""API routes of training (under /api/v1/training/)."""

from rest_framework.routers import SimpleRouter

from .api import AttendanceViewSet, CourseViewSet

router = SimpleRouter()
router.register("training/courses", CourseViewSet, basename="training-course")
router.register("training/attendance", AttendanceViewSet, basename="training-attendance")

urlpatterns = router.urls
