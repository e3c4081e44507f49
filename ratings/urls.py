"""Star rating (星级评定): /xingji/ and below. Included in lequing_tuoyu/urls.py."""

from django.urls import path

from . import views

app_name = "ratings"

urlpatterns = [
    path("xingji/", views.application_list, name="application_list"),
    path("xingji/shenqing/", views.application_new, name="application_new"),
    path("xingji/<int:pk>/", views.application_detail, name="application_detail"),
    path("xingji/<int:pk>/ziping/", views.self_assessment, name="self_assessment"),
    path("xingji/<int:pk>/pingshen/", views.review, name="review"),
    path("xingji/<int:pk>/jueding/", views.decide, name="decide"),
    path("xingji/cailiao/<int:pk>/", views.evidence_file, name="evidence_file"),
    path("xingji/cailiao/<int:pk>/shanchu/", views.evidence_delete, name="evidence_delete"),
]
