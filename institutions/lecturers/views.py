"""The lecturer team's page (/weisheng/jiangshi/): city-wide roles and health facilities' users
read the team, each member with the sessions they led in the year (mobiles masked)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.pages import portal_page
from portal.roles import sees_every_institution

from . import selectors


def _year(request) -> int:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        return today.year
    return year if 2000 <= year <= today.year + 1 else today.year


@portal_page
@require_http_methods(["GET"])
def team(request):
    if not selectors.reads_team(request.user):
        raise PermissionDenied(_("只有卫健局和医疗卫生机构的用户可以查看讲师团。"))
    year = _year(request)
    today = timezone.localdate()
    return render(
        request,
        "health/lecturers.html",
        {
            "nav_current": "lecturers",
            "nav_bureau": sees_every_institution(request.user),
            "members": selectors.team_with_sessions(request.user, year),
            "year": year,
            "years": list(range(today.year, today.year - 5, -1)),
            "today": today,
        },
    )
