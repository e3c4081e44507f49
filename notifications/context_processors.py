from functools import cache

from .selectors import unread_count


def notifications(request):
    """`NOTIFICATIONS_UNREAD` for the header: counted on first use in a page (one query), never
    for an anonymous visitor."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"NOTIFICATIONS_UNREAD": cache(lambda: unread_count(user))}
