"""The programme's admin: the office corrects the plan's loaded text (a draft), sets what the
plan leaves silent, keeps the funds' months and edits and publishes the catalogue. Every change
is in the history (django-simple-history). Progress, supervision and the board are pages."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from portal.admin import ScopedAdminMixin

from .models import CatalogueItem, Deliverable, Department, Fund, FundMonth, SubItem, Task


class ProgrammeAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    pass


@admin.register(Department)
class DepartmentAdmin(ProgrammeAdmin):
    list_display = ["name", "task_force_role", "hosts_office", "order"]
    filter_horizontal = ["users"]


class SubItemInline(admin.StackedInline):
    model = SubItem
    extra = 0
    fields = ["number", "title", "text", "status", "due_date", "owner", "phase", "indicators"]


@admin.register(Task)
class TaskAdmin(ProgrammeAdmin):
    list_display = ["number", "title", "lead", "status", "due_date", "owner", "phase"]
    list_select_related = ["lead"]
    filter_horizontal = ["co_responsible"]
    inlines = [SubItemInline]


@admin.register(SubItem)
class SubItemAdmin(ProgrammeAdmin):
    list_display = ["__str__", "status", "due_date", "owner", "phase"]
    list_select_related = ["task"]
    list_filter = ["task", "status"]
    filter_horizontal = ["departments"]


@admin.register(Deliverable)
class DeliverableAdmin(ProgrammeAdmin):
    list_display = ["name", "source", "state", "due_date", "done_on"]
    list_filter = ["state"]


@admin.register(Fund)
class FundAdmin(ProgrammeAdmin):
    list_display = ["name", "kind"]


@admin.register(FundMonth)
class FundMonthAdmin(ProgrammeAdmin):
    list_display = ["fund", "use", "period", "budget", "spent"]
    list_filter = ["fund", "use"]
    list_select_related = ["fund"]


@admin.register(CatalogueItem)
class CatalogueItemAdmin(ProgrammeAdmin):
    list_display = ["name", "department", "published", "is_demo", "updated_at"]
    list_filter = ["published"]
    list_select_related = ["department"]
