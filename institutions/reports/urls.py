"""Pages for monthly reports: operators' months and form, the bureau's review and completeness."""

from django.urls import path  # noqa: F401 - patterns arrive with the report pages

app_name = "reports"

urlpatterns: list = []
