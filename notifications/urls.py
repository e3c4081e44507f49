"""The inbox and notification settings of every signed-in user (included at the site root)."""

from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("tongzhi/", views.inbox, name="inbox"),
    path("tongzhi/<int:pk>/dakai/", views.open_notification, name="open"),
    path("tongzhi/quanbuyidu/", views.read_all, name="read_all"),
    path("tongzhi/shezhi/", views.preferences, name="preferences"),
]
