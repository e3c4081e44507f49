"""The bureau's admin for the registry.

Every write goes through `institutions.services` with the signed-in user as the actor, so the
admin holds no rules of its own; every queryset goes through `ScopedAdminMixin`. Institutions,
staff and certificates also move in and out as spreadsheets (`institutions.resources`).
"""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse, HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import XLSX
from simple_history.admin import SimpleHistoryAdmin

from portal.personal_data import keyed_hash
from portal.roles import is_bureau
from portal.spreadsheets import SPREADSHEET_FORMATS, SpreadsheetFileError
from portal.validators import normalize_resident_id

from .admin_base import (
    DatedChangeAdminMixin,
    DatedRecordAdmin,
    RecordsInline,
    RegistryInline,
    ServiceAdmin,
)
from .forms import SpreadsheetImportForm
from .import_jobs.admin import BackgroundImportMixin
from .models import (
    ApprovedPlaces,
    CareContract,
    Certificate,
    Community,
    CommunityFacts,
    DemonstrationUnit,
    FeeStandard,
    IdlePremises,
    InclusiveRecognition,
    Institution,
    InstitutionDetails,
    InstructorAssignment,
    PanicAlarm,
    PublicFeeStandard,
    StaffMember,
    StaffRoleRecord,
    StarRating,
    Township,
)
from .resources import (
    CertificateResource,
    IdlePremisesResource,
    InstitutionResource,
    StaffMemberResource,
    save_institution,
)
from .selectors import filed_and_open, institutions_as_of

# A complete resident ID number typed into the search box: looked up by its keyed hash, since the
# stored number is encrypted and cannot be searched as text.
FULL_RESIDENT_ID = re.compile(r"\d{17}[\dX]")


class SpreadsheetAdminMixin(BackgroundImportMixin, ImportExportMixin):
    """Import (preview, then confirm) and export as xlsx or csv, plus an empty template per import.

    An import is all or nothing: the preview runs every row in a transaction that is rolled back,
    the confirm button appears only when no row failed, and the confirmed import is rolled back
    too if a row fails then (the data changed in between, or the confirm was forged).
    """

    import_formats = SPREADSHEET_FORMATS
    export_formats = SPREADSHEET_FORMATS
    import_form_class = SpreadsheetImportForm
    import_template_name = "admin/institutions/import.html"
    import_export_change_list_template = "admin/institutions/change_list_import_export.html"
    # A list of people (names, masked ID numbers) leaves the portal only through bureau staff;
    # other readers (auditors, inspectors, education staff) see it on screen only.
    exports_personal_data = False

    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request):
        if self.exports_personal_data and not is_bureau(request.user):
            return False
        return self.has_view_permission(request)

    def get_export_data(self, file_format, request, queryset, **kwargs):
        """The file, and an admin log entry saying who exported how many rows of what."""
        if not self.has_export_permission(request):
            raise PermissionDenied
        dataset = self.get_data_for_export(
            request, queryset, force_native_type=isinstance(file_format, XLSX), **kwargs
        )
        data = file_format.export_data(dataset)
        encoding = kwargs.get("encoding")
        if not file_format.is_binary() and encoding:
            data = data.encode(encoding)
        # In the site's language whatever the exporter's browser says, so that one search finds
        # every export.
        with translation.override(settings.LANGUAGE_CODE):
            LogEntry.objects.create(
                user=request.user,
                content_type=ContentType.objects.get_for_model(self.model),
                object_repr=gettext("%(name)s导出") % {"name": self.opts.verbose_name},
                action_flag=CHANGE,
                change_message=gettext("导出 %(rows)s 行 (%(format)s)")
                % {"rows": len(dataset), "format": file_format.get_extension()},
            )
        return data

    def add_data_read_fail_error_to_form(self, form, e):
        # The library's message names the exception in English; ours says what is wrong with the
        # file. Exception text from a parser is not shown: it may quote the file's content.
        if isinstance(e, SpreadsheetFileError):
            form.add_error("import_file", str(e))
        else:
            form.add_error(
                "import_file",
                gettext(
                    "文件无法读取，请确认所选格式（xlsx 或 csv）与文件一致，或下载导入模板重新填写。"
                ),
            )

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        # Invalid rows roll back the valid ones too, not only rows that raised.
        kwargs["rollback_on_validation_errors"] = True
        return kwargs

    def _url_name(self, view: str) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_{view}"

    def _url(self, view: str) -> str:
        return reverse(f"{self.admin_site.name}:{self._url_name(view)}")

    def get_urls(self):
        return [
            path(
                "import-template/",
                self.admin_site.admin_view(self.import_template_view),
                name=self._url_name("import_template"),
            ),
            *super().get_urls(),
        ]

    def import_template_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        resource_class = self.get_import_resource_classes(request)[0]
        response = HttpResponse(resource_class.template_xlsx(), content_type=XLSX.CONTENT_TYPE)
        filename = gettext("%(name)s导入模板.xlsx") % {"name": self.opts.verbose_name}
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return response

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        if not isinstance(response, TemplateResponse):
            return response
        context = response.context_data
        result = context.get("result")
        if result is not None and (result.has_errors() or result.has_validation_errors()):
            resource = self.get_import_resource_classes(request)[0]()
            context["import_error_messages"] = resource.error_messages(result)
        context["import_template_url"] = self._url("import_template")
        context["import_max_size"] = filesizeformat(settings.IMPORT_MAX_BYTES)
        context["import_max_rows"] = settings.IMPORT_MAX_ROWS
        self._discard_unconfirmable_upload(request, context)
        return response

    def _discard_unconfirmable_upload(self, request, context) -> None:
        """Remove the uploaded file when it cannot be confirmed: a staff list holds ID numbers,
        and a file with errors would otherwise stay in the temporary folder."""
        if context.get("confirm_form") is not None:
            return
        upload = request.FILES.get("import_file")
        name = getattr(upload, "tmp_storage_name", None)
        if not name:
            return
        storage = self.get_tmp_storage_class()(name=name, **self.get_tmp_storage_class_kwargs())
        try:
            storage.remove()
        except FileNotFoundError:
            pass

    def process_import(self, request, **kwargs):
        try:
            return super().process_import(request, **kwargs)
        except FileNotFoundError:
            # The confirmed file is gone: confirmed twice (a double click), or never previewed.
            self.message_user(
                request, gettext("导入文件已失效（可能已经导入过），请重新上传。"), messages.ERROR
            )
            return HttpResponseRedirect(self._url("import"))

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            # Rolled back by import_data; nothing was written.
            resource = self.get_import_resource_classes(request)[0]()
            self.message_user(request, gettext("导入未完成，没有写入任何数据。"), messages.ERROR)
            for line in resource.error_messages(result):
                self.message_user(request, line, messages.ERROR)
            return HttpResponseRedirect(self._url("import"))
        return super().process_result(result, request)


class IdNumberSearchMixin:
    """A full 18-character ID number in the search box finds the person by the keyed hash."""

    id_number_hash_lookup = "id_number_hash"

    def get_search_results(self, request, queryset, search_term):
        term = normalize_resident_id(search_term)
        if FULL_RESIDENT_ID.fullmatch(term):
            return queryset.filter(**{self.id_number_hash_lookup: keyed_hash(term)}), False
        return super().get_search_results(request, queryset, search_term)


# --- Filters --------------------------------------------------------------------------------------


class InclusiveStatusFilter(admin.SimpleListFilter):
    title = _("普惠认定（今日）")
    parameter_name = "inclusive"

    def lookups(self, request, model_admin):
        return [("yes", _("认定有效")), ("no", _("无有效认定"))]

    def queryset(self, request, queryset):
        if self.value() not in {"yes", "no"}:
            return queryset
        if "is_inclusive" not in queryset.query.annotations:
            queryset = institutions_as_of(timezone.localdate(), queryset)
        return queryset.filter(is_inclusive=self.value() == "yes")


class FilingStateFilter(admin.SimpleListFilter):
    title = _("备案状态（今日）")
    parameter_name = "filing"

    def lookups(self, request, model_admin):
        return [
            ("open", _("已备案在办")),
            ("unfiled", _("尚未备案")),
            ("closed", _("已注销/停办")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        closed = Q(closed_on__lte=today)
        if self.value() == "open":
            return queryset.filter(filed_and_open(today))
        if self.value() == "unfiled":
            return queryset.filter(Q(filed_on__isnull=True) | Q(filed_on__gt=today)).exclude(closed)
        if self.value() == "closed":
            return queryset.filter(closed)
        return queryset


# --- Townships and communities --------------------------------------------------------------------


@admin.register(Township)
class TownshipAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "kind", "is_urban"]
    list_filter = ["kind", "is_urban"]
    search_fields = ["code", "name"]


class CommunityFactsInline(RecordsInline):
    model = CommunityFacts
    fields = ["effective_from", "is_new", "residents", "delivered_places"]


@admin.register(Community)
class CommunityAdmin(DatedChangeAdminMixin, ServiceAdmin):
    inlines = [CommunityFactsInline]
    list_display = [
        "name",
        "township",
        "residents",
        "is_new",
        "delivered_on",
        "planned_places",
        "delivered_places",
    ]
    list_filter = ["township", "is_new"]
    search_fields = ["name", "township__name"]
    list_select_related = ["township"]


# --- Institutions and their dated records ---------------------------------------------------------


class ApprovedPlacesInline(RegistryInline):
    model = ApprovedPlaces
    fields = ["effective_from", "infant", "toddler", "older", "mixed", "note"]


class FeeStandardInline(RegistryInline):
    model = FeeStandard
    fields = ["effective_from", "monthly_full_day", "monthly_half_day", "note"]


class StarRatingInline(RegistryInline):
    model = StarRating
    fields = ["effective_from", "stars", "note"]


class InclusiveRecognitionInline(RegistryInline):
    model = InclusiveRecognition
    fields = ["valid_from", "valid_to", "document_number"]


class DemonstrationUnitInline(RegistryInline):
    model = DemonstrationUnit
    fields = ["level", "title", "valid_from", "valid_to", "awarded_by", "document_number"]


class CareContractInline(RegistryInline):
    model = CareContract
    fields = ["valid_from", "valid_to", "health_facility", "facility"]


class InstructorAssignmentInline(RegistryInline):
    model = InstructorAssignment
    fields = ["effective_from", "instructor", "note"]
    autocomplete_fields = ["instructor"]


class InstitutionDetailsInline(RecordsInline):
    model = InstitutionDetails
    fields = [
        "effective_from",
        "kind",
        "township",
        "is_inclusive_kindergarten",
        "special_needs_care",
    ]


class PanicAlarmInline(RecordsInline):
    model = PanicAlarm
    fields = ["valid_from", "valid_to"]
    verbose_name_plural = _("一键式报警（安装日期至拆除前一日）")


@admin.register(Institution)
class InstitutionAdmin(SpreadsheetAdminMixin, DatedChangeAdminMixin, ServiceAdmin):
    resource_classes = [InstitutionResource]
    list_display = [
        "name",
        "credit_code",
        "kind",
        "township",
        "places_total",
        "is_inclusive",
        "filed_on",
        "closed_on",
    ]
    list_filter = ["township", "kind", "ownership", InclusiveStatusFilter, FilingStateFilter]
    search_fields = ["name", "credit_code", "filing_number"]
    search_help_text = _("按机构名称、统一社会信用代码或备案编号搜索。")
    list_select_related = ["township"]
    # Each row reads the registry's dated facts and the admin's per-row rendering is slow: 50 rows
    # a page keep the list fast at a province's scale (issue 21).
    list_per_page = 50
    autocomplete_fields = ["operators", "community"]
    fieldsets = [
        (
            _("基本信息"),
            {
                "fields": [
                    "name",
                    ("credit_code", "credit_code_override_reason"),
                    ("kind", "ownership"),
                    ("township", "community"),
                    "address",
                    ("latitude", "longitude"),
                    "contact_phone",
                ]
            },
        ),
        (_("备案"), {"fields": ["filing_number", ("filed_on", "closed_on")]}),
        (
            _("服务与安全"),
            {
                "fields": [
                    "special_needs_care",
                    "is_inclusive_kindergarten",
                    ("panic_alarm_installed_on", "panic_alarm_removed_on"),
                    "effective_from",
                ]
            },
        ),
        (_("机构经办人"), {"fields": ["operators"]}),
    ]
    inlines = [
        ApprovedPlacesInline,
        FeeStandardInline,
        StarRatingInline,
        InclusiveRecognitionInline,
        DemonstrationUnitInline,
        CareContractInline,
        InstructorAssignmentInline,
        InstitutionDetailsInline,
        PanicAlarmInline,
    ]

    def get_queryset(self, request):
        # Today's places and recognition come from the dated records, in the list's one query.
        return institutions_as_of(timezone.localdate(), super().get_queryset(request))

    @admin.display(description=_("核定托位（今日）"), ordering="places_total")
    def places_total(self, obj):
        return obj.places_total

    @admin.display(description=_("普惠（今日）"), boolean=True, ordering="is_inclusive")
    def is_inclusive(self, obj):
        return obj.is_inclusive

    def save_model(self, request, obj, form, change):
        save_institution(
            obj,
            actor=request.user,
            operators=form.cleaned_data.get("operators"),
            effective_from=form.cleaned_data.get("effective_from"),
        )

    def save_related(self, request, form, formsets, change):
        # The service has set the operators (the form's only many-to-many field) already.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


@admin.register(ApprovedPlaces)
class ApprovedPlacesAdmin(DatedRecordAdmin):
    list_display = ["institution", "effective_from", "infant", "toddler", "older", "mixed", "total"]

    @admin.display(description=_("合计"))
    def total(self, obj):
        return obj.total


@admin.register(FeeStandard)
class FeeStandardAdmin(DatedRecordAdmin):
    list_display = ["institution", "effective_from", "monthly_full_day", "monthly_half_day"]


@admin.register(StarRating)
class StarRatingAdmin(DatedRecordAdmin):
    list_display = ["institution", "effective_from", "stars"]
    list_filter = ["stars", "institution__township"]


@admin.register(InstructorAssignment)
class InstructorAssignmentAdmin(DatedRecordAdmin):
    list_display = ["institution", "effective_from", "instructor"]
    list_select_related = ["institution", "instructor"]
    autocomplete_fields = ["institution", "instructor"]


@admin.register(InclusiveRecognition)
class InclusiveRecognitionAdmin(DatedRecordAdmin):
    list_display = ["institution", "valid_from", "valid_to", "document_number"]
    search_fields = ["institution__name", "institution__credit_code", "document_number"]


@admin.register(DemonstrationUnit)
class DemonstrationUnitAdmin(DatedRecordAdmin):
    list_display = ["institution", "level", "title", "valid_from", "valid_to", "document_number"]
    list_filter = ["level", "institution__township"]
    search_fields = ["institution__name", "title", "document_number"]


@admin.register(IdlePremises)
class IdlePremisesAdmin(SpreadsheetAdminMixin, ServiceAdmin):
    resource_classes = [IdlePremisesResource]
    list_display = ["name", "township", "floor_area", "state", "institution", "offered_on"]
    list_filter = ["state", "township"]
    list_select_related = ["township", "institution"]
    search_fields = ["name", "owner", "address", "institution__name"]
    autocomplete_fields = ["institution"]
    date_hierarchy = "offered_on"


# The city's public fee standard: reference data keyed from the price department's documents, no
# service of its own (the history middleware records who changed what).
@admin.register(PublicFeeStandard)
class PublicFeeStandardAdmin(SimpleHistoryAdmin):
    list_display = [
        "ownership",
        "class_type",
        "effective_from",
        "monthly_full_day",
        "monthly_half_day",
        "document",
    ]
    list_filter = ["ownership", "class_type"]
    search_fields = ["document", "note"]
    date_hierarchy = "effective_from"


@admin.register(CareContract)
class CareContractAdmin(DatedRecordAdmin):
    list_display = ["institution", "valid_from", "valid_to", "health_facility", "facility"]
    search_fields = ["institution__name", "institution__credit_code", "health_facility"]


# --- Staff and certificates -----------------------------------------------------------------------


class CertificateInline(RegistryInline):
    model = Certificate
    fields = ["kind", "number", "issued_on", "expires_on"]


class StaffRoleInline(RecordsInline):
    model = StaffRoleRecord
    fields = ["effective_from", "role"]


@admin.register(StaffMember)
class StaffMemberAdmin(
    IdNumberSearchMixin, SpreadsheetAdminMixin, DatedChangeAdminMixin, ServiceAdmin
):
    resource_classes = [StaffMemberResource]
    exports_personal_data = True
    list_display = ["name", "masked_id_number", "institution", "role", "hired_on", "left_on"]
    list_filter = ["role", "institution__township"]
    search_fields = ["name", "institution__name"]
    search_help_text = _("按姓名或机构名称搜索；输入完整的18位身份证号码可精确查找本人。")
    list_select_related = ["institution"]
    autocomplete_fields = ["institution"]
    inlines = [CertificateInline, StaffRoleInline]

    @admin.display(description=_("身份证号码"))
    def masked_id_number(self, obj: StaffMember) -> str:
        return str(obj.id_number)


@admin.register(Certificate)
class CertificateAdmin(IdNumberSearchMixin, SpreadsheetAdminMixin, ServiceAdmin):
    resource_classes = [CertificateResource]
    exports_personal_data = True
    id_number_hash_lookup = "staff__id_number_hash"
    list_display = ["staff", "institution", "kind", "number", "issued_on", "expires_on"]
    list_filter = ["kind", "staff__institution__township"]
    search_fields = ["number", "staff__name", "staff__institution__name"]
    search_help_text = _(
        "按证书编号、姓名或机构名称搜索；输入完整的18位身份证号码可查找本人的证书。"
    )
    list_select_related = ["staff__institution"]
    autocomplete_fields = ["staff"]

    @admin.display(description=_("机构"), ordering="staff__institution__name")
    def institution(self, obj: Certificate):
        return obj.staff.institution
