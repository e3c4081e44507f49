"""Pages of training (培训)."""

from django.urls import path

from . import views

app_name = "training"

urlpatterns = [
    path("peixun/", views.courses, name="courses"),
    path("peixun/xueshi/", views.staff_hours, name="hours"),
    path("peixun/<int:pk>/", views.course, name="course"),
    path("peixun/<int:pk>/canxun/", views.attendance_add, name="attendance_add"),
    path("peixun/<int:pk>/daoru/", views.sign_in_import, name="import"),
    path("peixun/<int:pk>/daoru/moban/", views.sign_in_template, name="import_template"),
    path("peixun/canxun/<int:pk>/", views.attendance_edit, name="attendance_edit"),
    path("peixun/canxun/<int:pk>/shanchu/", views.attendance_delete, name="attendance_delete"),
]
