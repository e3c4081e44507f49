from django.contrib import admin
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin

from institutions.forms import SpreadsheetImportForm
from portal.spreadsheets import SPREADSHEET_FORMATS

from .models import CityIncome, ComputeRun, PopulationBase, Snapshot, Target
from .resources import CityIncomeResource, PopulationBaseResource


class PermissionedImportExportMixin(ImportExportMixin):
    """django-import-export lets any admin user import and export unless told otherwise: import
    needs the add and change permissions, export the view permission (auditors and education
    staff only read)."""

    # The registry's formats and upload form: size, row and unzip limits, no formulas.
    import_formats = SPREADSHEET_FORMATS
    export_formats = SPREADSHEET_FORMATS
    import_form_class = SpreadsheetImportForm

    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)


@admin.register(PopulationBase)
class PopulationBaseAdmin(PermissionedImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [PopulationBaseResource]
    list_display = ["township", "year", "residents", "children_under_3", "births"]
    list_filter = ["year", "township"]
    list_select_related = ["township"]


@admin.register(CityIncome)
class CityIncomeAdmin(PermissionedImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [CityIncomeResource]
    list_display = ["year", "per_capita_disposable_income"]


@admin.register(Target)
class TargetAdmin(SimpleHistoryAdmin):
    list_display = ["indicator", "comparison", "value", "by_year_end"]
    list_editable = ["value"]


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    """Read-only: snapshots are written by the computation only."""

    list_display = [
        "period",
        "area",
        "indicator",
        "value",
        "numerator",
        "denominator",
        "status",
        "computed_at",
    ]
    list_filter = ["indicator", "status", "area"]
    date_hierarchy = "period"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ComputeRun)
class ComputeRunAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "first_period",
        "last_period",
        "state",
        "months_done",
        "months_total",
    ]
    readonly_fields = [f.name for f in ComputeRun._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
