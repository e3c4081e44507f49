"""The bureau defines criteria sets here (items, maximum scores, the total each star level
needs). Applications are read here; they change only through the pages (ratings.services)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from portal.admin import ScopedAdminMixin

from .models import CriteriaSet, Criterion, RatingApplication, StarThreshold


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ["order", "text", "max_score"]


class StarThresholdInline(admin.TabularInline):
    model = StarThreshold
    extra = 0
    max_num = 5
    fields = ["stars", "min_score"]


@admin.register(CriteriaSet)
class CriteriaSetAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "valid_from", "note"]
    search_fields = ["name"]
    inlines = [CriterionInline, StarThresholdInline]


@admin.register(RatingApplication)
class RatingApplicationAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = [
        "institution",
        "stars_applied",
        "state",
        "review_total",
        "stars_granted",
        "decided_on",
    ]
    list_filter = ["state", "criteria_set"]
    search_fields = ["institution__name"]
    readonly_fields = [f.name for f in RatingApplication._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
