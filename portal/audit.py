"""Searching the audit trail across every record: the history tables of django-simple-history
(every write to the registry, reports, vouchers, inspections and targets) and the admin's log
(imports and exports), as one list, newest first.

One SQL query for a page of results (a UNION ALL over the history tables, each filtered by the
same criteria and read through its `history_date` index) and one for the count.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.apps import apps
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.db.models import Case, CharField, F, QuerySet, Value, When
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from .roles import PORTAL_APPS

# What a history row or an admin log row says was done.
ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}
_LOG_FLAGS = {"+": ADDITION, "~": CHANGE, "-": DELETION}
ADMIN_LOG = "admin.logentry"
FIELDS = (
    "audit_at",
    "audit_user",
    "audit_name",
    "audit_action",
    "audit_label",
    "audit_key",
    "audit_note",
)


@dataclass(frozen=True)
class Criteria:
    label: str = ""  # "app.model" of one model, ADMIN_LOG for the admin's log, "" for all
    username: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    action: str = ""  # "+", "~" or "-"
    object_key: str = ""


def audited_models() -> list:
    """The portal's models that keep a history table, in app and name order."""
    found = [
        model
        for model in apps.get_models()
        if model._meta.app_label in PORTAL_APPS
        and not model._meta.object_name.startswith("Historical")
        and hasattr(model, "history")
    ]
    return sorted(found, key=lambda model: model._meta.label_lower)


def _narrowed(rows: QuerySet, criteria: Criteria, *, at: str, key: str) -> QuerySet:
    """The date range on the time column itself (its index), the record number on the key."""
    zone = timezone.get_current_timezone()
    if criteria.since:
        rows = rows.filter(**{f"{at}__gte": dt.datetime.combine(criteria.since, dt.time.min, zone)})
    if criteria.until:
        next_day = criteria.until + dt.timedelta(days=1)
        rows = rows.filter(**{f"{at}__lt": dt.datetime.combine(next_day, dt.time.min, zone)})
    if criteria.object_key:
        rows = rows.filter(**{key: criteria.object_key})
    return rows


def _history_rows(model, criteria: Criteria) -> QuerySet:
    history = model.history.model
    rows = history.objects.annotate(
        audit_at=F("history_date"),
        audit_user=Cast("history_user__username", CharField()),
        audit_name=Cast("history_user__first_name", CharField()),
        audit_action=Cast("history_type", CharField()),
        audit_label=Value(model._meta.label_lower, output_field=CharField()),
        audit_key=Cast(model._meta.pk.attname, CharField()),
        audit_note=Cast("history_change_reason", CharField()),
    )
    key = model._meta.pk.attname
    if criteria.object_key and not criteria.object_key.isdigit():
        return history.objects.none().values_list(*FIELDS)
    rows = _narrowed(rows, criteria, at="history_date", key=key)
    if criteria.username:
        rows = rows.filter(history_user__username=criteria.username)
    if criteria.action:
        rows = rows.filter(history_type=criteria.action)
    return rows.order_by().values_list(*FIELDS)


def _log_rows(criteria: Criteria) -> QuerySet:
    rows = LogEntry.objects.annotate(
        audit_at=F("action_time"),
        audit_user=Cast("user__username", CharField()),
        audit_name=Cast("user__first_name", CharField()),
        audit_action=Case(
            *(When(action_flag=flag, then=Value(symbol)) for symbol, flag in _LOG_FLAGS.items()),
            default=Value("~"),
            output_field=CharField(),
        ),
        audit_label=Concat(
            "content_type__app_label", Value("."), "content_type__model", output_field=CharField()
        ),
        audit_key=Cast("object_id", CharField()),
        audit_note=Cast("change_message", CharField()),
    )
    rows = _narrowed(rows, criteria, at="action_time", key="object_id")
    if criteria.username:
        rows = rows.filter(user__username=criteria.username)
    if criteria.action:
        rows = rows.filter(action_flag=_LOG_FLAGS[criteria.action])
    return rows.order_by().values_list(*FIELDS)


def search(criteria: Criteria) -> QuerySet:
    """Rows (time, username, display name, action, "app.model", record number, note), newest
    first."""
    parts = []
    if criteria.label in ("", ADMIN_LOG):
        parts.append(_log_rows(criteria))
    for model in audited_models():
        if criteria.label in ("", model._meta.label_lower):
            parts.append(_history_rows(model, criteria))
    if not parts:
        return LogEntry.objects.none().values_list(*FIELDS)
    first, *rest = parts
    return first.union(*rest, all=True).order_by("-audit_at")
