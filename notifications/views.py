"""The inbox (/tongzhi/) and each user's channels (/tongzhi/shezhi/). Every signed-in user has
both; a notification of someone else's is a 404, as if it did not exist."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.pages import portal_page

from . import services
from .forms import PreferenceForm
from .models import Notification, NotificationPreference
from .selectors import inbox_for

PAGE_SIZE = 20


@portal_page
@require_GET
def inbox(request):
    page = Paginator(inbox_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})


def _safe(url: str, request) -> str:
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return ""


@portal_page
@require_POST
def open_notification(request, pk: int):
    """Mark it read and go where the work is done (the inbox when it has no link)."""
    try:
        row = services.mark_read(user=request.user, notification_id=pk)
    except Notification.DoesNotExist:
        raise Http404 from None
    return redirect(_safe(row.url, request) or "notifications:inbox")


@portal_page
@require_POST
def read_all(request):
    count = services.mark_all_read(user=request.user)
    if count:
        messages.success(request, _("已将%(count)s条通知标为已读。") % {"count": count})
    return redirect("notifications:inbox")


@portal_page
@require_http_methods(["GET", "POST"])
def preferences(request):
    stored = NotificationPreference.objects.filter(user=request.user).first()
    stored_mobile = stored.mobile.reveal() if stored and stored.mobile else ""
    if request.method == "POST":
        form = PreferenceForm(request.POST, stored_mobile=stored_mobile)
        if form.is_valid():
            services.preference_save(
                user=request.user,
                email_enabled=form.cleaned_data["email_enabled"],
                sms_enabled=form.cleaned_data["sms_enabled"],
                mobile=form.cleaned_data["mobile"] or "",
            )
            messages.success(request, _("通知设置已保存。"))
            return redirect("notifications:preferences")
    else:
        form = PreferenceForm(
            initial={
                "email_enabled": stored.email_enabled if stored else True,
                "sms_enabled": stored.sms_enabled if stored else False,
                "mobile": stored.mobile.masked if stored and stored.mobile else "",
            },
            stored_mobile=stored_mobile,
        )
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "has_email": bool(request.user.email)},
    )
