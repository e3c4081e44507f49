"""The audit search page (审计查询) in the admin: bureau admins and auditors search who changed
what and when, across every record (portal/audit.py)."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from . import audit
from .roles import Role, has_role

PAGE_SIZE = 50
ACTION_NAMES = {"+": gettext_lazy("新增"), "~": gettext_lazy("修改"), "-": gettext_lazy("删除")}


def may_search(user) -> bool:
    return user.is_superuser or has_role(user, Role.BUREAU_ADMIN, Role.AUDITOR)


def _model_choices() -> list[tuple[str, str]]:
    choices = [("", _("全部记录")), (audit.ADMIN_LOG, _("后台操作日志（导入、导出）"))]
    for model in audit.audited_models():
        meta = model._meta
        choices.append((meta.label_lower, f"{meta.app_config.verbose_name} · {meta.verbose_name}"))
    return choices


class AuditSearchForm(forms.Form):
    label = forms.ChoiceField(label=gettext_lazy("记录类型"), required=False)
    username = forms.CharField(label=gettext_lazy("操作人用户名"), required=False, max_length=150)
    since = forms.DateField(
        label=gettext_lazy("起始日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = forms.DateField(
        label=gettext_lazy("截止日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    action = forms.ChoiceField(
        label=gettext_lazy("操作"),
        required=False,
        choices=[("", gettext_lazy("全部")), *ACTION_NAMES.items()],
    )
    object_key = forms.CharField(label=gettext_lazy("记录编号"), required=False, max_length=40)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["label"].choices = _model_choices()

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError(_("起始日期不能晚于截止日期。"))
        return data

    def criteria(self) -> audit.Criteria:
        data = self.cleaned_data
        return audit.Criteria(
            label=data.get("label") or "",
            username=(data.get("username") or "").strip(),
            since=data.get("since"),
            until=data.get("until"),
            action=data.get("action") or "",
            object_key=(data.get("object_key") or "").strip(),
        )


def _note(label: str, note: str | None) -> str:
    if not note:
        return ""
    if label != audit.ADMIN_LOG and note.startswith("["):
        try:  # the admin's own change messages are JSON
            json.loads(note)
        except ValueError:
            return note
        return ""
    return note


def _history_url(label: str, object_key: str) -> str:
    app_label, model_name = label.split(".")
    try:
        return reverse(f"admin:{app_label}_{model_name}_history", args=[object_key])
    except NoReverseMatch:
        return ""


@require_GET
def audit_search(request):
    if not may_search(request.user):
        raise PermissionDenied
    form = AuditSearchForm(request.GET or None)
    rows, page = [], None
    if not request.GET or form.is_valid():
        criteria = form.criteria() if request.GET else audit.Criteria()
        page = Paginator(audit.search(criteria), PAGE_SIZE).get_page(request.GET.get("page"))
        names = dict(form.fields["label"].choices)
        for at, username, action, label, object_key, note in page.object_list:
            rows.append(
                {
                    "at": at,
                    "username": username or _("系统"),
                    "action": ACTION_NAMES.get(action, action),
                    "label": names.get(label, label),
                    "object_key": object_key,
                    "note": _note(label, note),
                    "history_url": _history_url(label, object_key) if object_key else "",
                }
            )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        **admin.site.each_context(request),
        "title": _("审计查询"),
        "form": form,
        "rows": rows,
        "page": page,
        "query": query.urlencode(),
    }
    return TemplateResponse(request, "admin/audit_search.html", context)
