"""The admin side of background imports: the confirm step queues a job, and a page follows it."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _

from . import services
from .models import ImportJob


class BackgroundImportMixin:
    """For an ImportExportMixin admin: a confirmed import of IMPORT_BACKGROUND_ROWS rows or more
    runs as a Celery task, and the user follows it on a progress page.

    Uses the admin's own confirm form, temporary storage, formats and resources, so the preview
    and the background import read the same file the same way.
    """

    def _job_url_name(self, view: str) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_{view}"

    def get_urls(self):
        return [
            path(
                "import/job/<int:job_id>/",
                self.admin_site.admin_view(self.import_job_view),
                name=self._job_url_name("import_job"),
            ),
            path(
                "import/job/<int:job_id>/state/",
                self.admin_site.admin_view(self.import_job_state_view),
                name=self._job_url_name("import_job_state"),
            ),
            *super().get_urls(),
        ]

    def process_import(self, request, **kwargs):
        if not self.has_import_permission(request):
            raise PermissionDenied
        confirm_form = self.create_confirm_form(request)
        if not confirm_form.is_valid():
            return super().process_import(request, **kwargs)  # shows the form's errors
        format_index = int(confirm_form.cleaned_data["format"])
        input_format = self.get_import_formats()[format_index](encoding=self.from_encoding)
        tmp_storage = self.get_tmp_storage_class()(
            name=confirm_form.cleaned_data["import_file_name"],
            encoding=None if input_format.is_binary() else self.from_encoding,
            read_mode=input_format.get_read_mode(),
            **self.get_tmp_storage_class_kwargs(),
        )
        data = tmp_storage.read()  # FileNotFoundError: already confirmed, handled by the caller
        dataset = input_format.create_dataset(data)
        if len(dataset) < settings.IMPORT_BACKGROUND_ROWS:
            # A short file is done in the request, quicker than a progress page would load.
            result = self.process_dataset(dataset, confirm_form, request, **kwargs)
            tmp_storage.remove()
            return self.process_result(result, request)
        resource_class = self.choose_import_resource_class(confirm_form, request)
        job = services.queue_import(
            model_label=self.model._meta.label_lower,
            user=request.user,
            data=data,
            format_index=format_index,
            resource_index=list(self.get_import_resource_classes(request)).index(resource_class),
            file_name=confirm_form.cleaned_data.get("original_file_name") or "",
        )
        tmp_storage.remove()
        return HttpResponseRedirect(
            reverse(f"{self.admin_site.name}:{self._job_url_name('import_job')}", args=[job.pk])
        )

    def _job(self, request, job_id: int) -> ImportJob:
        if not self.has_import_permission(request):
            raise PermissionDenied
        job = get_object_or_404(ImportJob, pk=job_id, model_label=self.model._meta.label_lower)
        if job.created_by_id != request.user.pk and not request.user.is_superuser:
            raise Http404
        return job

    def import_job_view(self, request, job_id: int):
        job = self._job(request, job_id)
        state = services.job_state(job)
        context = {
            **self.admin_site.each_context(request),
            "title": _("导入%(name)s") % {"name": self.opts.verbose_name},
            "subtitle": job.file_name,
            "opts": self.opts,
            "job": job,
            "state": state,
            "totals": _totals(job.totals),
            "state_url": reverse(
                f"{self.admin_site.name}:{self._job_url_name('import_job_state')}", args=[job.pk]
            ),
            "import_url": reverse(f"{self.admin_site.name}:{self._job_url_name('import')}"),
            "changelist_url": reverse(f"{self.admin_site.name}:{self._job_url_name('changelist')}"),
        }
        return TemplateResponse(request, "admin/institutions/import_job.html", context)

    def import_job_state_view(self, request, job_id: int):
        return JsonResponse(services.job_state(self._job(request, job_id)))


def _totals(totals: dict) -> list[tuple[str, int]]:
    names = {
        "new": _("新增"),
        "update": _("更新"),
        "delete": _("删除"),
        "skip": _("未变化，跳过"),
    }
    return [(names.get(key, key), count) for key, count in totals.items() if key in names]
