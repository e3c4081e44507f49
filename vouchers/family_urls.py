"""The families' voucher page (no login). Included at the site root by lequing_tuoyu/urls.py."""

from django.urls import path

from . import family

app_name = "voucher_family"

urlpatterns = [
    path("voucher-balance/", family.balance_page, name="balance"),
]
