"""A read-only list of what was sent, for bureau admins: who (the account, or a masked mobile),
what, when and through which channels. Nothing here can be added, changed or deleted."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.roles import Role, has_role

from .models import Notification


def _bureau_admin(request) -> bool:
    user = request.user
    return user.is_active and (user.is_superuser or has_role(user, Role.BUREAU_ADMIN))


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "event",
        "recipient",
        "subject",
        "read_at",
        "email_sent_at",
        "sms_sent_at",
        "failed",
    )
    list_filter = ("event", "created_at")
    search_fields = ("subject", "key", "user__username")
    date_hierarchy = "created_at"
    fields = (
        "event",
        "key",
        "recipient",
        "subject",
        "body",
        "url",
        "created_at",
        "read_at",
        "email_sent_at",
        "email_failed_at",
        "sms_sent_at",
        "sms_failed_at",
    )
    readonly_fields = fields
    list_select_related = ("user",)

    @admin.display(description=_("收件人"))
    def recipient(self, obj: Notification) -> str:
        # The account's login name, or the mobile masked (138****5678).
        return obj.user.get_username() if obj.user_id else str(obj.mobile)

    @admin.display(description=_("发送失败"), boolean=True)
    def failed(self, obj: Notification) -> bool:
        return bool(obj.email_failed_at or obj.sms_failed_at)

    def has_module_permission(self, request) -> bool:
        return _bureau_admin(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return _bureau_admin(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
