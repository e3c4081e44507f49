"""The database going away answers 503 with a readable message, and the next request recovers.

A view (or the lazy session and user lookups it triggers) that hits OperationalError or
InterfaceError gets a 503 instead of a 500: JSON `{code, detail}` under /api/, a short Chinese
page elsewhere, with Retry-After. The broken connections are dropped so the next request opens a
fresh one as soon as PostgreSQL is back: nothing has to be restarted.

Redis going away is not an error at all: the cache treats it as a miss (portal/cache.py)
and a task the broker cannot take becomes a notice to the user (TaskQueueNoticeMiddleware).
"""

import logging

from django.contrib import messages
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.translation import gettext as _

from .dispatch import take_notices

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


def _drop_broken_connections() -> None:
    for conn in connections.all(initialized_only=True):
        try:
            conn.close()
        except Exception:  # noqa: BLE001, S110 - closing a dead connection may fail; it is gone anyway
            pass


def database_unavailable_response(request) -> HttpResponse:
    message = _("系统暂时无法连接数据库，请稍后再试。您的数据不会丢失。")
    if request.path.startswith("/api/"):
        response = JsonResponse({"code": "database_unavailable", "detail": message}, status=503)
    else:
        response = HttpResponse(
            '<!doctype html><html lang="zh-hans"><head><meta charset="utf-8">'
            f"<title>{escape(_('服务暂时不可用'))}</title></head>"
            f"<body><h1>{escape(_('服务暂时不可用'))}</h1><p>{escape(message)}</p></body></html>",
            status=503,
            content_type="text/html; charset=utf-8",
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Turns a lost database connection during a view into a 503 (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        # The class name only: the message may quote SQL parameters.
        logger.warning("database unavailable during %s: %s", request.path, type(exception).__name__)
        _drop_broken_connections()
        return database_unavailable_response(request)


class TaskQueueNoticeMiddleware:
    """Shows the person who asked for background work that the task queue could not take it.

    portal.dispatch.enqueue records a notice when the broker is down; after the view, each
    becomes a warning message on the next page (listed after MessageMiddleware, so the message
    is stored). API clients get the header `X-Task-Queue: unavailable` instead.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        take_notices()  # nothing left over from an earlier request in this thread
        response = self.get_response(request)
        notices = take_notices()
        if notices:
            if request.path.startswith("/api/"):
                response["X-Task-Queue"] = "unavailable"
            else:
                for notice in notices:
                    messages.warning(request, notice, fail_silently=True)
        return response
