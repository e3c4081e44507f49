import logging

from django.conf import settings
from django.db import DatabaseError, connections
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

from metrics.views import may_view as sees_indicators
from notifications.selectors import recent_for
from portal.contact import please_contact
from portal.pages import portal_page
from portal.roles import Role, has_role, sees_every_institution
from programme.selectors import catalogue_summary

from .home import home_of

logger = logging.getLogger(__name__)


def _database_state() -> str:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("healthz: database unreachable")
        # Drop the broken connection so the next request tries afresh.
        connections["default"].close_if_unusable_or_obsolete()
        return "down"
    return "ok"


def _broker_state() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "in-process"
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception:  # noqa: BLE001 - any failure means "down" to a health check
        logger.warning("healthz: broker unreachable")
        return "down"
    return "ok"


@never_cache
@require_GET
def healthz(request):
    """Liveness for load balancers: 200 when the database answers, 503 when it does not.

    The broker's state is reported but does not fail the check: pages work without a worker.
    """
    database = _database_state()
    broker = _broker_state()
    status = "ok" if database == "ok" else "down"
    return JsonResponse(
        {"status": status, "database": database, "broker": broker},
        status=200 if database == "ok" else 503,
    )


def lockout(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out login: JSON for the API, a page for people (429)."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {
                "code": "login_locked",
                "detail": _("连续多次密码错误，登录已暂时锁定，请一小时后再试。")
                + please_contact(_("如忘记密码，")),
            },
            status=429,
        )
    return render(request, "lockout.html", status=429)


# --- The start page and each role's home ---------------------------------------------------------


@require_GET
def start_page(request):
    """/: the three doors (families, operators, staff), 信息公示, the public-service catalogue once
    it has published items, and whom to call."""
    published, _last_change = catalogue_summary()
    return render(
        request, "start.html", {"home_url": reverse("role_home"), "catalogue_items": published}
    )


def home_for(user) -> str:
    """Where a signed-in user without a home of their own at /wode/ starts: health facilities'
    users their sessions, education and audit staff the indicators, other city-wide readers the
    registry, families their voucher page."""
    if has_role(user, Role.HEALTH_CENTRE):
        return reverse("health:sessions")  # a health facility's users: their sessions first
    if has_role(user, Role.TRAINING_PROVIDER):
        return reverse("training:courses")  # a training provider's users: their courses
    if sees_indicators(user):
        return reverse("metrics:dashboard")
    if sees_every_institution(user) or has_role(user, Role.OPERATOR):
        return reverse("institutions:my_institutions")
    return reverse("voucher_family:balance")


@portal_page
@require_GET
def role_home(request):
    """After /denglu/ (settings.LOGIN_REDIRECT_URL): one sign-in page, each role its own home.
    Operators, inspectors, bureau staff and the task force's departments see what waits for them
    today (lequing_tuoyu/home.py); the others are sent to the page they start from."""
    work = home_of(request.user)
    if work.empty:
        return redirect(home_for(request.user))
    # The inbox's latest, unread first (one query), above every role's section.
    return render(
        request, "home/home.html", {"home": work, "notifications": recent_for(request.user)}
    )
