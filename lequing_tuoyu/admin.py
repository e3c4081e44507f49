from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _lazy

# --- The admin's sign-in and its link back to the portal (its home page's day: home.py) ------


class PortalAdminLoginForm(AdminAuthenticationForm):
    """The admin's refusal in Chinese punctuation, naming the portal's own sign-in page, which
    operators (accounts without admin access) use."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": _lazy(
            "用户名或密码不正确，或该账号不能使用管理后台（注意区分大小写）。"
            "机构经办人请从平台登录页（/denglu/）登录。"
        ),
    }


admin.site.login_form = PortalAdminLoginForm

# "查看站点" leads to the portal's pages: the user's home there (/wode/), not the start page.
admin.site.site_url = reverse_lazy("role_home")
# The changelists need the width on a desk screen; the home page lists every model anyway.
admin.site.enable_nav_sidebar = False
