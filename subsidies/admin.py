"""The bureau defines schemes and their rates here; months and lines are read-only (they are
computed, approved and paid on the subsidy pages, each step in the history)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from institutions.admin import SpreadsheetAdminMixin
from portal.admin import ScopedAdminMixin

from .models import SchemeRate, SubsidyLine, SubsidyMonth, SubsidyScheme
from .resources import SchemeRateResource


class SchemeRateInline(admin.TabularInline):
    model = SchemeRate
    extra = 1
    fields = ["class_type", "stars", "amount"]


@admin.register(SchemeRate)
class SchemeRateAdmin(SpreadsheetAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    """The rates also on their own, for importing a rate table (subsidies/resources.py)."""

    resource_classes = [SchemeRateResource]
    list_display = ["scheme", "class_type", "stars", "amount"]
    list_filter = ["scheme", "class_type", "stars"]
    list_select_related = ["scheme"]


@admin.register(SubsidyScheme)
class SubsidySchemeAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "kind", "valid_from", "valid_to", "inclusive_only", "fund"]
    list_filter = ["kind", "inclusive_only"]
    search_fields = ["name"]
    inlines = [SchemeRateInline]


class ReadOnlyAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SubsidyMonth)
class SubsidyMonthAdmin(ReadOnlyAdmin):
    list_display = ["scheme", "month", "state", "line_count", "total", "payment_reference"]
    list_filter = ["state", "scheme"]


@admin.register(SubsidyLine)
class SubsidyLineAdmin(ReadOnlyAdmin):
    list_display = ["institution", "scheme", "month", "amount"]
    list_filter = ["scheme", "month"]
    list_select_related = ["institution", "scheme"]
    search_fields = ["institution__name"]
