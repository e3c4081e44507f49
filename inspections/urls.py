from django.urls import path  # noqa: F401 - patterns arrive with the inspection pages

app_name = "inspections"

urlpatterns: list = []
