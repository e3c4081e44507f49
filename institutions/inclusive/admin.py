"""Admin of support cases (registered from InstitutionsConfig.ready): the bureau only, whatever
the admin permissions of the other city-wide roles on the institutions app; every changelist,
change page, history page and historical version (simple_history's history_form_view) that shows
a case writes its read to the access log. The access log's own pages name a case by its number
only, so reading who read a case is not itself a read of the case."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from portal.admin import ScopedAdminMixin
from portal.roles import is_bureau

from . import services
from .models import SupportCase, SupportCaseAccess, SupportReview

ADMIN = SupportCaseAccess.Channel.ADMIN
LIST, DETAIL = SupportCaseAccess.Action.LIST, SupportCaseAccess.Action.DETAIL


class BureauOnlyAdmin(ScopedAdminMixin):
    def has_module_permission(self, request):
        return is_bureau(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return is_bureau(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return is_bureau(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return is_bureau(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # cases are closed, not deleted; their reads stay audited

    def history_view(self, request, object_id, extra_context=None):
        # Django looks the object up first and redirects when it is out of scope: refuse first.
        if not self.has_view_permission(request):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # One historical version (simple_history): refused before it is looked up, as above.
        if not self.has_view_permission(request):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class AuditedAdmin(BureauOnlyAdmin):
    """Audits the cases a changelist shows and the case a change or history page shows."""

    def case_ids(self, objects) -> list[int]:
        return [obj.pk for obj in objects]

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            services.audit_reads(
                user=request.user,
                cases=self.case_ids(changelist.result_list),
                channel=ADMIN,
                action=LIST,
            )
        return response

    def _audit_one(self, request, object_id) -> None:
        obj = self.get_object(request, object_id) if object_id else None
        if obj is not None and self.has_view_permission(request, obj):
            services.audit_reads(
                user=request.user, cases=self.case_ids([obj]), channel=ADMIN, action=DETAIL
            )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            self._audit_one(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._audit_one(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # A past version shows the case as the change page does (plan, dates, the masked name).
        if request.method == "GET":
            self._audit_one(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


class SupportCaseAdminForm(forms.ModelForm):
    def _post_clean(self):
        # The service's rules next to their fields; the save runs them again, under the lock.
        super()._post_clean()
        try:
            services.case_check(self.instance)
        except ValidationError as error:
            self._update_errors(error)


@admin.register(SupportCase)
class SupportCaseAdmin(AuditedAdmin, SimpleHistoryAdmin):
    """Saves (a historical version's "revert" too) go through services.case_save. A case is
    closed on its page (services.case_close: not before its last review), so the closing fields
    are read only here, as are a stored case's institution and facility; a closed case is read
    only."""

    form = SupportCaseAdminForm
    list_display = ["__str__", "institution", "facility", "opened_on", "closed_on"]
    list_filter = ["need", "facility"]
    date_hierarchy = "opened_on"
    raw_id_fields = ["institution", "created_by"]
    search_fields = ["institution__name"]

    def get_readonly_fields(self, request, obj=None):
        fixed = ["created_by", "created_at", "closed_on", "closing_note"]
        return fixed if obj is None else [*fixed, "institution", "facility"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.closed_on is not None:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        services.case_save(case=obj, actor=request.user)


class SupportReviewAdminForm(forms.ModelForm):
    def _post_clean(self):
        super()._post_clean()
        if self.instance.case_id is None:
            return
        try:
            services.review_check(self.instance, self.instance.case)
        except ValidationError as error:
            self._update_errors(error)


@admin.register(SupportReview)
class SupportReviewAdmin(AuditedAdmin, SimpleHistoryAdmin):
    """Reviews are added (services.review_add), not changed: the pages and the API do the same."""

    form = SupportReviewAdminForm
    list_display = ["__str__", "case", "reviewed_on", "next_review_by", "reviewer"]
    date_hierarchy = "reviewed_on"
    raw_id_fields = ["case"]
    readonly_fields = ["reviewer"]

    def case_ids(self, objects) -> list[int]:
        return list(dict.fromkeys(review.case_id for review in objects))

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        services.review_add(review=obj, actor=request.user)


@admin.register(SupportCaseAccess)
class SupportCaseAccessAdmin(BureauOnlyAdmin, admin.ModelAdmin):
    """The read audit: read-only. A case shows as its number, never as its str() (the child's
    masked name and the need): listing the log must not read the cases."""

    list_display = ["at", "case_number", "user", "channel", "action"]
    list_filter = ["channel", "action"]
    date_hierarchy = "at"
    fields = ["at", "case_number", "user", "channel", "action"]
    readonly_fields = fields

    @admin.display(description=_("个案编号"), ordering="case_id")
    def case_number(self, obj) -> int:
        return obj.case_id

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
