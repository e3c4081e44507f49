"""The families' voucher pages (no login): the balance, applying online and following an
application. Included at the site root by lequing_tuoyu/urls.py."""

from django.urls import path

from . import family, public
from .statements import views as statements

app_name = "voucher_family"

urlpatterns = [
    path("voucher-balance/", family.balance_page, name="balance"),
    path("voucher-balance/zhengming/", statements.family_statement, name="statement"),
    path("zhengming/yanzheng/", statements.verify, name="statement_verify"),
    path("voucher-apply/", public.apply_start, name="apply"),
    path("voucher-apply/follow/", public.follow_page, name="follow"),
    path("voucher-apply/<int:pk>/", public.apply_batch, name="apply_batch"),
]
