"""Template helpers for the portal's pages: the navigation, which depends on the user's role and
knows every app, so it lives on the top floor."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from metrics.views import may_view as sees_indicators
from portal.audit_views import may_search
from portal.pages import operates
from portal.roles import Role, has_role, is_bureau, sees_every_institution, sees_programme
from subsidies.views import sees_subsidies

from ..home import day_work

register = template.Library()


@register.simple_tag(takes_context=True)
def portal_nav(context) -> list[dict]:
    """Links for the header, by role: signed-in users their home (/wode/); everyone sees the
    public page; operators their institutions, reports, vouchers and inspections; city-wide roles
    the registry and the review of reports; bureau staff vouchers and inspections too; inspectors
    inspections; bureau, education and audit staff the indicators; city-wide roles and health
    facilities' users 医育结合; the bureau, operators and health facilities' users 融合托育 (support
    cases: not the other city-wide roles); admin users the admin. The link of the section the page belongs to
    (the longest matching address) is marked current."""
    request = context.get("request")
    user = getattr(request, "user", None)
    items = []
    if user is not None and user.is_authenticated:
        # Everyone signed in: the home with their day's work (or where their role starts).
        items.append({"url": reverse("role_home"), "label": _("我的首页")})
    items += [
        {"url": reverse("institutions:public_list"), "label": _("信息公示")},
        {"url": reverse("programme:catalogue_public"), "label": _("服务目录")},
    ]
    if user is None or not user.is_authenticated:
        # Families and the public: their voucher pages (the start page at / shows every door).
        items.append({"url": reverse("voucher_family:balance"), "label": _("托育券查询")})
        items.append({"url": reverse("voucher_family:apply"), "label": _("申请托育券")})
    if user is not None and user.is_authenticated:
        operator = has_role(user, Role.OPERATOR)
        city_wide = sees_every_institution(user)
        bureau = is_bureau(user)
        if city_wide or operator:
            items.append(
                {"url": reverse("institutions:my_institutions"), "label": registry_title(context)}
            )
        if operator:
            items.append({"url": reverse("reports:month_list"), "label": _("月报")})
        if city_wide:
            items.append({"url": reverse("reports:review_queue"), "label": _("月报审核")})
        if city_wide or operator:
            items.append({"url": reverse("reports:sessions"), "label": _("养育照护活动")})
        if city_wide or has_role(user, Role.HEALTH_CENTRE):
            items.append({"url": reverse("health:sessions"), "label": _("医育结合")})
        if bureau or operator or has_role(user, Role.HEALTH_CENTRE):
            items.append({"url": reverse("inclusive:case_list"), "label": _("融合托育")})
        if city_wide or operator or has_role(user, Role.TRAINING_PROVIDER):
            items.append({"url": reverse("training:courses"), "label": _("培训")})
        if bureau or operator:
            items.append({"url": reverse("vouchers:home"), "label": _("托育券")})
        if bureau or operator or has_role(user, Role.INSPECTOR):
            items.append({"url": reverse("inspections:inspection_list"), "label": _("检查")})
        if sees_programme(user):
            items.append({"url": reverse("programme:board"), "label": _("试点专班")})
        if sees_subsidies(user):
            items.append({"url": reverse("subsidies:months"), "label": _("补助")})
        if sees_indicators(user):
            items.append({"url": reverse("metrics:dashboard"), "label": _("指标")})
        if user.is_staff:
            items.append({"url": reverse("admin:index"), "label": _("管理后台"), "admin": True})
    path = getattr(request, "path", "")
    # The admin is outside the portal's pages; the others are current for their subpages.
    matches = [item for item in items if not item.get("admin") and path.startswith(item["url"])]
    current = max(matches, key=lambda item: len(item["url"]), default=None)
    for item in items:
        item["current"] = item is current
    return items


@register.simple_tag(takes_context=True)
def sees_subsidy_lines(context, institution) -> bool:
    """The institution's subsidy lines tab: its operators, the bureau and auditors."""
    user = getattr(context.get("request"), "user", None)
    return bool(user and (sees_subsidies(user) or operates(user, institution)))


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


@register.simple_tag(takes_context=True)
def admin_day_work(context) -> list[dict] | None:
    """The bureau's day for the admin's home page (lequing_tuoyu.home.day_work); None for
    other users, who see the admin's usual home page."""
    request = context.get("request")
    return day_work(getattr(request, "user", None))


@register.simple_tag(takes_context=True)
def may_search_audit(context) -> bool:
    """Whether the admin's home page links to the audit search (bureau admins and auditors)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated and may_search(user))
