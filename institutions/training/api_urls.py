"""API routes of training (under /api/v1/training/)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import AttendanceViewSet, CourseViewSet, StaffHoursView

router = SimpleRouter()
router.register("training/courses", CourseViewSet, basename="training-course")
router.register("training/attendance", AttendanceViewSet, basename="training-attendance")

urlpatterns = [
    path("training/hours/", StaffHoursView.as_view(), name="training-hours"),
    *router.urls,
]
