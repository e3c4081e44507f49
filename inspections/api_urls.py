"""API routes for inspections (under /api/v1/)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("checklist-templates", api.ChecklistTemplateViewSet, basename="checklist-template")
router.register("inspections", api.InspectionViewSet, basename="inspection")
router.register("findings", api.FindingViewSet, basename="finding")
router.register("rectifications", api.RectificationViewSet, basename="rectification")
router.register("draws", api.RandomDrawViewSet, basename="draw")
router.register("inspection-conflicts", api.ConflictViewSet, basename="inspection-conflict")
router.register("incidents", api.IncidentViewSet, basename="incident")
router.register(
    "staff-credit-records", api.StaffCreditRecordViewSet, basename="staff-credit-record"
)

urlpatterns = [
    path("inspection-coverage/", api.CoverageView.as_view(), name="inspection-coverage"),
    path(
        "inspection-photos/<int:pk>/file/",
        api.PhotoFileView.as_view(),
        name="inspection-photo-file",
    ),
    path(
        "rectification-evidence/<int:pk>/file/",
        api.EvidenceFileView.as_view(),
        name="rectification-evidence-file",
    ),
    *router.urls,
]
