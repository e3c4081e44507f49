"""The programme's admin: the office corrects the plan's loaded text (a draft), sets what the
plan leaves silent, keeps the funds' months and edits and publishes the catalogue. Every change
is in the history (django-simple-history). Progress, supervision and the board are pages."""

from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from portal.admin import ScopedAdminMixin

from . import services
from .models import CatalogueItem, Deliverable, Department, Fund, FundMonth, SubItem, Task
from .validators import validate_fund_month


class ProgrammeAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    pass


class FundMonthForm(forms.ModelForm):
    """The services' rules for a fund month (programme.validators), on the admin's form."""

    class Meta:
        model = FundMonth
        fields = ["fund", "use", "period", "budget", "spent"]

    def clean(self):
        data = super().clean()
        if data.get("fund") and data.get("period"):
            validate_fund_month(
                fund=data["fund"],
                use=data.get("use", ""),
                period=data["period"],
                budget=data.get("budget"),
                spent=data.get("spent"),
            )
        return data


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

    form = FundMonthForm


@admin.register(CatalogueItem)
class CatalogueItemAdmin(ProgrammeAdmin):
    list_display = ["name", "department", "published", "is_demo", "updated_at"]
    list_filter = ["published"]
    list_select_related = ["department"]

    def save_model(self, request, obj, form, change):
        services.catalogue_item_save(item=obj, actor=request.user)
