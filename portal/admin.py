"""Admin pieces every app's admin uses."""

from .roles import scope


class ScopedAdminMixin:
    """Admin querysets pass through the same scoping helper as pages and the API."""

    def get_queryset(self, request):
        return scope(request.user, super().get_queryset(request))
