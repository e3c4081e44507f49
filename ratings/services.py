"""The only writers of star-rating applications: the operator drafts and submits, an inspector
(or bureau staff) reviews or returns, the bureau decides and, on approval, records the dated star
rating in the registry through institutions.services (so its history is kept)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from institutions.models import Institution, StarRating
from institutions.services import registry_record_save
from portal.roles import Role, can_write, has_role, is_bureau

from .models import ApplicationScore, CriteriaSet, Evidence, RatingApplication

State = RatingApplication.State
MAX_EVIDENCE = 30  # files per application


class NotAllowed(ValidationError):
    """The actor may not do this (the API answers 403, pages show the message)."""

    def __init__(self, message: str, code: str = "not_allowed") -> None:
        super().__init__(message, code=code)


def _save(instance: models.Model, *, actor, reason: str | None = None):
    instance.full_clean()
    if actor is not None and getattr(actor, "is_authenticated", False):
        instance._history_user = actor
    instance._change_reason = reason[:100] if reason else None
    instance.save()
    return instance


# --- Who acts ------------------------------------------------------------------------------------


def operates(user, institution_id: int) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and can_write(user)
        and has_role(user, Role.OPERATOR)
        and Institution.objects.filter(pk=institution_id, operators=user).exists()
    )


def may_review(user, application: RatingApplication) -> bool:
    """Inspectors and bureau staff who may write, never for an institution they operate."""
    return (
        can_write(user)
        and (is_bureau(user) or has_role(user, Role.INSPECTOR))
        and not Institution.objects.filter(pk=application.institution_id, operators=user).exists()
    )


def may_decide(user) -> bool:
    return can_write(user) and is_bureau(user)


def _require_operator(application: RatingApplication, actor) -> None:
    if not operates(actor, application.institution_id):
        raise NotAllowed(_("只有本机构的经办人可以填写和提交申请。"))


def _require_editable(application: RatingApplication) -> None:
    if not application.editable:
        raise ValidationError(_("申请已提交，不能再修改。"), code="not_editable")


def _locked(application: RatingApplication) -> RatingApplication:
    return RatingApplication.objects.select_for_update().get(pk=application.pk)


# --- Scores --------------------------------------------------------------------------------------


def parse_score(raw, max_score: Decimal, label: str) -> Decimal | None:
    """A score typed in a form: empty is None; otherwise 0..max_score, one decimal."""
    raw = (raw or "").strip() if isinstance(raw, str) else raw
    if raw in ("", None):
        return None
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise ValidationError(_("%(item)s：得分须为数字。") % {"item": label}) from None
    if not value.is_finite() or value < 0 or value > max_score:
        raise ValidationError(
            _("%(item)s：得分须在0到%(max)s之间。") % {"item": label, "max": max_score}
        )
    if value != value.quantize(Decimal("0.1")):
        raise ValidationError(_("%(item)s：得分最多一位小数。") % {"item": label})
    return value


def total(scores, field: str) -> Decimal | None:
    """The sum of `field` over `scores`; None until every criterion has one."""
    values = [getattr(s, field) for s in scores]
    if not values or any(v is None for v in values):
        return None
    return sum(values, Decimal(0))


def _save_scores(application, answers: dict[int, dict], *, actor, prefix: str) -> None:
    """answers: {criterion_pk: {"score": raw, "note": str}}; unknown criteria are refused."""
    rows = {s.criterion_id: s for s in application.scores.select_related("criterion")}
    errors = []
    for criterion_pk, answer in answers.items():
        row = rows.get(criterion_pk)
        if row is None:
            raise ValidationError(_("评定项目不属于本申请的标准。"), code="unknown_criterion")
        try:
            score = parse_score(answer.get("score"), row.criterion.max_score, str(row.criterion))
        except ValidationError as error:
            errors.extend(error.messages)
            continue
        note = (answer.get("note") or "").strip()[:500]
        if getattr(row, f"{prefix}_score") != score or getattr(row, f"{prefix}_note") != note:
            setattr(row, f"{prefix}_score", score)
            setattr(row, f"{prefix}_note", note)
            _save(row, actor=actor)
    if errors:
        raise ValidationError(errors)


# --- The operator --------------------------------------------------------------------------------


@transaction.atomic
def application_create(
    *, institution: Institution, criteria_set: CriteriaSet, stars_applied: int, actor, note=""
) -> RatingApplication:
    if not operates(actor, institution.pk):
        raise NotAllowed(_("只有本机构的经办人可以填写和提交申请。"))
    if criteria_set.valid_from > timezone.localdate():
        raise ValidationError(_("该评定标准尚未启用。"), code="set_not_valid")
    if not criteria_set.criteria.exists():
        raise ValidationError(_("该评定标准还没有评定项目。"), code="set_empty")
    if RatingApplication.objects.filter(
        institution=institution,
        state__in=[State.DRAFT, State.SUBMITTED, State.RETURNED, State.REVIEWED],
    ).exists():
        raise ValidationError(
            _("本机构已有一份尚未决定的申请，请先完成它。"), code="open_application"
        )
    application = _save(
        RatingApplication(
            institution=institution,
            criteria_set=criteria_set,
            stars_applied=stars_applied,
            note=note,
            created_by=actor,
        ),
        actor=actor,
    )
    for criterion in criteria_set.criteria.all():
        _save(ApplicationScore(application=application, criterion=criterion), actor=actor)
    return application


@transaction.atomic
def application_save_self(
    *, application: RatingApplication, answers: dict[int, dict], actor, note: str | None = None
) -> RatingApplication:
    _require_operator(application, actor)
    application = _locked(application)
    _require_editable(application)
    _save_scores(application, answers, actor=actor, prefix="self")
    if note is not None and note != application.note:
        application.note = note
        _save(application, actor=actor)
    return application


def evidence_add(*, application: RatingApplication, file, actor, criterion=None) -> Evidence:
    _require_operator(application, actor)
    _require_editable(application)
    if criterion is not None and criterion.criteria_set_id != application.criteria_set_id:
        raise ValidationError(_("评定项目不属于本申请的标准。"), code="unknown_criterion")
    if application.evidence.count() >= MAX_EVIDENCE:
        raise ValidationError(
            _("每份申请最多上传%(n)s个佐证材料。") % {"n": MAX_EVIDENCE}, code="too_many"
        )
    return _save(
        Evidence(application=application, criterion=criterion, file=file, uploaded_by=actor),
        actor=actor,
    )


def evidence_remove(*, evidence: Evidence, actor) -> None:
    _require_operator(evidence.application, actor)
    _require_editable(evidence.application)
    evidence.file.delete(save=False)
    evidence.delete()


@transaction.atomic
def application_submit(*, application: RatingApplication, actor) -> RatingApplication:
    _require_operator(application, actor)
    application = _locked(application)
    _require_editable(application)
    missing = application.scores.filter(self_score__isnull=True).count()
    if missing:
        raise ValidationError(
            _("还有%(n)s项未自评，请全部填写后再提交。") % {"n": missing}, code="incomplete"
        )
    application.state = State.SUBMITTED
    application.submitted_at = timezone.now()
    return _save(application, actor=actor, reason="submitted")


# --- The review ----------------------------------------------------------------------------------


@transaction.atomic
def review_save(
    *,
    application: RatingApplication,
    answers: dict[int, dict],
    actor,
    note: str | None = None,
    complete: bool = False,
) -> RatingApplication:
    """Save review scores (a draft while the application is submitted); `complete` finishes
    the review once every criterion has a score and records the total."""
    if not may_review(actor, application):
        raise NotAllowed(_("只有检查员或卫健局工作人员可以评审，且不能评审自己经办的机构。"))
    application = _locked(application)
    if application.state != State.SUBMITTED:
        raise ValidationError(_("只有已提交的申请可以评审。"), code="not_submitted")
    _save_scores(application, answers, actor=actor, prefix="review")
    if note is not None:
        application.review_note = note.strip()
    if complete:
        reviewed = total(application.scores.all(), "review_score")
        if reviewed is None:
            raise ValidationError(_("请为每个评定项目打分后再完成评审。"), code="incomplete")
        application.review_total = reviewed
        application.reviewed_by = actor
        application.reviewed_at = timezone.now()
        application.state = State.REVIEWED
    return _save(application, actor=actor, reason="reviewed" if complete else None)


@transaction.atomic
def application_return(*, application: RatingApplication, note: str, actor) -> RatingApplication:
    """Back to the operator with what to correct (from submitted, or reviewed by the bureau)."""
    if not may_review(actor, application):
        raise NotAllowed(_("只有检查员或卫健局工作人员可以退回申请。"))
    application = _locked(application)
    allowed = {State.SUBMITTED} | ({State.REVIEWED} if may_decide(actor) else set())
    if application.state not in allowed:
        raise ValidationError(_("该申请当前不能退回。"), code="not_returnable")
    if not note.strip():
        raise ValidationError(_("请写明退回原因。"), code="note_required")
    application.state = State.RETURNED
    application.returned_note = note.strip()
    application.review_total = None
    return _save(application, actor=actor, reason="returned")


# --- The decision --------------------------------------------------------------------------------


@transaction.atomic
def application_decide(
    *,
    application: RatingApplication,
    approve: bool,
    actor,
    stars: int | None = None,
    expires_on: dt.date | None = None,
    note: str = "",
) -> RatingApplication:
    """Approve (record `stars` in the registry from today until `expires_on`, both included)
    or refuse a reviewed application."""
    if not may_decide(actor):
        raise NotAllowed(_("只有卫健局工作人员可以作出评定决定。"))
    application = _locked(application)
    if application.state != State.REVIEWED:
        raise ValidationError(_("只有已评审的申请可以作出决定。"), code="not_reviewed")
    today = timezone.localdate()
    application.decided_by = actor
    application.decided_on = today
    application.decision_note = note.strip()
    if not approve:
        application.state = State.REFUSED
        return _save(application, actor=actor, reason="refused")
    if stars is None or not 1 <= stars <= 5:
        raise ValidationError(_("请选择评定星级（1到5星）。"), code="stars_required")
    if stars > application.stars_applied:
        raise ValidationError(_("评定星级不能高于申请的星级。"), code="stars_above_applied")
    if expires_on is None or expires_on <= today:
        raise ValidationError(_("有效期至须晚于今天。"), code="expiry_required")
    rating = StarRating.objects.filter(
        institution_id=application.institution_id, effective_from=today
    ).first() or StarRating(institution_id=application.institution_id, effective_from=today)
    rating.stars = stars
    rating.expires_on = expires_on
    rating.note = _("星级评定申请 #%(pk)s") % {"pk": application.pk}
    registry_record_save(record=rating, actor=actor)
    application.state = State.APPROVED
    application.stars_granted = stars
    application.star_rating = rating
    return _save(application, actor=actor, reason="approved")


# --- Reads ---------------------------------------------------------------------------------------


def reached_stars(application: RatingApplication, field: str = "review_score") -> int | None:
    return application.criteria_set.stars_for(total(application.scores.all(), field))


def expiring_ratings(institution_ids, *, today: dt.date, days: int = 60) -> dict[int, StarRating]:
    """Each institution's current rating when it expires within `days` days (one query)."""
    latest = (
        StarRating.objects.filter(
            institution_id__in=list(institution_ids), effective_from__lte=today
        )
        .order_by("institution_id", "-effective_from")
        .distinct("institution_id")
    )
    current = {rating.institution_id: rating for rating in latest}
    return {
        pk: r
        for pk, r in current.items()
        if r.expires_on is not None and today <= r.expires_on <= today + dt.timedelta(days=days)
    }
