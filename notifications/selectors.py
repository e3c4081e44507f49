"""Reads of the inbox: a user's notifications, the unread count and the short list role home
pages show (templates/notifications/_inbox_preview.html)."""

from __future__ import annotations

from django.db.models import F, QuerySet

from .models import Notification


def inbox_for(user) -> QuerySet[Notification]:
    """The user's notifications, newest first."""
    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def recent_for(user, limit: int = 5) -> list[Notification]:
    """The user's latest notifications, unread first, then newest first (one query)."""
    return list(
        Notification.objects.filter(user=user).order_by(
            F("read_at").asc(nulls_first=True), "-created_at", "-pk"
        )[:limit]
    )
