"""Pages of inclusive care (融合托育)."""

from django.urls import path

from . import views

app_name = "inclusive"

urlpatterns = [
    path("ronghe/", views.case_list, name="case_list"),
    path("ronghe/xinjian/", views.case_open, name="case_open"),
    path("ronghe/zhenjie/", views.townships, name="townships"),
    path("ronghe/<int:pk>/", views.case_detail, name="case_detail"),
    path("ronghe/<int:pk>/jihua/", views.case_plan, name="case_plan"),
    path("ronghe/<int:pk>/pinggu/", views.review_add, name="review_add"),
    path("ronghe/<int:pk>/jiean/", views.case_close, name="case_close"),
    path("ronghe/<int:pk>/fangwen/", views.case_accesses, name="case_accesses"),
]
