"""The random draw (双随机): pool, conflicts, seed and result recorded; publication."""

from __future__ import annotations

import datetime as dt
import math
import secrets
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..draw import ALGORITHM, DrawImpossible, run_draw
from ..models import (
    SPOT_CHECK_MIN_INSPECTORS,
    ConflictOfInterest,
    DrawAssignment,
    RandomDraw,
)
from ..selectors import (
    conflicted_pairs,
    draw_candidates,
    inspector_pool_candidates,
    risk_weight,
)
from ..validators import (
    field_error,
)
from .common import (
    _history,
    _require_bureau,
    _save,
)


def new_seed() -> int:
    """A fresh seed of twelve decimal digits: short enough to read out, to publish and retype."""
    return secrets.randbelow(10**12)


@transaction.atomic
def draw_perform(
    *,
    actor,
    title: str,
    drawn_on: dt.date,
    sample_size: int | None = None,
    share: Decimal | None = None,
    inspectors_per_institution: int = SPOT_CHECK_MIN_INSPECTORS,
    township_ids: Iterable[int] = (),
    kinds: Iterable[str] = (),
    risky_only: bool = False,
    risk_weighted: bool = False,
    inspector_ids: Iterable[int] | None = None,
    seed: int | None = None,
    note: str = "",
) -> RandomDraw:
    """Draw institutions and inspectors (双随机) and record everything needed to re-run it.

    The pool is the institutions counted on `drawn_on` that match the filters; `sample_size`
    institutions, or `share` of the pool rounded up, are drawn. Conflicted inspectors (assigned
    health instructor on that day, recorded conflicts of interest) are never drawn for that
    institution.
    """
    _require_bureau(actor)
    township_ids = sorted(int(pk) for pk in township_ids)
    kinds = sorted(kinds)
    candidates = list(
        draw_candidates(on=drawn_on, township_ids=township_ids, kinds=kinds, risky_only=risky_only)
    )
    if not candidates:
        raise ValidationError(_("没有符合条件的机构可供抽取。"), code="empty_pool")
    pool = [
        [institution.pk, risk_weight(institution) if risk_weighted else 1]
        for institution in candidates
    ]
    sample_size = _sample_size(pool_size=len(pool), sample_size=sample_size, share=share)
    inspectors = _inspector_pool(
        inspector_ids=inspector_ids, per_institution=inspectors_per_institution
    )
    conflicts = _conflicts(on=drawn_on, pool=pool, inspectors=inspectors)
    seed = new_seed() if seed is None else int(seed)
    drawn = _run(
        seed=seed,
        pool=pool,
        inspectors=inspectors,
        conflicts=conflicts,
        sample_size=sample_size,
        per_institution=inspectors_per_institution,
        candidates=candidates,
    )
    draw = _save(
        RandomDraw(
            title=title,
            drawn_on=drawn_on,
            seed=seed,
            algorithm=ALGORITHM,
            filters={
                "township_ids": township_ids,
                "kinds": kinds,
                "risky_only": risky_only,
                **({"share": str(share)} if share is not None else {}),
            },
            risk_weighted=risk_weighted,
            sample_size=sample_size,
            inspectors_per_institution=inspectors_per_institution,
            institution_pool=pool,
            inspector_pool=inspectors,
            conflicts=conflicts,
            note=note,
            created_by=actor,
        ),
        actor=actor,
        reason="drawn",
    )
    _save_assignments(draw=draw, drawn=drawn, actor=actor)
    return draw


def _sample_size(*, pool_size: int, sample_size: int | None, share: Decimal | None) -> int:
    """How many institutions to draw: `sample_size`, or `share` of the pool rounded up."""
    if sample_size is None and share is not None:
        if not Decimal(0) < Decimal(share) <= 1:
            raise field_error("share", _("抽取比例须大于0且不超过100%。"), "share")
        sample_size = math.ceil(pool_size * Decimal(share))
    if not sample_size or sample_size < 1:
        raise field_error("sample_size", _("请填写抽取机构数或比例。"), "required")
    if sample_size > pool_size:
        raise field_error(
            "sample_size",
            _("抽取数（%(n)s）超过了机构池的数量（%(pool)s）。")
            % {"n": sample_size, "pool": pool_size},
            "sample_too_large",
        )
    return sample_size


def _inspector_pool(*, inspector_ids: Iterable[int] | None, per_institution: int) -> list[int]:
    """The inspectors' user ids, sorted: those given (each an active inspector), or every one."""
    if per_institution < SPOT_CHECK_MIN_INSPECTORS:
        raise field_error("inspectors_per_institution", _("每家机构至少2名检查员。"), "too_few")
    available = inspector_pool_candidates()
    if inspector_ids is not None:
        wanted = {int(pk) for pk in inspector_ids}
        inspectors = sorted(available.filter(pk__in=wanted).values_list("pk", flat=True))
        if len(inspectors) != len(wanted):
            raise field_error(
                "inspector_ids", _("检查员池中有人不是在岗的检查员。"), "not_inspector"
            )
    else:
        inspectors = sorted(available.values_list("pk", flat=True))
    if len(inspectors) < per_institution:
        raise field_error("inspector_ids", _("检查员池人数少于每家机构所需的检查员数。"), "too_few")
    return inspectors


def _conflicts(*, on: dt.date, pool: list, inspectors: list[int]) -> list[list[int]]:
    """The [institution, inspector] pairs that must not meet, sorted as the draw records them."""
    pairs = conflicted_pairs(
        on=on, institution_ids=[pk for pk, _w in pool], inspector_ids=inspectors
    )
    return sorted([list(pair) for pair in pairs])


def _run(
    *,
    seed: int,
    pool: list,
    inspectors: list[int],
    conflicts: list,
    sample_size: int,
    per_institution: int,
    candidates: list,
) -> list:
    """`run_draw`, its refusal said with the institution's name."""
    try:
        return run_draw(
            seed=seed,
            institution_pool=pool,
            inspector_pool=inspectors,
            conflicts=conflicts,
            sample_size=sample_size,
            per_institution=per_institution,
        )
    except DrawImpossible as error:
        name = next((i.name for i in candidates if i.pk == error.institution_id), "")
        raise ValidationError(
            _("排除回避人员后，“%(name)s”可抽取的检查员不足%(n)s名，请扩大检查员池。")
            % {"name": name, "n": per_institution},
            code="not_enough_inspectors",
        ) from None


def _save_assignments(*, draw: RandomDraw, drawn: list, actor) -> None:
    for position, row in enumerate(drawn, start=1):
        assignment = _save(
            DrawAssignment(draw=draw, institution_id=row.institution_id, position=position),
            actor=actor,
            reason="drawn",
        )
        assignment.inspectors.set(row.inspector_ids)


def draw_reproduces(draw: RandomDraw) -> bool:
    """Re-run the draw from what it recorded: True when the stored result comes out again."""
    again = run_draw(
        seed=draw.seed,
        institution_pool=draw.institution_pool,
        inspector_pool=draw.inspector_pool,
        conflicts=draw.conflicts,
        sample_size=draw.sample_size,
        per_institution=draw.inspectors_per_institution,
    )
    stored = [
        (a.institution_id, tuple(sorted(u.pk for u in a.inspectors.all())))
        for a in draw.assignments.order_by("position").prefetch_related("inspectors")
    ]
    return stored == [(row.institution_id, row.inspector_ids) for row in again]


@transaction.atomic
def draw_publish(*, draw: RandomDraw, actor) -> RandomDraw:
    """Publish the draw (seed, pool, result) on the public page."""
    _require_bureau(actor)
    draw = RandomDraw.objects.select_for_update().get(pk=draw.pk)
    if draw.published_at is not None:
        return draw
    draw.published_at = timezone.now()
    draw.published_by = actor
    return _save(draw, actor=actor, reason="published")


@transaction.atomic
def conflict_save(*, conflict: ConflictOfInterest, actor) -> ConflictOfInterest:
    _require_bureau(actor)
    if conflict.pk is None and getattr(actor, "is_authenticated", False):
        conflict.recorded_by = actor
    return _save(conflict, actor=actor)


@transaction.atomic
def conflict_delete(*, conflict: ConflictOfInterest, actor) -> None:
    _require_bureau(actor)
    _history(conflict, actor, "deleted")
    conflict.delete()
