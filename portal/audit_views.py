"""The audit search page (审计查询) in the admin: bureau admins and auditors search who changed
what and when, across every record (portal/audit.py)."""

from __future__ import annotations

import datetime as dt
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


# The reasons the services write into history rows (short codes), as the page says them.
REASON_NAMES = {
    "created": gettext_lazy("创建"),
    "updated": gettext_lazy("修改"),
    "answered": gettext_lazy("填写检查项"),
    "photo": gettext_lazy("上传照片"),
    "completed": gettext_lazy("完成检查"),
    "found": gettext_lazy("发现问题"),
    "drawn": gettext_lazy("随机抽取"),
    "published": gettext_lazy("公示"),
    "submitted": gettext_lazy("提交整改"),
    "rectification submitted": gettext_lazy("提交整改"),
    "evidence": gettext_lazy("上传整改材料"),
    "closed": gettext_lazy("验收销号"),
    "sent back": gettext_lazy("退回重改"),
    "recorded": gettext_lazy("记录"),
    "reported": gettext_lazy("报告"),
    "follow-up": gettext_lazy("跟进"),
}
# Rows by one person on one kind of record, with the same action and note, this close together,
# are one line (an inspection's autosave writes a row per checklist item).
GROUP_WITHIN = dt.timedelta(minutes=10)


def _note(label: str, note: str | None) -> str:
    if not note:
        return ""
    if note in REASON_NAMES:
        return str(REASON_NAMES[note])
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


def _add_grouped(rows: list[dict], row: dict) -> None:
    """Append `row`, or count it into the line above when it is the same person doing the same
    thing to the same kind of record within GROUP_WITHIN (newest first, so `first_at` moves
    back)."""
    if rows:
        last = rows[-1]
        same = all(last[key] == row[key] for key in ("username", "action", "label", "note"))
        if same and last["first_at"] - row["at"] <= GROUP_WITHIN:
            last["count"] += 1
            last["first_at"] = row["at"]
            if row["object_key"] != last["object_key"]:
                last["history_url"] = ""
            return
    rows.append(row)


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
        for at, username, name, action, label, object_key, note in page.object_list:
            row = {
                "at": at,
                "username": username or "",
                "name": name or username or _("系统"),
                "action": ACTION_NAMES.get(action, action),
                "label": names.get(label, label),
                "object_key": object_key,
                "note": _note(label, note),
                "history_url": _history_url(label, object_key) if object_key else "",
                "count": 1,
                "first_at": at,
            }
            _add_grouped(rows, row)
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
