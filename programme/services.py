"""Every write of the pilot programme: progress updates, the office's settings of a task,
supervision rounds and findings, deliverables, fund months and the catalogue. Each function is
transactional, checks who acts, and raises ValidationError (or PermissionDenied) with a message
a user can read; django-simple-history records who changed what."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.validators import validate_evidence_file, validate_file_count
from portal.pages import bureau_acts
from portal.roles import Role, User, can_write, has_role

from .models import (
    CatalogueItem,
    Deliverable,
    Department,
    Fund,
    FundMonth,
    ProgressEvidence,
    ProgressUpdate,
    Status,
    SubItem,
    SupervisionFinding,
    SupervisionRound,
    Task,
)
from .selectors import department_ids_of, task_department_ids
from .validators import validate_fund_month

TEXT_MAX = 4000


# --- Who acts -------------------------------------------------------------------------------------


def office_acts(user: User | None) -> bool:
    """The task force's office: bureau staff who may write (the office sits in the health bureau)."""
    return bureau_acts(user)


def reporting_departments(user: User | None, task: Task) -> list[Department]:
    """The departments `user` may report progress for on `task`: its own departments among the
    task's lead, co-responsible and sub-item departments. Read-only roles report for none."""
    if user is None or not can_write(user) or not has_role(user, Role.DEPARTMENT):
        return []
    own = department_ids_of(user) & task_department_ids(task)
    return list(Department.objects.filter(pk__in=own).order_by("order"))


def may_report(user: User | None, task: Task) -> bool:
    return office_acts(user) or bool(reporting_departments(user, task))


def _require_office(actor: User) -> None:
    if not office_acts(actor):
        raise PermissionDenied(_("只有专班办公室（卫健局工作人员）可以执行此操作。"))


# --- Progress -------------------------------------------------------------------------------------


@transaction.atomic
def progress_update_create(
    *,
    task: Task,
    actor: User,
    text: str,
    sub_item: SubItem | None = None,
    department: Department | None = None,
    status: str = "",
    files: list | None = None,
) -> ProgressUpdate:
    """A department's (or the office's) progress report on a task, with evidence files; a status
    given here becomes the task's (or the sub-item's) status."""
    files = files or []
    task = Task.objects.select_for_update().get(pk=task.pk)
    allowed = reporting_departments(actor, task)
    if department is None:
        department = allowed[0] if allowed else Department.objects.filter(hosts_office=True).first()
    if department not in allowed and not office_acts(actor):
        raise PermissionDenied(_("只有该任务的责任单位可以填报进展。"))
    errors = {}
    text = (text or "").strip()
    if not text:
        errors["text"] = _("请填写进展情况。")
    elif len(text) > TEXT_MAX:
        errors["text"] = _("进展情况不能超过%(n)s字。") % {"n": TEXT_MAX}
    if sub_item is not None and sub_item.task_id != task.pk:
        errors["sub_item"] = _("该子项不属于此任务。")
    if status and status not in Status.values:
        errors["status"] = _("状态无效。")
    try:
        validate_file_count(files)
        for file in files:
            validate_evidence_file(file)
    except ValidationError as error:
        errors["files"] = error.messages
    if errors:
        raise ValidationError(errors)
    update = ProgressUpdate.objects.create(
        task=task,
        sub_item=sub_item,
        department=department,
        text=text,
        status=status,
        created_by=actor,
    )
    for file in files:
        ProgressEvidence.objects.create(update=update, file=file)
    if status:
        item = sub_item or task
        item.status = status
        item._change_reason = f"progress_update:{update.pk}"
        item.save(update_fields=["status"])
    return update


@transaction.atomic
def task_settings_save(
    *,
    item: Task | SubItem,
    actor: User,
    status: str,
    due_date: dt.date | None,
    owner: str,
    phase: str,
) -> Task | SubItem:
    """The office sets what the plan leaves silent: due date, owner, phase; and the status."""
    _require_office(actor)
    item = type(item).objects.select_for_update().get(pk=item.pk)
    item.status, item.due_date, item.owner, item.phase = status, due_date, owner.strip(), phase
    item.full_clean(exclude=["lead", "task"])
    item.save()
    return item


# --- Supervision ----------------------------------------------------------------------------------


@transaction.atomic
def round_create(*, actor: User, title: str, held_on: dt.date, note: str = "") -> SupervisionRound:
    _require_office(actor)
    supervision = SupervisionRound(
        title=(title or "").strip(), held_on=held_on, note=note.strip(), created_by=actor
    )
    supervision.full_clean()
    supervision.save()
    return supervision


def _open_round(supervision: SupervisionRound) -> SupervisionRound:
    supervision = SupervisionRound.objects.select_for_update().get(pk=supervision.pk)
    if supervision.is_closed:
        raise ValidationError(_("该督导已关闭，不能再修改。"))
    return supervision


@transaction.atomic
def finding_add(
    *, supervision: SupervisionRound, task: Task, text: str, actor: User
) -> SupervisionFinding:
    _require_office(actor)
    supervision = _open_round(supervision)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("请填写督导发现。")})
    return SupervisionFinding.objects.create(round=supervision, task=task, text=text)


@transaction.atomic
def finding_follow_up(
    *, finding: SupervisionFinding, follow_up: str, resolved: bool, actor: User
) -> SupervisionFinding:
    _require_office(actor)
    _open_round(finding.round)
    finding = SupervisionFinding.objects.select_for_update().get(pk=finding.pk)
    finding.follow_up, finding.resolved = (follow_up or "").strip(), resolved
    if finding.resolved and not finding.follow_up:
        raise ValidationError({"follow_up": _("标记为已解决前须填写跟进情况。")})
    finding.save()
    return finding


@transaction.atomic
def round_close(*, supervision: SupervisionRound, actor: User) -> SupervisionRound:
    _require_office(actor)
    supervision = _open_round(supervision)
    supervision.closed_at, supervision.closed_by = timezone.now(), actor
    supervision.save(update_fields=["closed_at", "closed_by"])
    return supervision


# --- Deliverables, funds, catalogue ---------------------------------------------------------------


@transaction.atomic
def deliverable_save(
    *,
    deliverable: Deliverable,
    actor: User,
    state: str,
    due_date: dt.date | None,
    done_on: dt.date | None,
    note: str = "",
    file=None,
) -> Deliverable:
    _require_office(actor)
    deliverable = Deliverable.objects.select_for_update().get(pk=deliverable.pk)
    deliverable.state, deliverable.due_date, deliverable.done_on = state, due_date, done_on
    deliverable.note = note.strip()
    if file:
        validate_evidence_file(file)
        deliverable.file = file
    if state == Deliverable.State.DONE and done_on is None:
        raise ValidationError({"done_on": _("已完成的成果须填写完成日期。")})
    deliverable.full_clean(exclude=["file"])
    deliverable.save()
    return deliverable


@transaction.atomic
def fund_month_save(
    *,
    fund: Fund,
    period: dt.date,
    actor: User,
    use: str = "",
    budget: Decimal | None = None,
    spent: Decimal | None = None,
) -> FundMonth:
    """Budget and spending of a fund (and, for the provincial subsidy, one of its six uses) in a
    month. The vouchers use's spending is the voucher ledger's, never typed."""
    _require_office(actor)
    validate_fund_month(fund=fund, use=use, period=period, budget=budget, spent=spent)
    row, _created = FundMonth.objects.select_for_update().get_or_create(
        fund=fund, use=use, period=period
    )
    row.budget, row.spent = budget, spent
    row.save()
    return row


@transaction.atomic
def catalogue_item_save(*, item: CatalogueItem, actor: User) -> CatalogueItem:
    """Create or change a catalogue item (published or not); the history keeps every version."""
    _require_office(actor)
    item.full_clean()
    item.save()
    return item
