"""Demo star ratings (issue 20): the clearly labelled demonstration criteria set (the plan gives
none; ratings.criteria), and three applications at different steps on institutions the demo
operators do not run (so operator1 can start one in the demo and in the browser journey): one
waiting for review, one reviewed and waiting for the bureau's decision, one approved a month ago
with its dated rating in the registry. operator2's institution has a rating that expires within
60 days, which its home says. Its own random generator: the rows the shared one draws are
unchanged."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from institutions.models import Institution, StarRating
from institutions.services import registry_record_save
from ratings.criteria import demo_criteria_set
from ratings.models import ApplicationScore, RatingApplication

State = RatingApplication.State


def _scores(rng: random.Random, criteria, share: float) -> list[Decimal]:
    """About `share` of each item's maximum, to one decimal."""
    out = []
    for criterion in criteria:
        value = criterion.max_score * Decimal(
            str(round(rng.uniform(share - 0.05, share + 0.05), 2))
        )
        out.append(min(criterion.max_score, value.quantize(Decimal("0.1"))))
    return out


def _application(rng, *, institution, criteria_set, criteria, stars, state, users, today):
    bureau, inspector = users["bureau"], users["inspector"]
    operator = institution.operators.first() or bureau
    submitted = timezone.now() - dt.timedelta(days=rng.randint(5, 20))
    application = RatingApplication.objects.create(
        institution=institution,
        criteria_set=criteria_set,
        stars_applied=stars,
        note="按演示评定标准自评。",
        created_by=operator,
        submitted_at=submitted,
    )
    self_scores = _scores(rng, criteria, 0.9)
    review_scores = _scores(rng, criteria, 0.85) if state != State.SUBMITTED else None
    ApplicationScore.objects.bulk_create(
        ApplicationScore(
            application=application,
            criterion=criterion,
            self_score=self_scores[n],
            self_note="已整理相关台账。",
            review_score=review_scores[n] if review_scores else None,
            review_note="现场核实。" if review_scores else "",
        )
        for n, criterion in enumerate(criteria)
    )
    if review_scores:
        application.review_total = sum(review_scores, Decimal(0))
        application.reviewed_by = inspector
        application.reviewed_at = submitted + dt.timedelta(days=3)
        application.review_note = "材料齐全，现场核实。"
    if state == State.APPROVED:
        decided = today - dt.timedelta(days=30)
        granted = min(stars, criteria_set.stars_for(application.review_total) or 1)
        rating = StarRating.objects.filter(
            institution=institution, effective_from=decided
        ).first() or StarRating(institution=institution, effective_from=decided)
        rating.stars = granted
        rating.expires_on = decided + dt.timedelta(days=3 * 365)
        rating.note = "星级评定申请（演示）"
        registry_record_save(record=rating, actor=bureau)
        application.decided_by = bureau
        application.decided_on = decided
        application.stars_granted = granted
        application.star_rating = rating
    application.state = state  # set last: an approval needs its level and day first
    application.save()
    return application


def seed_ratings(rng: random.Random, *, institutions: list[Institution], users: dict) -> dict:
    today = timezone.localdate()
    criteria_set = demo_criteria_set(today - dt.timedelta(days=365))
    criteria = list(criteria_set.criteria.all())
    operated = set(
        Institution.objects.filter(operators__username__in=["operator1", "operator2"]).values_list(
            "pk", flat=True
        )
    )
    others = [i for i in institutions if i.pk not in operated]
    chosen = rng.sample(others, min(3, len(others)))
    for institution, state in zip(
        chosen, (State.SUBMITTED, State.REVIEWED, State.APPROVED), strict=False
    ):
        _application(
            rng,
            institution=institution,
            criteria_set=criteria_set,
            criteria=criteria,
            stars=rng.randint(3, 5),
            state=state,
            users=users,
            today=today,
        )
    # operator2's rating runs out within 60 days: its home says so.
    expiring = 0
    second = Institution.objects.filter(operators__username="operator2").first()
    if second is not None:
        rating = (
            StarRating.objects.filter(institution=second, effective_from__lte=today)
            .order_by("-effective_from")
            .first()
        )
        if rating is None:
            rating = StarRating(
                institution=second, effective_from=today - dt.timedelta(days=3 * 365), stars=3
            )
        rating.expires_on = today + dt.timedelta(days=45)
        registry_record_save(record=rating, actor=users["bureau"])
        expiring = 1
    return {"criteria_sets": 1, "applications": len(chosen), "expiring": expiring}
