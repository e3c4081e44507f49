"""The project's URLs plus the families' voucher page, until lequing_tuoyu/urls.py includes it
(and harmlessly once it does)."""

from django.urls import include, path

from lequing_tuoyu.urls import urlpatterns as project_urlpatterns

urlpatterns = list(project_urlpatterns)
if not any(getattr(p, "namespace", None) == "voucher_family" for p in urlpatterns):
    urlpatterns.append(path("", include("vouchers.family_urls")))
