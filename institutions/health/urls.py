"""Pages of medical–childcare integration (医育结合)."""

from django.urls import path

from ..lecturers import views as lecturer_views
from . import views

app_name = "health"

urlpatterns = [
    path("weisheng/wangluo/", views.network, name="network"),
    path("weisheng/huodong/", views.sessions, name="sessions"),
    path("weisheng/huodong/<int:pk>/mingdan/", views.attendance, name="attendance"),
    path(
        "weisheng/huodong/<int:pk>/mingdan/daoru/",
        views.attendance_import,
        name="attendance_import",
    ),
    path("weisheng/huodong/mingdan/muban/", views.attendance_template, name="attendance_template"),
    path("weisheng/zhidao/", views.guidance, name="guidance"),
    path("weisheng/shaicha/", views.screening, name="screening"),
    path("weisheng/qianyue/", views.contract_services, name="contract_services"),
    path("weisheng/guanlian/", views.unlinked, name="unlinked"),
    path("weisheng/jiangshi/", lecturer_views.team, name="lecturers"),
]
