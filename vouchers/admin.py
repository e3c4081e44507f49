"""The bureau's admin for vouchers.

Money and families change only through `vouchers.services`: batches are saved with
`batch_save`, applications are approved or rejected with admin actions that call the services,
and everything else (guardians, children, vouchers, the ledger, enrolments, redemptions,
settlements) is read-only here; the pages do the rest. Ledger entries can never be added, changed
or deleted. Names, phones and ID numbers show masked; a full ID number typed into the search box
finds the person by its keyed hash, and vouchers are found by code (with or without dashes).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from institutions.admin import IdNumberSearchMixin
from portal.admin import ScopedAdminMixin
from portal.pages import bureau_acts

from . import codes, services
from .models import (
    Child,
    Enrolment,
    FeeStatement,
    Guardian,
    LedgerEntry,
    Redemption,
    Settlement,
    Voucher,
    VoucherApplication,
    VoucherBatch,
    VoucherMonth,
)


class ReadOnlyMixin:
    """Viewable by those with view permission; nothing is added, changed or deleted here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyHistoryAdmin(ReadOnlyMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    pass


class VoucherCodeSearchMixin:
    """A code typed as printed (XXXX-XXXX-XXXX), in lower case or without dashes, is found."""

    code_lookup = "code"

    def get_search_results(self, request, queryset, search_term):
        code = codes.normalize(search_term)
        if code and len(code) <= codes.CODE_LENGTH and all(c in codes.ALPHABET for c in code):
            lookup = (
                self.code_lookup
                if len(code) == codes.CODE_LENGTH
                else f"{self.code_lookup}__contains"
            )
            return queryset.filter(**{lookup: code}), False
        return super().get_search_results(request, queryset, search_term)


# --- Families -------------------------------------------------------------------------------------


@admin.register(Guardian)
class GuardianAdmin(IdNumberSearchMixin, ReadOnlyHistoryAdmin):
    list_display = ["name", "phone", "id_number", "user"]
    search_fields = ["id_number_hash"]
    search_help_text = _("输入完整的18位身份证号码精确查找。")
    fields = ["name", "phone", "id_number", "user"]


@admin.register(Child)
class ChildAdmin(IdNumberSearchMixin, ReadOnlyHistoryAdmin):
    list_display = [
        "name",
        "id_number",
        "birth_date",
        "hukou_township",
        "has_residence_permit",
        "special_needs",
        "guardian",
    ]
    list_filter = ["hukou_township", "has_residence_permit", "special_needs"]
    list_select_related = ["hukou_township", "guardian"]
    search_fields = ["id_number_hash"]
    search_help_text = _("输入完整的18位身份证号码精确查找。")
    fields = [
        "guardian",
        "name",
        "id_number",
        "birth_date",
        "hukou_township",
        "has_residence_permit",
        "special_needs",
    ]
    # Not editable on the model: without this the history "view this version" page fails (500).
    readonly_fields = ["birth_date"]


# --- Batches ----------------------------------------------------------------------------------------


@admin.register(VoucherBatch)
class VoucherBatchAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = [
        "name",
        "face_value",
        "monthly_cap",
        "quantity_cap",
        "issued_count",
        "apply_from",
        "apply_until",
        "valid_from",
        "valid_until",
        "inclusive_only",
    ]
    list_filter = ["inclusive_only", "residence_rule"]
    search_fields = ["name"]
    readonly_fields = ["issued_count"]
    fieldsets = [
        (
            None,
            {"fields": ["name", ("face_value", "monthly_cap"), ("quantity_cap", "issued_count")]},
        ),
        (
            _("申请与有效期"),
            {"fields": [("apply_from", "apply_until"), ("valid_from", "valid_until")]},
        ),
        (
            _("申请条件与使用范围"),
            {"fields": [("min_age_months", "max_age_months"), "residence_rule", "inclusive_only"]},
        ),
    ]

    def has_delete_permission(self, request, obj=None):
        return False  # a batch is kept for the record; its vouchers point to it

    def save_model(self, request, obj, form, change):
        services.batch_save(batch=obj, actor=request.user)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            for message in error.messages:
                self.message_user(
                    request, gettext("未保存：%(message)s") % {"message": message}, messages.ERROR
                )
            return HttpResponseRedirect(request.get_full_path())


# --- Applications -----------------------------------------------------------------------------------


class RejectReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("不通过原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 3, "cols": 60})
    )


@admin.register(VoucherApplication)
class VoucherApplicationAdmin(IdNumberSearchMixin, ReadOnlyHistoryAdmin):
    id_number_hash_lookup = "child__id_number_hash"
    list_display = [
        "child",
        "child_id_number",
        "batch",
        "applied_on",
        "source",
        "eligible",
        "notes",
        "state",
    ]
    list_filter = ["state", "eligible", "source", "batch"]
    list_select_related = ["child", "batch"]
    search_fields = ["child__id_number_hash"]
    search_help_text = _("输入幼儿完整的18位身份证号码精确查找。")
    actions = ["approve_selected", "reject_selected"]
    fields = [
        "batch",
        "child",
        "institution",
        "source",
        "applied_on",
        "eligible",
        "eligibility_notes",
        "state",
        "reject_reason",
        "decided_at",
    ]

    @admin.display(description=_("幼儿身份证号码"))
    def child_id_number(self, obj):
        return str(obj.child.id_number)

    @admin.display(description=_("资格审查意见"))
    def notes(self, obj):
        return "；".join(obj.eligibility_notes or [])

    def has_decide_permission(self, request) -> bool:
        return bureau_acts(request.user)

    def _report(self, request, done: int, errors: list[str], success: str) -> None:
        if done:
            self.message_user(request, success % {"count": done}, messages.SUCCESS)
        for error in errors:
            self.message_user(request, error, messages.ERROR)

    @admin.action(description=_("通过所选申请并发放托育券"), permissions=["decide"])
    def approve_selected(self, request, queryset):
        done, errors = services.applications_decide_many(
            application_ids=list(queryset.values_list("pk", flat=True)),
            actor=request.user,
            approve=True,
        )
        self._report(request, done, errors, gettext("已通过%(count)s份申请，托育券已发放。"))

    @admin.action(description=_("所选申请不通过…"), permissions=["decide"])
    def reject_selected(self, request, queryset):
        form = RejectReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            done, errors = services.applications_decide_many(
                application_ids=list(queryset.values_list("pk", flat=True)),
                actor=request.user,
                approve=False,
                reason=form.cleaned_data["reason"],
            )
            self._report(request, done, errors, gettext("已将%(count)s份申请标记为未通过。"))
            return None
        return TemplateResponse(
            request,
            "admin/vouchers/reject_applications.html",
            {
                **self.admin_site.each_context(request),
                "title": gettext("填写不通过原因"),
                "opts": self.opts,
                "form": form,
                "applications": queryset.select_related("child", "batch"),
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


# --- Vouchers and the ledger ------------------------------------------------------------------------


class LedgerInline(ReadOnlyMixin, admin.TabularInline):
    model = LedgerEntry
    fields = ["created_at", "kind", "amount", "balance_after", "institution", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["created_at", "pk"]


@admin.register(Voucher)
class VoucherAdmin(VoucherCodeSearchMixin, ReadOnlyHistoryAdmin):
    list_display = [
        "display_code",
        "batch",
        "child",
        "status",
        "balance",
        "monthly_cap",
        "valid_until",
        "issued_at",
    ]
    list_filter = ["status", "batch"]
    list_select_related = ["batch", "child"]
    search_fields = ["code"]
    search_help_text = _("按券码搜索（可带或不带短横线）。")
    inlines = [LedgerInline]
    fields = [
        "code",
        "batch",
        "child",
        "application",
        "status",
        "face_value",
        "balance",
        "monthly_cap",
        "valid_from",
        "valid_until",
        "issued_at",
    ]
    # Not editable on the model: without this the history "view this version" page fails (500).
    readonly_fields = ["issued_at"]

    @admin.display(description=_("券码"), ordering="code")
    def display_code(self, obj):
        return codes.display(obj.code)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(VoucherCodeSearchMixin, ReadOnlyMixin, ScopedAdminMixin, admin.ModelAdmin):
    """The ledger is append-only: not even the bureau's administrators add, change or delete."""

    code_lookup = "voucher__code"
    list_display = [
        "created_at",
        "voucher",
        "kind",
        "amount",
        "balance_after",
        "institution",
        "reason",
    ]
    list_filter = ["kind"]
    list_select_related = ["voucher", "institution"]
    search_fields = ["voucher__code"]
    search_help_text = _("按券码搜索。")
    date_hierarchy = "created_at"


@admin.register(VoucherMonth)
class VoucherMonthAdmin(VoucherCodeSearchMixin, ReadOnlyMixin, ScopedAdminMixin, admin.ModelAdmin):
    code_lookup = "voucher__code"
    list_display = ["voucher", "fee_month", "used", "cap"]
    list_select_related = ["voucher"]
    search_fields = ["voucher__code"]


# --- Enrolments, redemptions, settlements -----------------------------------------------------------


@admin.register(Enrolment)
class EnrolmentAdmin(ReadOnlyHistoryAdmin):
    list_display = ["child", "institution", "start", "end"]
    list_select_related = ["child", "institution"]
    search_fields = ["institution__name"]
    list_filter = ["institution__township"]


@admin.register(Redemption)
class RedemptionAdmin(VoucherCodeSearchMixin, ReadOnlyHistoryAdmin):
    code_lookup = "voucher__code"
    list_display = [
        "created_at",
        "voucher",
        "institution",
        "fee_month",
        "amount",
        "status",
        "settlement",
    ]
    list_filter = ["status", "fee_month"]
    list_select_related = ["voucher", "institution", "settlement__institution"]
    search_fields = ["voucher__code", "institution__name"]
    search_help_text = _("按券码或机构名称搜索。")
    exclude = ["request_fingerprint"]


@admin.register(Settlement)
class SettlementAdmin(ReadOnlyHistoryAdmin):
    list_display = ["institution", "month", "state", "line_count", "total", "payment_reference"]
    list_filter = ["state", "month"]
    list_select_related = ["institution"]
    search_fields = ["institution__name", "institution__credit_code", "payment_reference"]


@admin.register(FeeStatement)
class FeeStatementAdmin(ReadOnlyHistoryAdmin):
    """入托缴费证明 as issued: read only (issued and revoked on the institution's page)."""

    list_display = [
        "institution",
        "child_masked_name",
        "first_month",
        "last_month",
        "total_family",
        "issued_at",
        "requested_by_family",
        "revoked_at",
    ]
    list_filter = ["requested_by_family", "first_month"]
    list_select_related = ["institution"]
    search_fields = ["institution__name", "code"]
    exclude = ["child"]  # the masked name says whose it is
