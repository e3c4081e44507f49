"""Writes of support cases. Each is one transaction; the pages, the API and the admin call these
after checking who may act (selectors.may_write). Nothing here logs a child's name or number."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import selectors
from .models import SupportCase, SupportCaseAccess, SupportReview


def _as(record, actor) -> None:
    if getattr(actor, "is_authenticated", False):
        record._history_user = actor


def _require_writer(actor, *, institution_id: int, facility_id: int) -> None:
    if not selectors.may_write(actor, institution_id=institution_id, facility_id=facility_id):
        raise PermissionDenied(_("您的账号不能登记或修改这个个案。"))


def case_check(case: SupportCase, *, lock: bool = False) -> None:
    """The rules a case's form cannot see by itself: a stored case keeps its institution and
    facility (a new case is opened instead) and is not changed once closed; it is not opened
    after today. `case_save` runs them under the case's row lock; the admin's form runs them to
    show the errors next to its fields."""
    if case.pk is not None:
        rows = SupportCase.objects.select_for_update() if lock else SupportCase.objects
        stored = rows.get(pk=case.pk)
        if (stored.institution_id, stored.facility_id) != (case.institution_id, case.facility_id):
            raise ValidationError(_("个案的托育机构和支持机构不能更改。"))
        if stored.closed_on is not None:
            raise ValidationError(_("个案已结案，不能再修改。"))
    if case.opened_on and case.opened_on > timezone.localdate():
        raise ValidationError({"opened_on": _("开案日期不能晚于今天。")})


@transaction.atomic
def case_save(*, case: SupportCase, actor) -> SupportCase:
    """Open a case or change its plan and details (case_check's rules)."""
    case_check(case, lock=True)
    _require_writer(actor, institution_id=case.institution_id, facility_id=case.facility_id)
    if case.pk is None:
        case.created_by = actor
    case.full_clean()
    _as(case, actor)
    case.save()
    return case


@transaction.atomic
def case_close(*, case: SupportCase, closed_on: dt.date, note: str = "", actor) -> SupportCase:
    """Close a case on `closed_on`: not before it was opened (check constraint) nor before its
    last review, not after today. The case is no longer open from that day."""
    case = SupportCase.objects.select_for_update().get(pk=case.pk)
    _require_writer(actor, institution_id=case.institution_id, facility_id=case.facility_id)
    if case.closed_on is not None:
        raise ValidationError(_("个案已结案。"))
    if closed_on > timezone.localdate():
        raise ValidationError({"closed_on": _("结案日期不能晚于今天。")})
    last = case.reviews.order_by("-reviewed_on").values_list("reviewed_on", flat=True).first()
    if last is not None and closed_on < last:
        raise ValidationError({"closed_on": _("结案日期不能早于最近一次评估日期。")})
    case.closed_on = closed_on
    case.closing_note = note
    case.full_clean()
    _as(case, actor)
    case.save(update_fields=["closed_on", "closing_note"])
    return case


def review_check(review: SupportReview, case: SupportCase) -> None:
    """A review is of an open case and not dated after today (before the opening: the model's
    clean)."""
    if case.closed_on is not None:
        raise ValidationError(_("个案已结案，不能再登记评估。"))
    if review.reviewed_on and review.reviewed_on > timezone.localdate():
        raise ValidationError({"reviewed_on": _("评估日期不能晚于今天。")})


@transaction.atomic
def review_add(*, review: SupportReview, actor) -> SupportReview:
    """A dated review of an open case (review_check's rules)."""
    case = SupportCase.objects.select_for_update().get(pk=review.case_id)
    review.case = case
    _require_writer(actor, institution_id=case.institution_id, facility_id=case.facility_id)
    review_check(review, case)
    review.reviewer = actor
    review.full_clean()
    _as(review, actor)
    review.save()
    return review


def audit_reads(
    *, user, cases: Iterable[SupportCase | int], channel: str, action: str
) -> list[SupportCaseAccess]:
    """One access row per case read, in one insert. Called by every read of a case: pages, API,
    admin (list and detail)."""
    if not getattr(user, "is_authenticated", False):
        return []
    at = timezone.now()
    ids = [case if isinstance(case, int) else case.pk for case in cases]
    return SupportCaseAccess.objects.bulk_create(
        SupportCaseAccess(case_id=pk, user=user, at=at, channel=channel, action=action)
        for pk in ids
    )
