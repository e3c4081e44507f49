"""The bureau's admin for inspections (Chinese; audit history on every record).

Checklist templates are edited here. Inspections, findings, rectifications, draws and incidents
are made on the portal's pages and the API (with their rules); here they are read, with their
history. Conflicts of interest and staff credit records are kept here too. Every save is a call
to `inspections.services`; every queryset goes through `ScopedAdminMixin`.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from portal.admin import ScopedAdminMixin
from portal.roles import Role, has_role, is_bureau
from portal.uploads import file_response

from . import services
from .models import (
    ChecklistItem,
    ChecklistTemplate,
    Concern,
    ConflictOfInterest,
    DrawAssignment,
    Finding,
    Incident,
    IncidentFollowUp,
    Inspection,
    InspectionResult,
    RandomDraw,
    Rectification,
    StaffCreditAlert,
    StaffCreditRecord,
)


class ServiceErrorsMixin:
    """A service's refusal is shown as a message, not a server error."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            for message in error.messages:
                self.message_user(
                    request, gettext("未保存：%(message)s") % {"message": message}, messages.ERROR
                )
            return HttpResponseRedirect(request.get_full_path())


class ReadOnlyAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    """Records written by the pages and the API: read here, with their history.

    Related records show as their number (raw id), not as a list of every choice: the history's
    "view this version" page renders the form, and a finding's list of every inspection result
    of the city made that page take most of a minute.
    """

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        if not self.raw_id_fields:
            self.raw_id_fields = [
                field.name
                for field in model._meta.get_fields()
                if field.concrete
                and not field.auto_created
                and (field.many_to_one or field.one_to_one or field.many_to_many)
            ]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


# --- Checklist templates -------------------------------------------------------------------------


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 1
    fields = ["order", "area", "text", "weight", "severity", "guidance"]


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(ServiceErrorsMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "kind", "is_active", "item_count", "updated_at"]
    list_filter = ["kind", "is_active"]
    inlines = [ChecklistItemInline]

    @admin.display(description=_("检查项数"))
    def item_count(self, obj) -> int:
        return obj.items.count()

    def _bureau(self, request) -> bool:
        return is_bureau(request.user)

    def has_add_permission(self, request) -> bool:
        return self._bureau(request) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._bureau(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._bureau(request) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        services.checklist_template_save(template=obj, actor=request.user)

    def save_formset(self, request, form, formset, change):
        items = formset.save(commit=False)
        for item in formset.deleted_objects:
            item._history_user = request.user
            item.delete()
        for item in items:
            services.checklist_item_save(item=item, actor=request.user)


# --- Inspections, findings, rectifications -------------------------------------------------------


class InspectionResultInline(ReadOnlyInline):
    model = InspectionResult
    fields = ["area", "text", "weight", "result", "note"]
    readonly_fields = fields


class FindingInline(ReadOnlyInline):
    model = Finding
    fields = ["title", "severity", "deadline", "state", "closed_on"]
    readonly_fields = fields


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdmin):
    list_display = ["institution", "kind", "inspected_on", "state", "outcome", "score"]
    list_filter = ["kind", "state", "outcome", "institution__township"]
    search_fields = ["institution__name"]
    date_hierarchy = "inspected_on"
    list_select_related = ["institution"]
    inlines = [InspectionResultInline, FindingInline]


class RectificationInline(ReadOnlyInline):
    model = Rectification
    fields = ["submitted_at", "action_taken", "review", "review_note", "reviewed_at"]
    readonly_fields = fields


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = [
        "title",
        "institution",
        "severity",
        "found_on",
        "deadline",
        "state",
        "closed_on",
    ]
    list_filter = ["state", "severity", "area", "inspection__kind"]
    search_fields = ["title", "inspection__institution__name"]
    date_hierarchy = "deadline"
    list_select_related = ["inspection__institution"]
    inlines = [RectificationInline]

    @admin.display(description=_("机构"), ordering="inspection__institution__name")
    def institution(self, obj) -> str:
        return obj.inspection.institution.name


@admin.register(Rectification)
class RectificationAdmin(ReadOnlyAdmin):
    list_display = ["finding", "submitted_at", "review", "reviewed_at"]
    list_filter = ["review"]
    list_select_related = ["finding"]


# --- Draws and conflicts -------------------------------------------------------------------------


class DrawAssignmentInline(ReadOnlyInline):
    model = DrawAssignment
    fields = ["position", "institution"]
    readonly_fields = fields


@admin.register(RandomDraw)
class RandomDrawAdmin(ReadOnlyAdmin):
    list_display = ["title", "drawn_on", "seed", "sample_size", "risk_weighted", "published_at"]
    list_filter = ["risk_weighted"]
    inlines = [DrawAssignmentInline]


@admin.register(ConflictOfInterest)
class ConflictOfInterestAdmin(ServiceErrorsMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["inspector", "institution", "reason", "valid_from", "valid_to"]
    search_fields = ["institution__name", "inspector__username", "inspector__first_name"]
    autocomplete_fields = []
    raw_id_fields = ["institution"]
    exclude = ["recorded_by"]

    def has_add_permission(self, request) -> bool:
        return is_bureau(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return is_bureau(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return is_bureau(request.user) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        services.conflict_save(conflict=obj, actor=request.user)

    def delete_model(self, request, obj):
        services.conflict_delete(conflict=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                services.conflict_delete(conflict=obj, actor=request.user)


# --- Incidents -----------------------------------------------------------------------------------


class FollowUpInline(ReadOnlyInline):
    model = IncidentFollowUp
    fields = ["created_at", "note", "closes"]
    readonly_fields = fields


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    list_display = ["institution", "kind", "occurred_at", "escalated_at", "state"]
    list_filter = ["kind", "state"]
    search_fields = ["institution__name"]
    date_hierarchy = "occurred_at"
    list_select_related = ["institution"]
    inlines = [FollowUpInline]

    def has_delete_permission(self, request, obj=None) -> bool:
        # Harm to a child: never. Others: the bureau admin, one at a time, through the service.
        if obj is None or obj.is_harm:
            return False
        return has_role(request.user, Role.BUREAU_ADMIN) or request.user.is_superuser

    def delete_model(self, request, obj):
        services.incident_delete(incident=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                services.incident_delete(incident=obj, actor=request.user)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


# --- Staff credit records ------------------------------------------------------------------------


class BureauOnlyMixin:
    """A person's credit record is the bureau's (and the auditors', who read everything)."""

    def _may_see(self, request) -> bool:
        return is_bureau(request.user) or has_role(request.user, Role.AUDITOR)

    def has_module_permission(self, request) -> bool:
        return self._may_see(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._may_see(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args) -> bool:
        return is_bureau(request.user) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None) -> bool:
        return is_bureau(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(StaffCreditRecord)
class StaffCreditRecordAdmin(
    BureauOnlyMixin, ServiceErrorsMixin, ScopedAdminMixin, SimpleHistoryAdmin
):
    list_display = ["name", "id_number", "recorded_on", "valid_until"]
    search_fields = ["name"]
    fields = ["name", "id_number", "reason", "recorded_on", "valid_until", "staff", "finding"]
    raw_id_fields = ["staff", "finding"]

    def save_model(self, request, obj, form, change):
        services.staff_credit_record_save(record=obj, actor=request.user)


@admin.register(StaffCreditAlert)
class StaffCreditAlertAdmin(BureauOnlyMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["record", "staff", "created_at", "recipients"]
    list_select_related = ["record", "staff"]

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Concern)
class ConcernAdmin(BureauOnlyMixin, ServiceErrorsMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    """The bureau's queue of concerns from the public: received → in hand → answered → closed.
    The sender's words and contact are read-only; the answer is what the sender reads."""

    list_display = ["reference", "institution", "kind", "state", "received_at", "answered_at"]
    list_filter = ["state", "kind"]
    list_select_related = ["institution"]
    search_fields = ["reference", "institution__name"]
    date_hierarchy = "received_at"
    fields = [
        "reference",
        "institution",
        "kind",
        "text",
        "contact_name",
        "contact_phone",
        "attachment_link",
        "received_at",
        "state",
        "answer",
        "answered_at",
        "inspection",
        "finding",
        "handled_by",
    ]
    readonly_fields = [
        "reference",
        "institution",
        "kind",
        "text",
        "contact_name",
        "contact_phone",
        "attachment_link",
        "received_at",
        "answered_at",
        "handled_by",
    ]
    raw_id_fields = ["inspection", "finding"]

    def get_urls(self):
        view = self.admin_site.admin_view(self.attachment_view)
        return [
            path("<int:pk>/attachment/", view, name="inspections_concern_attachment"),
            *super().get_urls(),
        ]

    def attachment_view(self, request, pk: int):
        """The sender's attachment, for those who may see the concern."""
        concern = get_object_or_404(Concern.objects.exclude(attachment=""), pk=pk)
        if not self.has_view_permission(request, concern):
            raise PermissionDenied
        return file_response(concern.attachment)

    @admin.display(description=_("附件"))
    def attachment_link(self, concern: Concern):
        if not concern.attachment:
            return "—"
        url = reverse("admin:inspections_concern_attachment", args=[concern.pk])
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, _("查看附件"))

    def has_add_permission(self, request, *args) -> bool:
        return False  # concerns come from the public form

    def save_model(self, request, obj, form, change):
        services.concern_handle(
            concern=obj,
            actor=request.user,
            state=obj.state,
            answer=obj.answer,
            inspection=obj.inspection,
            finding=obj.finding,
        )
