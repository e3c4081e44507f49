from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from institutions.api import (
    ApprovedPlacesViewSet,
    CareContractViewSet,
    CertificateViewSet,
    CommunityViewSet,
    FeeStandardViewSet,
    InclusiveRecognitionViewSet,
    InstitutionViewSet,
    InstructorAssignmentViewSet,
    StaffViewSet,
    StarRatingViewSet,
    TownshipViewSet,
)

from . import audit_views, views
from .api import TokenView

admin.site.site_header = settings.PORTAL_NAME
admin.site.site_title = settings.PORTAL_NAME
admin.site.index_title = "管理首页"

router = DefaultRouter()
router.register("townships", TownshipViewSet, basename="township")
router.register("communities", CommunityViewSet, basename="community")
router.register("institutions", InstitutionViewSet, basename="institution")
router.register("approved-places", ApprovedPlacesViewSet, basename="approved-places")
router.register("fee-standards", FeeStandardViewSet, basename="fee-standard")
router.register("star-ratings", StarRatingViewSet, basename="star-rating")
router.register(
    "instructor-assignments", InstructorAssignmentViewSet, basename="instructor-assignment"
)
router.register(
    "inclusive-recognitions", InclusiveRecognitionViewSet, basename="inclusive-recognition"
)
router.register("care-contracts", CareContractViewSet, basename="care-contract")
router.register("staff", StaffViewSet, basename="staff")
router.register("certificates", CertificateViewSet, basename="certificate")

api_v1 = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("", include(router.urls)),
    path("", include("institutions.reports.api_urls")),
    path("", include("inspections.api_urls")),
    path("", include("vouchers.api_urls")),
    path("", include("metrics.api_urls")),
]

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False), name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/audit/", admin.site.admin_view(audit_views.audit_search), name="audit_search"),
    path("admin/", admin.site.urls),
    path("", include("institutions.urls")),
    path("", include("institutions.reports.urls")),
    path("", include("inspections.urls")),
    path("", include("vouchers.urls")),
    path("", include("vouchers.family_urls")),
    path("", include("metrics.urls")),
    path("api/v1/", include((api_v1, "api"), namespace="v1")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

# JSON error answers under /api/ (the schema documents them), the portal's pages elsewhere.
handler404 = "lequing_tuoyu.api.page_not_found"
handler400 = "lequing_tuoyu.api.bad_request"
