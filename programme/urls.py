"""The pilot task force's pages (试点专班): /zhuanban/ and below, and the public catalogue.

Include in lequing_tuoyu/urls.py with `path("", include("programme.urls"))`.
"""

from django.urls import path

from . import views

app_name = "programme"

urlpatterns = [
    # Public: the published catalogue (目录清单), beside 信息公示.
    path("gongshi/mulu/", views.catalogue_public, name="catalogue_public"),
    path("zhuanban/", views.board, name="board"),
    path("zhuanban/renwu/<int:number>/", views.task_detail, name="task_detail"),
    path("zhuanban/zhengju/<int:pk>/", views.evidence_file, name="evidence_file"),
    path("zhuanban/duban/", views.supervision_list, name="supervision_list"),
    path("zhuanban/duban/<int:pk>/", views.round_detail, name="round_detail"),
    path("zhuanban/zhoubao.pdf", views.weekly_pdf, name="weekly_pdf"),
    path("zhuanban/chengguo/", views.deliverables, name="deliverables"),
    path("zhuanban/chengguo/<int:pk>/wenjian/", views.deliverable_file, name="deliverable_file"),
    path("zhuanban/tuoban/", views.kindergarten_places, name="kindergarten_places"),
    path("zhuanban/zijin/", views.funds, name="funds"),
    path("zhuanban/zijin/daochu.xlsx", views.funds_export, name="funds_export"),
]
