from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from lequing_tuoyu.admin import ScopedAdminMixin

from .models import Institution, StaffMember, Township


@admin.register(Township)
class TownshipAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "kind", "is_urban"]
    list_filter = ["kind", "is_urban"]
    search_fields = ["code", "name"]


@admin.register(Institution)
class InstitutionAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "kind", "ownership", "township", "filed_on", "closed_on"]
    list_filter = ["township", "kind", "ownership"]
    search_fields = ["name", "credit_code", "filing_number"]
    list_select_related = ["township"]
    autocomplete_fields = ["operators"]


@admin.register(StaffMember)
class StaffMemberAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "masked_id_number", "institution", "role", "hired_on", "left_on"]
    list_filter = ["role", "institution__township"]
    search_fields = ["name", "institution__name"]
    list_select_related = ["institution"]
    raw_id_fields = ["institution"]

    @admin.display(description="身份证号码")
    def masked_id_number(self, obj: StaffMember) -> str:
        return str(obj.id_number)
