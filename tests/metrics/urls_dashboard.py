"""The project's URLs plus the indicator pages, until metrics.urls is included in
lequing_tuoyu/urls.py (tests use it with override_settings(ROOT_URLCONF=...))."""

from django.urls import include, path

from lequing_tuoyu.urls import urlpatterns as project_urlpatterns

urlpatterns = [path("", include("metrics.urls")), *project_urlpatterns]
