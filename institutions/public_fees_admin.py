"""The admin of the city's public fee standard (imported by institutions/admin.py, which is full).

Reference data the bureau keys from the price department's documents: no service of its own; the
history records who changed what (simple-history's middleware gives the user).
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .public_fees import PublicFeeStandard


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
