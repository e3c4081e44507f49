"""Admin of the lecturer team (registered from InstitutionsConfig.ready: institutions/admin.py is
at its size limit). Mobiles are shown masked; the bureau types a new number to change one."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from portal.admin import ScopedAdminMixin

from . import services
from .models import LecturerMember


@admin.register(LecturerMember)
class LecturerMemberAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "profession", "facility", "organisation", "joined_on", "left_on"]
    list_filter = ["profession", "facility"]
    search_fields = ["name", "organisation", "facility__name"]
    list_select_related = ["facility"]
    date_hierarchy = "joined_on"

    def save_model(self, request, obj, form, change):
        services.member_save(member=obj, actor=request.user)
