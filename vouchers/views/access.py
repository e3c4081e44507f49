"""Who may do what on the voucher pages.

Bureau pages: bureau staff and administrators act; auditors and education staff only read
(403 on any POST); everyone else is refused (403). Institution pages: an object is first looked
up through `roles.get_scoped_or_404` (another institution's object is a 404, as if it did not
exist), and only then is the role checked (403), so a probe learns nothing.
"""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from institutions.models import Institution
from portal.pages import bureau_acts, operates, portal_page, require_bureau_actor
from portal.roles import BUREAU_ROLES, Role, get_scoped_or_404, has_role

VIEWER_ROLES = frozenset(BUREAU_ROLES | {Role.AUDITOR, Role.EDUCATION})


def sees_vouchers(user) -> bool:
    """Reads every institution's voucher records: bureau, auditors, education staff."""
    return bool(getattr(user, "is_superuser", False)) or has_role(user, *VIEWER_ROLES)


def bureau_page(view):
    """A bureau page: voucher viewers read it; only bureau staff may POST to it."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not sees_vouchers(request.user):
            raise PermissionDenied(_("只有卫健局、审计和教育局的工作人员可以查看此页面。"))
        if request.method == "POST":
            require_bureau_actor(request)
        return view(request, *args, **kwargs)

    return portal_page(require_http_methods(["GET", "POST"])(wrapped))


def institution_for(request, pk: int) -> Institution:
    """The institution if the user may see its voucher pages: 404 outside their scope, 403 for a
    city-wide role without voucher access (inspectors)."""
    institution = get_scoped_or_404(
        request.user, Institution.objects.select_related("township"), pk=pk
    )
    if not (sees_vouchers(request.user) or operates(request.user, institution)):
        raise PermissionDenied(_("您的账号不能查看托育券信息。"))
    return institution


def require_operator(request, institution: Institution) -> None:
    if not operates(request.user, institution):
        raise PermissionDenied(_("只有本机构的经办人可以办理。"))


def require_operator_or_bureau(request, institution: Institution) -> None:
    if not (operates(request.user, institution) or bureau_acts(request.user)):
        raise PermissionDenied(_("您的账号只能查看，不能办理。"))


def nav_context(request, current: str, institution: Institution | None = None) -> dict:
    user = request.user
    return {
        "nav_current": current,
        "nav_bureau": sees_vouchers(user),
        "nav_institution": institution,
        "may_act": bureau_acts(user),
        "operates": bool(institution and operates(user, institution)),
    }
