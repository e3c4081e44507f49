from django.urls import path

from .api import KpiListView

urlpatterns = [path("kpis/", KpiListView.as_view(), name="kpis")]
