"""Checklists and inspections: start, fill (drafts and photos), complete; failed items become
findings with their severity's deadline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from institutions.models import Institution

from .. import notify
from ..models import (
    ChecklistItem,
    ChecklistTemplate,
    DrawAssignment,
    Finding,
    Inspection,
    InspectionKind,
    InspectionPhoto,
    InspectionResult,
    default_deadline,
)
from ..selectors import (
    active_template,
    conflicted_pairs,
    outcome_for,
    score_of,
)
from ..validators import (
    field_error,
    validate_inspectors,
    validate_photo_file,
    validate_public_wording,
)
from .common import (
    NotAllowed,
    _history,
    _inspector_users,
    _require_bureau,
    _require_draft,
    _require_inspection_editor,
    _require_writer,
    _save,
    is_inspector_or_bureau,
)


@transaction.atomic
def checklist_template_save(*, template: ChecklistTemplate, actor) -> ChecklistTemplate:
    _require_bureau(actor)
    return _save(template, actor=actor)


@transaction.atomic
def checklist_item_save(*, item: ChecklistItem, actor) -> ChecklistItem:
    _require_bureau(actor)
    validate_public_wording(item.text)
    return _save(item, actor=actor)


def _check_spot_check_conflicts(
    *, institution: Institution, inspectors: Sequence, on: dt.date
) -> None:
    pairs = conflicted_pairs(
        on=on, institution_ids=[institution.pk], inspector_ids=[u.pk for u in inspectors]
    )
    if pairs:
        names = sorted(
            u.get_full_name() or u.get_username()
            for u in inspectors
            if (institution.pk, u.pk) in pairs
        )
        raise field_error(
            "inspectors",
            _("%(names)s 与该机构存在回避关系（健康指导员或登记的利益冲突），不能参加抽查。")
            % {"names": "、".join(names)},
            "conflict_of_interest",
        )


@transaction.atomic
def inspection_create(
    *,
    institution: Institution,
    kind: str,
    inspected_on: dt.date,
    inspectors: Iterable,
    actor,
    joint_agencies: str = "",
    draw_assignment: DrawAssignment | None = None,
) -> Inspection:
    """Start an inspection with the active checklist of its kind (results copied, unanswered)."""
    _require_writer(actor)
    if not is_inspector_or_bureau(actor):
        raise NotAllowed(_("只有检查员或卫健局工作人员可以发起检查。"))
    template = active_template(kind)
    if template is None:
        raise field_error(
            "kind", _("该检查类型还没有启用的检查表，请联系卫健局在后台设置。"), "no_template"
        )
    if draw_assignment is not None:
        if kind != InspectionKind.SPOT_CHECK or draw_assignment.institution_id != institution.pk:
            raise ValidationError(_("抽中记录与机构或检查类型不符。"), code="draw_mismatch")
        if Inspection.objects.filter(draw_assignment=draw_assignment).exists():
            raise ValidationError(_("该抽中机构已开始检查。"), code="draw_started")
    users = _inspector_users(inspectors)
    validate_inspectors(kind=kind, inspector_count=len(users))
    if kind == InspectionKind.SPOT_CHECK:
        _check_spot_check_conflicts(institution=institution, inspectors=users, on=inspected_on)
    inspection = Inspection(
        institution=institution,
        kind=kind,
        template=template,
        inspected_on=inspected_on,
        joint_agencies=joint_agencies,
        draw_assignment=draw_assignment,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _save(inspection, actor=actor, reason="created")
    inspection.inspectors.set(users)
    items = list(template.items.order_by("order", "pk"))
    if not items:
        raise ValidationError(_("检查表没有检查项。"), code="empty_template")
    bulk_create_with_history(
        [
            InspectionResult(
                inspection=inspection,
                item=item,
                area=item.area,
                order=item.order,
                text=item.text,
                weight=item.weight,
                severity=item.severity,
            )
            for item in items
        ],
        InspectionResult,
        default_user=actor if getattr(actor, "is_authenticated", False) else None,
    )
    return inspection


@transaction.atomic
def spot_check_start(
    *, assignment: DrawAssignment, actor, inspected_on: dt.date | None = None
) -> Inspection:
    """The spot check of a drawn institution, made by the inspectors drawn for it."""
    return inspection_create(
        institution=assignment.institution,
        kind=InspectionKind.SPOT_CHECK,
        inspected_on=inspected_on or timezone.localdate(),
        inspectors=list(assignment.inspectors.all()),
        actor=actor,
        draw_assignment=assignment,
    )


def _locked(inspection: Inspection) -> Inspection:
    return Inspection.objects.select_for_update().get(pk=inspection.pk)


@transaction.atomic
def inspection_update(*, inspection: Inspection, actor, **fields: Any) -> Inspection:
    """Change a draft's day, inspectors, joint agencies or summary."""
    inspection = _locked(inspection)
    _require_inspection_editor(inspection, actor)
    _require_draft(inspection)
    allowed = {"inspected_on", "joint_agencies", "summary", "inspectors"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(
            _("这些字段不能修改：%s") % ", ".join(sorted(unknown)), code="readonly"
        )
    inspectors = fields.pop("inspectors", None)
    for name, value in fields.items():
        setattr(inspection, name, value)
    if inspectors is not None:
        users = _inspector_users(inspectors)
        validate_inspectors(kind=inspection.kind, inspector_count=len(users))
        if inspection.kind == InspectionKind.SPOT_CHECK:
            _check_spot_check_conflicts(
                institution=inspection.institution, inspectors=users, on=inspection.inspected_on
            )
    _save(inspection, actor=actor, reason="updated")
    if inspectors is not None:
        inspection.inspectors.set(users)
    return inspection


RESULT_VALUES = {"", *InspectionResult.Result.values}


@transaction.atomic
def inspection_save_results(
    *, inspection: Inspection, actor, results: dict[int, dict[str, str]]
) -> Inspection:
    """Save a draft's answers: `{result id: {"result": "pass|fail|na|", "note": "..."}}`.

    Called on every change by the phone form's script, and with the whole form without it. Rows
    not named are left as they are; unchanged rows are not written.
    """
    inspection = _locked(inspection)
    _require_inspection_editor(inspection, actor)
    _require_draft(inspection)
    ids = {int(pk) for pk in results}
    rows = {row.pk: row for row in inspection.results.filter(pk__in=ids)}
    if len(rows) != len(ids):
        raise ValidationError(_("检查项不属于本次检查。"), code="unknown_result")
    for pk, change in results.items():
        row = rows[int(pk)]
        value = change.get("result", row.result)
        value = "" if value is None else str(value)
        if value not in RESULT_VALUES:
            raise field_error("result", _("结果只能是合格、不合格或不适用。"), "invalid")
        note = change.get("note", row.note)
        note = "" if note is None else str(note).strip()
        if value == row.result and note == row.note:
            continue
        row.result, row.note = value, note
        _save(row, actor=actor, reason="answered")
    inspection.updated_at = timezone.now()
    inspection.save(update_fields=["updated_at"])
    return inspection


@transaction.atomic
def inspection_pass_remaining(*, inspection: Inspection, actor) -> int:
    """其余全部合格: every item not answered yet becomes pass; answered items stay as they are.
    Returns how many were marked."""
    inspection = _locked(inspection)
    _require_inspection_editor(inspection, actor)
    _require_draft(inspection)
    rows = list(inspection.results.filter(result=""))
    for row in rows:
        row.result = InspectionResult.Result.PASS
        _save(row, actor=actor, reason="answered")
    inspection.updated_at = timezone.now()
    inspection.save(update_fields=["updated_at"])
    return len(rows)


@transaction.atomic
def inspection_add_photo(*, result: InspectionResult, file, actor) -> InspectionPhoto:
    inspection = _locked(result.inspection)
    _require_inspection_editor(inspection, actor)
    _require_draft(inspection)
    validate_photo_file(file)
    photo = InspectionPhoto(
        result=result,
        file=file,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    return _save(photo, actor=actor, reason="photo")


@transaction.atomic
def inspection_remove_photo(*, photo: InspectionPhoto, actor) -> None:
    inspection = _locked(photo.result.inspection)
    _require_inspection_editor(inspection, actor)
    _require_draft(inspection)
    _history(photo, actor, "photo removed")
    photo.file.delete(save=False)
    photo.delete()


@transaction.atomic
def inspection_complete(
    *, inspection: Inspection, actor, outcome: str | None = None, summary: str | None = None
) -> Inspection:
    """Lock the results, compute the score, and turn every failed item into a finding with the
    default deadline of its severity. The operators are told after commit."""
    inspection = _locked(inspection)
    _require_inspection_editor(inspection, actor)
    _require_draft(inspection)
    today = timezone.localdate()
    if inspection.inspected_on > today:
        raise field_error("inspected_on", _("检查日期晚于今天，不能提交检查结果。"), "future")
    results = list(inspection.results.order_by("order", "pk"))
    score = score_of(results)
    if not score.complete:
        raise ValidationError(
            _("还有%(n)s个检查项未填写，请逐项选择合格、不合格或不适用。")
            % {"n": score.total - score.answered},
            code="incomplete",
        )
    if score.score is None:
        raise ValidationError(_("所有检查项都是“不适用”，无法评分。"), code="no_score")
    computed = outcome_for(score)
    if outcome and outcome != computed:
        if score.failed and outcome == Inspection.Outcome.PASS:
            raise field_error(
                "outcome", _("有不合格项时结论不能为“合格”。"), "outcome_pass_with_fail"
            )
        if not score.failed and outcome != Inspection.Outcome.PASS:
            raise field_error(
                "outcome", _("没有不合格项时结论应为“合格”。"), "outcome_without_fail"
            )
    if inspection.kind == InspectionKind.SPOT_CHECK:
        count = inspection.inspectors.count()
        validate_inspectors(kind=inspection.kind, inspector_count=count)
    inspection.score = score.score
    inspection.outcome = outcome or computed
    if summary is not None:
        inspection.summary = summary
    inspection.state = Inspection.State.COMPLETED
    inspection.completed_at = timezone.now()
    inspection.completed_by = actor if getattr(actor, "is_authenticated", False) else None
    _save(inspection, actor=actor, reason="completed")
    for row in results:
        if row.result != InspectionResult.Result.FAIL:
            continue
        _save(
            Finding(
                inspection=inspection,
                result=row,
                area=row.area,
                title=row.text,
                detail=row.note,
                severity=row.severity,
                found_on=inspection.inspected_on,
                deadline=default_deadline(inspection.inspected_on, row.severity),
            ),
            actor=actor,
            reason="found",
        )
    transaction.on_commit(lambda: notify.inspection_completed(inspection.pk))
    return inspection
