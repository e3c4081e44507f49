"""Pages of the inspections app (included at "" by the root URLconf)."""

from django.urls import path

from . import views

app_name = "inspections"

urlpatterns = [
    # Public results (一公开): no login.
    path("gongshi/jiancha/", views.public_results, name="public_results"),
    # Concerns from the public (no login): about a listed institution, and following one.
    path("gongshi/fanying/chaxun/", views.concern_follow, name="concern_follow"),
    path("gongshi/fanying/<int:pk>/", views.concern_new, name="concern_new"),
    path(
        "gongshi/jiancha/chouqian/<int:pk>.json",
        views.public_draw_json,
        name="public_draw_json",
    ),
    # Inspections and the on-site phone form.
    path("jiancha/", views.inspection_list, name="inspection_list"),
    path("jiancha/xinjian/", views.inspection_new, name="inspection_new"),
    path("jiancha/<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("jiancha/<int:pk>/tianbao/", views.inspection_form, name="inspection_form"),
    path("jiancha/<int:pk>/caogao/", views.inspection_draft, name="inspection_draft"),
    path("jiancha/<int:pk>/zhaopian/", views.inspection_photo, name="inspection_photo"),
    path("jiancha/<int:pk>/wenti/xinjian/", views.finding_add, name="finding_add"),
    path("jiancha/zhaopian/<int:pk>/", views.photo_file, name="photo_file"),
    path("jiancha/zhaopian/<int:pk>/shanchu/", views.photo_delete, name="photo_delete"),
    # Findings and rectifications.
    path("jiancha/wenti/", views.finding_list, name="finding_list"),
    path("jiancha/wenti/<int:pk>/", views.finding_detail, name="finding_detail"),
    path("jiancha/zhenggai/cailiao/<int:pk>/", views.evidence_file, name="evidence_file"),
    # Coverage: who still needs their patrol, guidance and annual inspection.
    path("jiancha/fugai/", views.coverage, name="coverage"),
    # Random draws (双随机).
    path("jiancha/chouqian/", views.draw_list, name="draw_list"),
    path("jiancha/chouqian/xinjian/", views.draw_new, name="draw_new"),
    path("jiancha/chouqian/<int:pk>/", views.draw_detail, name="draw_detail"),
    path(
        "jiancha/chouqian/<int:pk>/kaishi/<int:assignment_pk>/",
        views.draw_start,
        name="draw_start",
    ),
    # Incidents (强制报告).
    path("jiancha/shijian/", views.incident_list, name="incident_list"),
    path("jiancha/shijian/baogao/", views.incident_new, name="incident_new"),
    path("jiancha/shijian/<int:pk>/", views.incident_detail, name="incident_detail"),
]
