from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from portal import audit_views
from portal.api.token import TokenView

from . import views

admin.site.site_header = settings.PORTAL_NAME
admin.site.site_title = settings.PORTAL_NAME
admin.site.index_title = "管理首页"

api_v1 = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("", include("institutions.api_urls")),
    path("", include("institutions.reports.api_urls")),
    path("", include("institutions.health.api_urls")),
    path("", include("institutions.inclusive.api_urls")),
    path("", include("institutions.training.api_urls")),
    path("", include("institutions.lecturers.api_urls")),
    path("", include("inspections.api_urls")),
    path("", include("vouchers.api_urls")),
    path("", include("metrics.api_urls")),
    path("", include("programme.api_urls")),
    path("", include("ratings.api_urls")),
    path("", include("subsidies.api_urls")),
]

urlpatterns = [
    path("", views.start_page, name="home"),
    path("wode/", views.role_home, name="role_home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/audit/", admin.site.admin_view(audit_views.audit_search), name="audit_search"),
    path("admin/", admin.site.urls),
    path("", include("institutions.urls")),
    path("", include("institutions.reports.urls")),
    path("", include("institutions.health.urls")),
    path("", include("institutions.inclusive.urls")),
    path("", include("institutions.training.urls")),
    path("", include("inspections.urls")),
    path("", include("vouchers.urls")),
    path("", include("vouchers.family_urls")),
    path("", include("metrics.urls")),
    path("", include("programme.urls")),
    path("", include("ratings.urls")),
    path("", include("subsidies.urls")),
    path("", include("notifications.urls")),
    path("api/v1/", include((api_v1, "api"), namespace="v1")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

# JSON error answers under /api/ (the schema documents them), the portal's pages elsewhere.
handler404 = "portal.api.errors.page_not_found"
handler400 = "portal.api.errors.bad_request"
