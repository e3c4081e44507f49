from django.urls import path  # noqa: F401 - patterns arrive with the voucher pages

app_name = "vouchers"

urlpatterns: list = []
