"""Reads of the pilot programme: whose tasks are whose, the office's board with its overdue and
at-risk rules, supervision, deliverables and the published catalogue."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Max, Prefetch, QuerySet
from django.utils.translation import gettext as _

from portal.roles import User

from .indicators import IndicatorReading, latest_readings
from .models import (
    CatalogueItem,
    Department,
    ProgressUpdate,
    Status,
    SubItem,
    SupervisionFinding,
    SupervisionRound,
    Task,
)

# The board's rules (stated on the page): an item not done is overdue once its due date has
# passed; it is at risk when its due date is within AT_RISK_DAYS days and it has had no update
# for AT_RISK_DAYS days, or when one of its linked indicators is not met.
AT_RISK_DAYS = 30


def department_ids_of(user: User | None) -> frozenset[int]:
    """The departments `user` belongs to, read once per user object."""
    if user is None or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_programme_department_ids", None)
    if cached is None:
        cached = frozenset(Department.objects.filter(users=user).values_list("pk", flat=True))
        user._programme_department_ids = cached
    return cached


def task_department_ids(task: Task) -> frozenset[int]:
    """The task's lead and co-responsible departments, and those the office assigned to one of
    its sub-items."""
    co = Task.co_responsible.through.objects.filter(task=task).values_list(
        "department_id", flat=True
    )
    assigned = SubItem.departments.through.objects.filter(subitem__task=task).values_list(
        "department_id", flat=True
    )
    return frozenset({task.lead_id, *co, *assigned})


def tasks() -> QuerySet[Task]:
    return Task.objects.select_related("lead").prefetch_related("co_responsible")


def task_detail(number: int) -> QuerySet[Task]:
    return (
        tasks()
        .filter(number=number)
        .prefetch_related(Prefetch("sub_items", SubItem.objects.prefetch_related("departments")))
    )


def updates_of(task: Task) -> QuerySet[ProgressUpdate]:
    return (
        ProgressUpdate.objects.filter(task=task)
        .select_related("department", "sub_item", "created_by")
        .prefetch_related("evidence")
    )


def findings_of(task: Task) -> QuerySet[SupervisionFinding]:
    return SupervisionFinding.objects.filter(task=task).select_related("round")


def rounds() -> QuerySet[SupervisionRound]:
    return SupervisionRound.objects.select_related("created_by", "closed_by")


def round_findings(supervision: SupervisionRound) -> QuerySet[SupervisionFinding]:
    return supervision.findings.select_related("task")


def published_catalogue() -> QuerySet[CatalogueItem]:
    """What the public sees of the catalogue: published items only."""
    return CatalogueItem.objects.filter(published=True).select_related("department")


def catalogue_summary() -> tuple[int, dt.datetime | None]:
    """For the dashboard's target 一(五): published items, and when the catalogue last changed
    (any item, published or withdrawn: a withdrawal is a change of what the public sees)."""
    published = CatalogueItem.objects.filter(published=True).count()
    last = CatalogueItem.history.aggregate(last=Max("history_date"))["last"]
    return published, last


# --- The board ------------------------------------------------------------------------------------


def is_overdue(*, due_date: dt.date | None, status: str, today: dt.date) -> bool:
    return due_date is not None and status != Status.DONE and due_date < today


def risk_reasons(
    *,
    due_date: dt.date | None,
    status: str,
    last_update: dt.date | None,
    readings: list[IndicatorReading],
    today: dt.date,
) -> list[str]:
    """Why an item is at risk (empty: it is not). Done items are never at risk."""
    if status == Status.DONE:
        return []
    reasons = []
    due_soon = due_date is not None and 0 <= (due_date - today).days <= AT_RISK_DAYS
    quiet = last_update is None or (today - last_update).days >= AT_RISK_DAYS
    if due_soon and quiet:
        reasons.append(_("%(n)s天内到期，且%(n)s天未填报进展") % {"n": AT_RISK_DAYS})
    for reading in readings:
        if reading.not_met:
            reasons.append(_("关联指标%(name)s未达标") % {"name": reading.indicator})
    return reasons


@dataclass
class BoardRow:
    item: Task | SubItem
    code: str  # "3" or "3.1"
    is_task: bool
    last_update: dt.date | None
    readings: list[IndicatorReading]
    overdue: bool
    reasons: list[str]
    own: bool = False
    sub_rows: list[BoardRow] = field(default_factory=list)

    @property
    def at_risk(self) -> bool:
        return bool(self.reasons)


def _row(item, code, is_task, last_update, readings_by_id, today) -> BoardRow:
    readings = [readings_by_id[i] for i in item.indicators if i in readings_by_id]
    last_day = last_update.date() if last_update else None
    return BoardRow(
        item=item,
        code=code,
        is_task=is_task,
        last_update=last_day,
        readings=readings,
        overdue=is_overdue(due_date=item.due_date, status=item.status, today=today),
        reasons=risk_reasons(
            due_date=item.due_date,
            status=item.status,
            last_update=last_day,
            readings=readings,
            today=today,
        ),
    )


def board(
    *, today: dt.date, user: User | None = None, phase: str = "", department: int | None = None
) -> list[BoardRow]:
    """Every task with its sub-items; the user's own department's tasks first. `phase` and
    `department` filter the tasks (a task shows when it or one of its sub-items matches)."""
    sub_items = SubItem.objects.annotate(last=Max("updates__created_at")).prefetch_related(
        "departments"
    )
    rows = list(
        tasks()
        .annotate(last=Max("updates__created_at"))
        .prefetch_related(Prefetch("sub_items", sub_items))
    )
    wanted = {i for task in rows for item in (task, *task.sub_items.all()) for i in item.indicators}
    readings = latest_readings(wanted)
    own_ids = department_ids_of(user)
    board_rows = []
    for task in rows:
        departments = {task.lead_id, *(d.pk for d in task.co_responsible.all())}
        subs = list(task.sub_items.all())
        for sub in subs:
            departments |= {d.pk for d in sub.departments.all()}
        if department and department not in departments:
            continue
        if phase and task.phase != phase and all(sub.phase != phase for sub in subs):
            continue
        row = _row(task, str(task.number), True, task.last, readings, today)
        row.own = bool(own_ids & departments)
        row.sub_rows = [
            _row(sub, f"{task.number}.{sub.number}", False, sub.last, readings, today)
            for sub in subs
        ]
        board_rows.append(row)
    board_rows.sort(key=lambda r: (not r.own, r.item.number))
    return board_rows


@dataclass
class BoardCounts:
    tasks: int
    overdue: int
    at_risk: int
    done: int


def board_counts(rows: list[BoardRow]) -> BoardCounts:
    items = [r for row in rows for r in (row, *row.sub_rows)]
    return BoardCounts(
        tasks=len(rows),
        overdue=sum(r.overdue for r in items),
        at_risk=sum(r.at_risk for r in items),
        done=sum(r.item.status == Status.DONE for r in items),
    )


def department_tasks(user: User | None, *, today: dt.date) -> list[BoardRow]:
    """The board's rows of the tasks `user`'s departments answer for (lead, co-responsible or
    assigned a sub-item), in the plan's order: what a department user's home lists. As many
    queries as the board, whatever the number of tasks."""
    if not department_ids_of(user):
        return []
    return [row for row in board(today=today, user=user) if row.own]
