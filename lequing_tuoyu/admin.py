from __future__ import annotations

import datetime as dt

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.db.models import Subquery
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from inspections.models import Concern
from inspections.selectors import finding_list
from institutions.reports.selectors import review_queue
from metrics.models import CITY, Indicator, Snapshot
from metrics.selectors import last_complete_month
from portal.pages import bureau_acts
from portal.roles import scope
from vouchers.models import VoucherApplication

# --- The admin's home page: the bureau's day --------------------------------------------------------


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

# "查看站点" leads to the portal's pages, not back to the admin ("/" redirects here).
admin.site.site_url = reverse_lazy("institutions:my_institutions")
# The changelists need the width on a desk screen; the home page lists every model anyway.
admin.site.enable_nav_sidebar = False


def day_work(user, *, today: dt.date | None = None) -> list[dict] | None:
    """What waits for the bureau today, for the admin's home page (templates/admin/index.html):
    reports to review, rectifications past their deadline, voucher applications waiting, concerns
    from the public not yet answered and the city's indicators not met in the last complete
    month computed. None for anyone but bureau staff.

    One count per item (six queries), whatever the amount of data; each item links to the page
    where the work is done.
    """
    if not bureau_acts(user):
        return None
    today = today or timezone.localdate()
    reports = scope(user, review_queue()).count()
    # Open findings past their deadline (inclusive), as the findings page counts them: the
    # selector behind its "已逾期" filter, so the number and the list it links to agree.
    overdue = finding_list(user, today=today).filter(is_overdue_now=True).count()
    applications = (
        scope(user, VoucherApplication).filter(state=VoucherApplication.State.PENDING).count()
    )
    # Concerns from the public not yet answered (received or in hand).
    concerns = Concern.objects.filter(
        state__in=[Concern.State.RECEIVED, Concern.State.IN_HAND]
    ).count()
    # The last complete month computed: a month still running or being reported would count
    # figures that are only partial as not met.
    latest = (
        Snapshot.objects.filter(area=CITY, period__lte=last_complete_month(today))
        .order_by("-period")
        .values("period")[:1]
    )
    order = {value: number for number, value in enumerate(Indicator.values)}
    not_met = sorted(
        Snapshot.objects.filter(
            area=CITY, status=Snapshot.Status.NOT_MET, period=Subquery(latest)
        ).values_list("indicator", "period"),
        key=lambda row: order.get(row[0], len(order)),
    )
    period = not_met[0][1] if not_met else None
    labels = dict(Indicator.choices)
    return [
        {
            "key": "reports",
            "count": reports,
            "label": _("待审核的月报"),
            "url": reverse("reports:review_queue"),
        },
        {
            "key": "findings",
            "count": overdue,
            "label": _("逾期未整改"),
            "url": reverse("inspections:finding_list") + "?state=unclosed&overdue=1",
        },
        {
            "key": "applications",
            "count": applications,
            "label": _("待审核的托育券申请"),
            "url": reverse("vouchers:applications") + "?state=pending",
        },
        {
            "key": "concerns",
            "count": concerns,
            "label": _("待答复的投诉与反映"),
            "url": reverse("admin:inspections_concern_changelist") + "?state__in=received,in_hand",
        },
        {
            "key": "indicators",
            "count": len(not_met),
            "label": (
                _("%(month)s 未达标的指标") % {"month": f"{period:%Y-%m}"}
                if period
                else _("未达标的指标")
            ),
            "url": reverse("metrics:dashboard") + (f"?month={period:%Y-%m}" if period else ""),
            # (code, name): each written as kpis.md's number and its name.
            "detail": [(indicator, labels.get(indicator, indicator)) for indicator, _p in not_met],
        },
    ]
