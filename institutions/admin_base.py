"""The registry admin's building blocks: saves and deletes through the services, inlines scoped
to the signed-in user, dated records' own lists. Used by institutions/admin.py and by the admin of
every record kept in this app (institutions/health/, recognitions)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.utils.translation import gettext
from simple_history.admin import SimpleHistoryAdmin

from portal.admin import ScopedAdminMixin

from .forms import EffectiveFromAdminForm
from .models import Certificate
from .services import certificate_save, record_delete, registry_record_save


def save_record(record, *, actor, effective_from=None) -> None:
    if isinstance(record, Certificate):
        certificate_save(certificate=record, actor=actor)
    else:
        registry_record_save(record=record, actor=actor, effective_from=effective_from)


class ServiceAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    """An admin whose saves and deletes, inlines included, are calls to the services."""

    def save_model(self, request, obj, form, change):
        save_record(obj, actor=request.user)

    def delete_model(self, request, obj):
        record_delete(record=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        # One by one so that each deletion is in the history with its user.
        with transaction.atomic():
            for obj in queryset:
                record_delete(record=obj, actor=request.user)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            record_delete(record=obj, actor=request.user)
        for instance in instances:
            save_record(instance, actor=request.user)
        formset.save_m2m()

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            # The forms passed but the service refused: a rule a single form cannot see, such as
            # two new rows of one page overlapping each other. The view's transaction has rolled
            # everything back; say why rather than fail with a server error.
            for message in error.messages:
                self.message_user(
                    request, gettext("未保存：%(message)s") % {"message": message}, messages.ERROR
                )
            return HttpResponseRedirect(request.get_full_path())


class RegistryInline(ScopedAdminMixin, admin.TabularInline):
    extra = 0


class DatedChangeAdminMixin:
    """Saves with the day a change of the dated facts takes effect (EffectiveFromAdminForm)."""

    form = EffectiveFromAdminForm

    def save_model(self, request, obj, form, change):
        save_record(obj, actor=request.user, effective_from=form.cleaned_data.get("effective_from"))


class RecordsInline(RegistryInline):
    """The dated records the services write: listed, not edited here (edit the record above,
    with the day the change takes effect)."""

    can_delete = False
    max_num = 0

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False


class DatedRecordAdmin(ServiceAdmin):
    """Dated records also have lists of their own, for looking across institutions."""

    list_select_related = ["institution"]
    list_filter = ["institution__township"]
    search_fields = ["institution__name", "institution__credit_code"]
    autocomplete_fields = ["institution"]
