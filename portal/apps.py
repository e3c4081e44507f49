from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "乐清市普惠托育服务平台"

    def ready(self) -> None:
        # Both import django.contrib.auth's models, which exist only once every AppConfig is
        # read: imported in ready() to break the cycle Django forces (apps -> models -> apps).
        from . import checks  # noqa: F401 - registers the system checks
        from .roles import sync_roles  # the same cycle

        # Groups need the permissions that migrate creates, so they are synced after it.
        post_migrate.connect(sync_roles, sender=self, dispatch_uid="portal.sync_roles")
