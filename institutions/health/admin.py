"""Admin of medical–childcare records (registered from InstitutionsConfig.ready: institutions/
admin.py is at its size limit). Attendance lists are not in the admin: they hold only keyed hashes, which nobody reads."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from portal.admin import ScopedAdminMixin

from ..admin_base import ServiceAdmin
from . import services
from .models import ContractServiceMonth, GuidanceVisit, HealthFacility, ScreeningMonth


@admin.register(HealthFacility)
class HealthFacilityAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "level", "kind", "township"]
    list_filter = ["level", "kind", "township"]
    search_fields = ["name"]
    filter_horizontal = ["users"]
    actions = ["link_by_name"]

    @admin.action(description=_("按名称关联未关联的签约和活动"))
    def link_by_name(self, request, queryset):
        contracts, sessions = services.link_by_name(actor=request.user)
        self.message_user(
            request,
            _("按名称关联了%(c)s份签约、%(s)s次活动。") % {"c": contracts, "s": sessions},
            messages.SUCCESS,
        )


class GuidanceVisitAdminForm(forms.ModelForm):
    class Meta:
        model = GuidanceVisit
        fields = [
            "institution",
            "facility",
            "instructor",
            "visited_on",
            "mode",
            "topics",
            "advice",
            "follow_up",
            "follow_up_by",
        ]

    def _post_clean(self):
        # The rules across records (contract on the day, who may be the instructor) next to
        # their fields; the save runs them again, in the service.
        super()._post_clean()
        try:
            services.guidance_check(self.instance)
        except ValidationError as error:
            self._update_errors(error)


@admin.register(GuidanceVisit)
class GuidanceVisitAdmin(ServiceAdmin):
    form = GuidanceVisitAdminForm
    list_display = ["visited_on", "institution", "facility", "instructor", "mode", "created_by"]
    list_filter = ["mode", "facility"]
    search_fields = ["institution__name", "advice"]
    date_hierarchy = "visited_on"
    raw_id_fields = ["institution", "instructor"]
    readonly_fields = ["created_by"]

    def save_model(self, request, obj, form, change):
        services.guidance_save(visit=obj, actor=request.user)


@admin.register(ScreeningMonth)
class ScreeningMonthAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = [
        "period",
        "facility",
        "development_screenings",
        "risk_assessments",
        "positive_cases",
        "home_visits",
    ]
    list_filter = ["facility__level", "facility"]
    date_hierarchy = "period"
    raw_id_fields = ["created_by"]


@admin.register(ContractServiceMonth)
class ContractServiceMonthAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = [
        "period",
        "contract",
        "health_education",
        "vaccination_checks",
        "growth_monitoring",
    ]
    list_filter = ["contract__facility"]
    date_hierarchy = "period"
    raw_id_fields = ["contract", "created_by"]
