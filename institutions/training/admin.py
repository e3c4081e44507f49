"""Admin of training (registered from InstitutionsConfig.ready: institutions/admin.py is at its
size limit). The bureau enters courses and attendance, or imports a sign-in sheet."""

from __future__ import annotations

from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from portal.admin import ScopedAdminMixin

from ..admin import SpreadsheetAdminMixin
from . import services
from .models import TrainingAttendance, TrainingCourse, TrainingProvider
from .resources import TrainingAttendanceResource


class TrainingServiceAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    def delete_model(self, request, obj):
        services.record_delete(record=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():  # one by one: each deletion in the history with its user
            for obj in queryset:
                services.record_delete(record=obj, actor=request.user)


@admin.register(TrainingProvider)
class TrainingProviderAdmin(TrainingServiceAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    filter_horizontal = ["users"]

    def save_model(self, request, obj, form, change):
        services.provider_save(provider=obj, actor=request.user)


@admin.register(TrainingCourse)
class TrainingCourseAdmin(TrainingServiceAdmin):
    list_display = [
        "pk",
        "name",
        "provider",
        "provider_org",
        "kind",
        "starts_on",
        "ends_on",
        "hours",
    ]
    list_display_links = ["name"]
    list_filter = ["kind", "provider_org", "provider"]
    list_select_related = ["provider_org"]
    search_fields = ["name", "provider"]
    date_hierarchy = "starts_on"

    def save_model(self, request, obj, form, change):
        services.course_save(course=obj, actor=request.user)


@admin.register(TrainingAttendance)
class TrainingAttendanceAdmin(SpreadsheetAdminMixin, TrainingServiceAdmin):
    resource_classes = [TrainingAttendanceResource]
    exports_personal_data = True
    list_display = ["staff", "institution", "course", "hours", "completed", "award"]
    list_filter = ["completed", "course__kind", "course__provider"]
    search_fields = ["staff__name", "staff__institution__name", "course__name"]
    list_select_related = ["staff__institution", "course"]
    autocomplete_fields = ["staff", "course"]

    @admin.display(description=_("机构"), ordering="staff__institution__name")
    def institution(self, obj: TrainingAttendance):
        return obj.staff.institution

    def save_model(self, request, obj, form, change):
        services.attendance_save(attendance=obj, actor=request.user)
