"""Template helpers for the portal's pages: the navigation, which depends on the user's role."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from lequing_tuoyu.roles import Role, has_role, sees_every_institution

register = template.Library()


@register.simple_tag(takes_context=True)
def portal_nav(context) -> list[dict]:
    """Links for the header: everyone sees the public page; operators their institutions;
    city-wide roles the whole registry and, with admin access, the admin."""
    request = context.get("request")
    user = getattr(request, "user", None)
    items = [{"url": reverse("institutions:public_list"), "label": _("信息公示")}]
    if user is not None and user.is_authenticated:
        if sees_every_institution(user) or has_role(user, Role.OPERATOR):
            items.append(
                {
                    "url": reverse("institutions:my_institutions"),
                    "label": registry_title(context),
                }
            )
        if has_role(user, Role.OPERATOR):
            items.append({"url": reverse("reports:month_list"), "label": _("月报")})
        if sees_every_institution(user):
            items.append({"url": reverse("reports:review_queue"), "label": _("月报审核")})
        items.append({"url": reverse("reports:sessions"), "label": _("养育照护活动")})
        if user.is_staff:
            items.append({"url": reverse("admin:index"), "label": _("管理后台")})
    path = getattr(request, "path", "")
    for item in items:
        # The admin is outside the portal's pages; the others are current for their subpages.
        item["current"] = path.startswith(item["url"])
    return items


@register.simple_tag(takes_context=True)
def registry_title(context) -> str:
    """What the list of institutions is to this user: the whole registry or their own."""
    user = getattr(context.get("request"), "user", None)
    return _("机构名录") if sees_every_institution(user) else _("我的机构")


@register.filter
def stars(value) -> str:
    """★★★☆☆ for 3 of 5; empty when there is no rating."""
    if not value:
        return ""
    value = max(0, min(5, int(value)))
    return "★" * value + "☆" * (5 - value)
