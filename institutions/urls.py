from django.urls import path  # noqa: F401 - patterns arrive with the operator and public pages

app_name = "institutions"

urlpatterns: list = []
