"""A scheme's month: computed from each institution's accepted monthly report and the registry as
of the month's end (the indicators' as-of selector and counting rule), reviewed, approved under a
row lock and marked paid. A computed month is recomputed only while it is a draft, and only the
lines whose figures changed are written: a second run of the same month changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from institutions.class_types import ClassType
from institutions.models import MonthlyReport
from institutions.premises import IdlePremises
from institutions.selectors import counted_institutions_as_of
from portal.dates import month_end

from .models import ZERO, SchemeRate, SubsidyLine, SubsidyMonth, SubsidyScheme

CENT = Decimal("0.01")
# The short class-type names the explanations use (the report's columns).
CLASS_NAMES = {
    ClassType.INFANT: gettext_lazy("乳儿班"),
    ClassType.TODDLER: gettext_lazy("托小班"),
    ClassType.OLDER: gettext_lazy("托大班"),
    ClassType.MIXED: gettext_lazy("混龄班"),
}
STAR_NAMES = {
    1: gettext_lazy("一星"),
    2: gettext_lazy("二星"),
    3: gettext_lazy("三星"),
    4: gettext_lazy("四星"),
    5: gettext_lazy("五星"),
}


class SubsidyError(ValidationError):
    pass


def yuan(amount: Decimal) -> str:
    """4650 -> "4,650.00" (the explanation's figures, grouped in every language)."""
    return f"{money(amount):,.2f}"


def money(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Computed:
    """One institution's amount and how it was reached."""

    amount: Decimal
    explanation: str
    details: dict = field(default_factory=dict)


def _rate_for(rates: list[SchemeRate], class_type: str, stars: int | None) -> SchemeRate | None:
    """The rate for a class type at a star level: the one naming that level, else the one for
    any level. A class type without a rate earns nothing."""
    exact = [r for r in rates if r.class_type == class_type and r.stars is not None]
    for rate in exact:
        if stars is not None and rate.stars == stars:
            return rate
    return next((r for r in rates if r.class_type == class_type and r.stars is None), None)


def _per_child(scheme, rates, institution, report) -> Computed | None:
    stars = institution.stars
    parts, terms, total = [], [], ZERO
    for class_type in ClassType:
        children = getattr(report, f"enrolled_{class_type.value}") or 0
        rate = _rate_for(rates, class_type.value, stars)
        if not children or rate is None:
            continue
        amount = money(children * rate.amount)
        total += amount
        parts.append(
            _("%(class)s %(n)s人×%(rate)s元")
            % {"class": CLASS_NAMES[class_type], "n": children, "rate": yuan(rate.amount)}
        )
        terms.append(
            {"class_type": class_type.value, "children": children, "rate": str(rate.amount)}
        )
    if not parts:
        return None
    level = _("（%(stars)s）") % {"stars": STAR_NAMES[stars]} if stars else _("（未评星级）")
    explanation = " + ".join(parts) + level + " = " + _("%(total)s元") % {"total": yuan(total)}
    return Computed(money(total), explanation, {"stars": stars, "terms": terms})


def _star_award(rates, institution, before) -> Computed | None:
    stars, earlier = institution.stars, before.get(institution.pk)
    if not stars or (earlier and earlier >= stars):
        return None
    reached = [r for r in rates if r.stars and r.stars <= stars and (r.stars > (earlier or 0))]
    if not reached:
        return None
    rate = max(reached, key=lambda r: r.stars)
    explanation = _("本月评定为%(stars)s（此前%(before)s），一次性奖补 %(amount)s元") % {
        "stars": STAR_NAMES[stars],
        "before": STAR_NAMES[earlier] if earlier else _("未评星级"),
        "amount": yuan(rate.amount),
    }
    return Computed(money(rate.amount), explanation, {"stars": stars, "before": earlier})


def _new_places(rates, institution, before) -> Computed | None:
    rate = next((r for r in rates if not r.class_type and r.stars is None), None)
    if rate is None or before.get(institution.pk) or not institution.places_total:
        return None
    places = institution.places_total
    total = money(places * rate.amount)
    explanation = _("本月认定为普惠机构，新增普惠托位 %(n)s个×%(rate)s元 = %(total)s元") % {
        "n": places,
        "rate": yuan(rate.amount),
        "total": yuan(total),
    }
    return Computed(total, explanation, {"places": places, "rate": str(rate.amount)})


def _rent_relief(rates, institution, premises) -> Computed | None:
    rate = next((r for r in rates if not r.class_type and r.stars is None), None)
    held = premises.get(institution.pk)
    if rate is None or not held:
        return None
    explanation = _("使用闲置国有房源（%(address)s）租金减免期内，每月 %(amount)s元") % {
        "address": "、".join(held),
        "amount": yuan(rate.amount),
    }
    return Computed(money(rate.amount), explanation, {"premises": held})


def compute_lines(scheme: SubsidyScheme, month: dt.date) -> dict[int, Computed]:
    """Institution id -> what the scheme gives it for `month`, read, never written. The
    explanations are stored in the portal's language (Chinese), whoever's page asked."""
    with translation.override(settings.LANGUAGE_CODE):
        return _compute_lines(scheme, month)


def _compute_lines(scheme: SubsidyScheme, month: dt.date) -> dict[int, Computed]:
    month = month.replace(day=1)
    end = month_end(month)
    if not scheme.applies_to(month):
        raise SubsidyError(
            _("%(month)s不在该补助项目的执行期内。") % {"month": f"{month:%Y-%m}"},
            code="outside_scheme",
        )
    rates = list(scheme.rates.all())
    facts = counted_institutions_as_of(end)
    if scheme.inclusive_only:
        facts = facts.filter(is_inclusive=True)
    kind, lines = scheme.kind, {}
    if kind == SubsidyScheme.Kind.PER_CHILD_MONTH:
        reports = {
            r.institution_id: r
            for r in MonthlyReport.objects.filter(period=month, state=MonthlyReport.State.ACCEPTED)
        }
        for institution in facts.filter(pk__in=list(reports)):
            computed = _per_child(scheme, rates, institution, reports[institution.pk])
            if computed:
                lines[institution.pk] = computed
        return lines
    before_day = month - dt.timedelta(days=1)
    if kind == SubsidyScheme.Kind.STAR_LEVEL:
        before = dict(counted_institutions_as_of(before_day).values_list("pk", "stars"))
        compute = lambda institution: _star_award(rates, institution, before)  # noqa: E731
    elif kind == SubsidyScheme.Kind.NEW_PLACES:
        earlier = counted_institutions_as_of(before_day).filter(is_inclusive=True)
        before = dict.fromkeys(earlier.values_list("pk", flat=True), True)
        compute = lambda institution: _new_places(rates, institution, before)  # noqa: E731
    else:
        premises: dict[int, list[str]] = {}
        relieved = IdlePremises.objects.filter(
            state__in=IdlePremises.WITH_INSTITUTION, relief_from__isnull=False, relief_from__lte=end
        ).exclude(relief_to__lt=month)
        for item in relieved.order_by("pk"):
            premises.setdefault(item.institution_id, []).append(item.address)
        compute = lambda institution: _rent_relief(rates, institution, premises)  # noqa: E731
    for institution in facts:
        computed = compute(institution)
        if computed:
            lines[institution.pk] = computed
    return lines


def _history(obj, actor, reason: str = "") -> None:
    obj._history_user = actor if getattr(actor, "is_authenticated", False) else None
    if reason:
        obj._change_reason = reason


@transaction.atomic
def compute_month(scheme: SubsidyScheme, month: dt.date, *, actor=None) -> SubsidyMonth:
    """Compute (or recompute) the scheme's month while it is a draft. Lines that did not change
    are not written; an approved or paid month is returned untouched."""
    month = month.replace(day=1)
    computed = compute_lines(scheme, month)
    subsidy_month, created = SubsidyMonth.objects.get_or_create(scheme=scheme, month=month)
    subsidy_month = SubsidyMonth.objects.select_for_update().get(pk=subsidy_month.pk)
    if subsidy_month.state != SubsidyMonth.State.DRAFT:
        return subsidy_month
    existing = {line.institution_id: line for line in subsidy_month.lines.all()}
    changed = created
    for institution_id, line in existing.items():
        if institution_id not in computed:
            line.delete()
            changed = True
    for institution_id, result in computed.items():
        line = existing.get(institution_id)
        if line is None:
            line = SubsidyLine(
                subsidy_month=subsidy_month,
                scheme=scheme,
                institution_id=institution_id,
                month=month,
            )
        elif (line.amount, line.explanation, line.details) == (
            result.amount,
            result.explanation,
            result.details,
        ):
            continue
        line.amount, line.explanation, line.details = (
            result.amount,
            result.explanation,
            result.details,
        )
        _history(line, actor)
        line.save()
        changed = True
    if changed:
        subsidy_month.total = sum((r.amount for r in computed.values()), ZERO)
        subsidy_month.line_count = len(computed)
        subsidy_month.computed_at = timezone.now()
        _history(subsidy_month, actor, _("计算"))
        subsidy_month.save()
    return subsidy_month


def approve_month(subsidy_month: SubsidyMonth, *, actor) -> SubsidyMonth:
    """The bureau approves the month's lines: only a draft is approved, once, under the row lock;
    approval writes no line."""
    with transaction.atomic():
        locked = SubsidyMonth.objects.select_for_update().get(pk=subsidy_month.pk)
        if locked.state != SubsidyMonth.State.DRAFT:
            raise SubsidyError(_("该月补助已审核，不能重复审核。"), code="bad_state")
        locked.state = SubsidyMonth.State.APPROVED
        locked.approved_by = actor
        locked.approved_at = timezone.now()
        _history(locked, actor, _("审核通过"))
        locked.save()
    return locked


@transaction.atomic
def mark_paid(subsidy_month: SubsidyMonth, *, reference: str, actor) -> SubsidyMonth:
    reference = (reference or "").strip()
    if not reference:
        raise SubsidyError(_("请填写支付凭证号。"), code="reference_required")
    locked = SubsidyMonth.objects.select_for_update().get(pk=subsidy_month.pk)
    if locked.state != SubsidyMonth.State.APPROVED:
        raise SubsidyError(_("补助须先审核通过才能标记支付。"), code="bad_state")
    locked.state = SubsidyMonth.State.PAID
    locked.payment_reference = reference
    locked.paid_at = timezone.now()
    _history(locked, actor, _("标记已支付"))
    locked.save()
    return locked
