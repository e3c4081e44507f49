"""Subsidy pages (运营补助 / 奖补): the bureau's under /butie/, an institution's lines under
/butie/jigou/<pk>/; see subsidies/views.py for who may do what."""

from django.urls import path

from . import views

app_name = "subsidies"

urlpatterns = [
    path("butie/", views.months, name="months"),
    path("butie/<int:pk>/", views.month_detail, name="month_detail"),
    path("butie/<int:pk>/shenhe/", views.month_approve, name="month_approve"),
    path("butie/<int:pk>/zhifu/", views.month_paid, name="month_paid"),
    path("butie/<int:pk>/zhifu.xlsx", views.payment_file, name="payment_file"),
    path("butie/jigou/<int:pk>/", views.institution_lines, name="institution_lines"),
]
