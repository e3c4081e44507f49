"""Every rule about vouchers, in one place.

Concurrency (pretix's lesson: read only after locking): each money movement locks the voucher
row (SELECT ... FOR UPDATE) before it reads the balance or the month's use, and writes the
redemption, the ledger entry, the month's use and the new balance in one transaction. Approval
locks the batch row before it reads the issued count. The database refuses a negative balance,
a month over its cap and a batch over its quota even if a bug got past these checks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, Func, OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from institutions.models import FeeStandard, InclusiveRecognition, Institution
from portal.dates import month_end
from portal.personal_data import keyed_hash
from portal.validators import birth_date_from_resident_id, validate_resident_id

from . import codes
from .models import (
    ZERO,
    Child,
    Enrolment,
    Guardian,
    LedgerEntry,
    Redemption,
    Settlement,
    Voucher,
    VoucherApplication,
    VoucherBatch,
    VoucherMonth,
)
from .selectors import statement_lines

REVERSAL_WINDOW_DAYS = 7  # operators may reverse their own redemption within this many days


class VoucherError(ValidationError):
    """A broken voucher rule. `code` names the rule (the API returns it); the message is for people."""

    def __init__(self, message: str, code: str):
        super().__init__(message, code=code)


def _actor(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _history(instance, actor) -> None:
    if _actor(actor):
        instance._history_user = actor


def age_in_months(born: dt.date, on: dt.date) -> int:
    months = (on.year - born.year) * 12 + on.month - born.month
    return months - (1 if on.day < born.day else 0)


# --- Families ---------------------------------------------------------------------------------


@transaction.atomic
def guardian_get_or_create(*, name: str, phone: str, id_number: str, actor=None) -> Guardian:
    number = validate_resident_id(id_number)
    guardian = Guardian.objects.filter(id_number_hash=keyed_hash(number)).first()
    if guardian is None:
        guardian = Guardian(name=name, phone=phone, id_number=number)
    else:
        guardian.name, guardian.phone = name, phone
    guardian.full_clean()
    _history(guardian, actor)
    guardian.save()
    return guardian


@transaction.atomic
def child_register(
    *,
    guardian: Guardian,
    name: str,
    id_number: str,
    hukou_township=None,
    has_residence_permit: bool = False,
    special_needs: bool = False,
    actor=None,
) -> Child:
    """Register a child, or update the one already registered with this ID number."""
    number = validate_resident_id(id_number)
    child = Child.objects.filter(id_number_hash=keyed_hash(number)).first() or Child(
        id_number=number
    )
    child.guardian = guardian
    child.name = name
    child.birth_date = birth_date_from_resident_id(number)
    child.hukou_township = hukou_township
    child.has_residence_permit = has_residence_permit
    child.special_needs = special_needs
    child.full_clean()
    _history(child, actor)
    child.save()
    return child


# --- Applications and issuing -------------------------------------------------------------------


@dataclass
class Eligibility:
    eligible: bool
    notes: list[str]


def check_eligibility(*, batch: VoucherBatch, child: Child, applied_on: dt.date) -> Eligibility:
    """The batch's rules applied to the child on the application day, with readable reasons."""
    notes: list[str] = []
    if not batch.apply_from <= applied_on <= batch.apply_until:
        notes.append(
            _("申请日期不在本批次申请期（%(start)s至%(end)s）内。")
            % {"start": batch.apply_from, "end": batch.apply_until}
        )
    months = age_in_months(child.birth_date, applied_on)
    if not batch.min_age_months <= months <= batch.max_age_months:
        notes.append(
            _("申请时月龄%(age)s个月，不在%(min)s至%(max)s个月范围内。")
            % {"age": months, "min": batch.min_age_months, "max": batch.max_age_months}
        )
    if batch.residence_rule == VoucherBatch.Residence.HUKOU and child.hukou_township_id is None:
        notes.append(_("本批次仅限乐清户籍幼儿。"))
    elif (
        batch.residence_rule == VoucherBatch.Residence.HUKOU_OR_PERMIT
        and child.hukou_township_id is None
        and not child.has_residence_permit
    ):
        notes.append(_("本批次限乐清户籍或持乐清居住证的家庭。"))
    if Voucher.objects.filter(batch=batch, child=child).exists():
        notes.append(_("该幼儿已领取本批次托育券。"))
    if not notes:
        notes.append(_("符合本批次申请条件。"))
        return Eligibility(True, notes)
    return Eligibility(False, notes)


@transaction.atomic
def application_create(
    *,
    batch: VoucherBatch,
    child: Child,
    source: str,
    actor=None,
    institution: Institution | None = None,
    applied_on: dt.date | None = None,
) -> VoucherApplication:
    applied_on = applied_on or timezone.localdate()
    if VoucherApplication.objects.filter(batch=batch, child=child).exists():
        raise VoucherError(_("该幼儿已申请过本批次托育券。"), code="duplicate_application")
    result = check_eligibility(batch=batch, child=child, applied_on=applied_on)
    application = VoucherApplication(
        batch=batch,
        child=child,
        source=source,
        institution=institution,
        applied_on=applied_on,
        eligible=result.eligible,
        eligibility_notes=result.notes,
        entered_by=_actor(actor),
    )
    _history(application, actor)
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:
        raise VoucherError(
            _("该幼儿已申请过本批次托育券。"), code="duplicate_application"
        ) from None
    return application


def _new_unique_code() -> str:
    for _attempt in range(10):
        code = codes.new_code()
        if not Voucher.objects.filter(code=code).exists():
            return code
    raise RuntimeError("could not draw an unused voucher code")  # 1e-16 odds per try


@transaction.atomic
def application_approve(*, application: VoucherApplication, actor) -> Voucher:
    """Approve and issue a voucher. Refused once the batch's cap is reached, however many
    approvals run at once: the batch row is locked before its count is read."""
    application = VoucherApplication.objects.select_for_update().get(pk=application.pk)
    if application.state != VoucherApplication.State.PENDING:
        raise VoucherError(_("该申请已审核，不能重复审核。"), code="already_decided")
    batch = VoucherBatch.objects.select_for_update().get(pk=application.batch_id)
    result = check_eligibility(
        batch=batch, child=application.child, applied_on=application.applied_on
    )
    if not result.eligible:
        raise VoucherError("；".join(result.notes), code="not_eligible")
    if batch.issued_count >= batch.quantity_cap:
        raise VoucherError(
            _("本批次托育券已发完（上限%(cap)s张），不能再发放。") % {"cap": batch.quantity_cap},
            code="quota_exhausted",
        )
    batch.issued_count += 1
    batch.save(update_fields=["issued_count"])
    voucher = Voucher(
        code=_new_unique_code(),
        batch=batch,
        child=application.child,
        application=application,
        face_value=batch.face_value,
        balance=batch.face_value,
        monthly_cap=batch.monthly_cap,
        valid_from=batch.valid_from,
        valid_until=batch.valid_until,
    )
    _history(voucher, actor)
    voucher.save()
    LedgerEntry.objects.create(
        voucher=voucher,
        kind=LedgerEntry.Kind.ISSUE,
        amount=batch.face_value,
        balance_after=batch.face_value,
        created_by=_actor(actor),
    )
    application.state = VoucherApplication.State.APPROVED
    application.decided_by = _actor(actor)
    application.decided_at = timezone.now()
    _history(application, actor)
    application.save()
    return voucher


@transaction.atomic
def application_reject(
    *, application: VoucherApplication, actor, reason: str
) -> VoucherApplication:
    reason = (reason or "").strip()
    if not reason:
        raise VoucherError(_("请填写不通过的原因。"), code="reason_required")
    application = VoucherApplication.objects.select_for_update().get(pk=application.pk)
    if application.state != VoucherApplication.State.PENDING:
        raise VoucherError(_("该申请已审核，不能重复审核。"), code="already_decided")
    application.state = VoucherApplication.State.REJECTED
    application.reject_reason = reason
    application.decided_by = _actor(actor)
    application.decided_at = timezone.now()
    _history(application, actor)
    application.save()
    return application


def applications_decide_many(
    *, application_ids, actor, approve: bool, reason: str = ""
) -> tuple[int, list[str]]:
    """Approve or reject many; each in its own transaction so one refusal does not undo the rest."""
    done, errors = 0, []
    for application in VoucherApplication.objects.filter(pk__in=list(application_ids)).order_by(
        "pk"
    ):
        try:
            if approve:
                application_approve(application=application, actor=actor)
            else:
                application_reject(application=application, actor=actor, reason=reason)
            done += 1
        except ValidationError as error:
            errors.append(f"#{application.pk}: {' '.join(error.messages)}")
    return done, errors


# --- Enrolment ---------------------------------------------------------------------------------


@transaction.atomic
def enrolment_record(
    *,
    child: Child,
    institution: Institution,
    start: dt.date,
    end: dt.date | None = None,
    actor=None,
) -> Enrolment:
    overlapping = Enrolment.objects.filter(child=child, start__lte=end or dt.date.max).filter(
        Q(end__isnull=True) | Q(end__gte=start)
    )
    if overlapping.exists():
        raise VoucherError(_("该幼儿在此期间已有入托登记。"), code="enrolment_overlap")
    enrolment = Enrolment(
        child=child, institution=institution, start=start, end=end, recorded_by=_actor(actor)
    )
    enrolment.full_clean()
    _history(enrolment, actor)
    enrolment.save()
    return enrolment


@transaction.atomic
def enrolment_end(*, enrolment: Enrolment, end: dt.date, actor=None) -> Enrolment:
    enrolment.end = end
    enrolment.full_clean()
    _history(enrolment, actor)
    enrolment.save()
    return enrolment


def _lock_institution_month(institution_id: int, month: dt.date, *, shared: bool) -> None:
    """A transaction-scoped advisory lock on (institution, fee month).

    Redemptions and reversals take it shared (they never wait for each other); settlement
    approval takes it exclusive, so no redemption for that month can be in flight while the
    month is being locked. PostgreSQL only; the SQLite fallback serialises writes anyway.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {function}(%s, %s)", [institution_id, month.year * 12 + month.month]
        )


# --- Redemption --------------------------------------------------------------------------------


def request_fingerprint(*, code: str, fee_month: dt.date, amount: Decimal) -> str:
    body = json.dumps(
        {
            "code": codes.normalize(code),
            "fee_month": f"{fee_month:%Y-%m}",
            "amount": f"{Decimal(amount):.2f}",
        },
        sort_keys=True,
    )
    return hashlib.sha256(body.encode()).hexdigest()


@dataclass
class RedeemResult:
    redemption: Redemption
    replayed: bool


def _replay(institution: Institution, key: str, fingerprint: str) -> Redemption | None:
    existing = Redemption.objects.filter(institution=institution, idempotency_key=key).first()
    if existing is None:
        return None
    if existing.request_fingerprint != fingerprint:
        raise VoucherError(_("该幂等键已用于另一笔不同的抵扣请求。"), code="idempotency_key_reused")
    return existing


def fee_for_month(institution: Institution, fee_month: dt.date) -> Decimal | None:
    """The institution's monthly full-day fee: its accepted report's actual fee for the month if
    there is one, else its fee standard at the month's end."""
    from institutions.models import MonthlyReport

    reported = (
        MonthlyReport.objects.filter(
            institution=institution, period=fee_month, state=MonthlyReport.State.ACCEPTED
        )
        .order_by()  # one report per month; the default ordering joined two more tables
        .values_list("fee_full_day", flat=True)
        .first()
    )
    if reported is not None:
        return reported
    # The fee standard in force at the month's end (the same rule as institutions_as_of, but one
    # small query: redemption is the hottest write path).
    return (
        FeeStandard.objects.filter(
            institution=institution, effective_from__lte=month_end(fee_month)
        )
        .order_by("-effective_from")
        .values_list("monthly_full_day", flat=True)
        .first()
    )


def redeem(
    *,
    institution: Institution,
    code: str,
    fee_month: dt.date,
    amount: Decimal,
    idempotency_key: str,
    actor=None,
) -> RedeemResult:
    """Redeem `amount` of a voucher against `institution`'s fee for `fee_month`.

    Replaying the same idempotency key with the same request returns the first result and
    changes nothing; the same key with another request is refused.
    """
    amount = Decimal(amount).quantize(Decimal("0.01"))
    fee_month = fee_month.replace(day=1)
    fingerprint = request_fingerprint(code=code, fee_month=fee_month, amount=amount)
    existing = _replay(institution, idempotency_key, fingerprint)
    if existing is not None:
        return RedeemResult(existing, replayed=True)
    try:
        with transaction.atomic():
            return RedeemResult(
                _redeem_locked(
                    institution=institution,
                    code=codes.normalize(code),
                    fee_month=fee_month,
                    amount=amount,
                    idempotency_key=idempotency_key,
                    fingerprint=fingerprint,
                    actor=actor,
                ),
                replayed=False,
            )
    except IntegrityError:
        # The same key raced us and won: answer as a replay (or refuse a different body).
        existing = _replay(institution, idempotency_key, fingerprint)
        if existing is None:
            raise
        return RedeemResult(existing, replayed=True)


def _redemption_facts(*, institution: Institution, child_id: int, fee_month: dt.date) -> dict:
    """What the redemption rules read besides the voucher, in one query (one round trip on
    the hottest write path instead of six): the child's enrolment in the month, an approved
    or paid settlement of the month, inclusive status at the month's end, the fee
    (fee_for_month's two sources) and the child's active redemptions of the month here."""
    from institutions.models import MonthlyReport

    last_day = month_end(fee_month)
    here = {"institution": OuterRef("pk")}
    return (
        Institution.objects.filter(pk=institution.pk)
        .order_by()
        .annotate(
            enrolled=Exists(
                Enrolment.objects.filter(child_id=child_id, start__lte=last_day, **here).filter(
                    Q(end__isnull=True) | Q(end__gte=fee_month)
                )
            ),
            settled=Exists(
                Settlement.objects.filter(
                    month=fee_month,
                    state__in=[Settlement.State.APPROVED, Settlement.State.PAID],
                    **here,
                )
            ),
            inclusive=Exists(
                InclusiveRecognition.objects.filter(valid_from__lte=last_day, **here).filter(
                    Q(valid_to__isnull=True) | Q(valid_to__gte=last_day)
                )
            ),
            reported_fee=Subquery(
                MonthlyReport.objects.filter(
                    period=fee_month, state=MonthlyReport.State.ACCEPTED, **here
                )
                .order_by("pk")
                .values("fee_full_day")[:1]
            ),
            standard_fee=Subquery(
                FeeStandard.objects.filter(effective_from__lte=last_day, **here)
                .order_by("-effective_from")
                .values("monthly_full_day")[:1]
            ),
            already=Subquery(
                Redemption.objects.filter(
                    voucher__child_id=child_id,
                    fee_month=fee_month,
                    status=Redemption.Status.ACTIVE,
                    **here,
                )
                .order_by()
                .annotate(total=Func(F("amount"), function="SUM"))
                .values("total")
            ),
        )
        .values("enrolled", "settled", "inclusive", "reported_fee", "standard_fee", "already")
        .get()
    )


def _redeem_locked(*, institution, code, fee_month, amount, idempotency_key, fingerprint, actor):
    if amount <= 0:
        raise VoucherError(_("抵扣金额必须大于0。"), code="invalid_amount")
    # Lock first, then read: the balance and the month's use below are read under this lock.
    # The batch comes in the same query (its inclusive_only rule is read below); of=("self",)
    # keeps the lock on the voucher row only, so redemptions never queue on their batch.
    voucher = (
        Voucher.objects.select_for_update(of=("self",))
        .select_related("batch")
        .filter(code=code)
        .first()
    )
    if voucher is None or not codes.is_well_formed(code):
        raise VoucherError(_("券码无效，请核对后重新输入。"), code="voucher_not_found")
    if voucher.status != Voucher.Status.ACTIVE:
        raise VoucherError(
            _("该托育券状态为“%(status)s”，不能抵扣。") % {"status": voucher.get_status_display()},
            code="voucher_inactive",
        )
    last_day = month_end(fee_month)
    if fee_month > voucher.valid_until or last_day < voucher.valid_from:
        raise VoucherError(
            _("费用月份不在托育券有效期（%(start)s至%(end)s）内。")
            % {"start": voucher.valid_from, "end": voucher.valid_until},
            code="outside_validity",
        )
    # The shared advisory lock comes before the reads below, so the settlement check sees
    # any approval that held the lock. Then every fact the rules need, in one round trip.
    _lock_institution_month(institution.pk, fee_month, shared=True)
    facts = _redemption_facts(
        institution=institution, child_id=voucher.child_id, fee_month=fee_month
    )
    if not facts["enrolled"]:
        raise VoucherError(
            _("该幼儿%(month)s未在本机构入托登记，不能抵扣。") % {"month": f"{fee_month:%Y-%m}"},
            code="not_enrolled",
        )
    if facts["settled"]:
        raise VoucherError(
            _("%(month)s已结算，不能再抵扣该月费用。") % {"month": f"{fee_month:%Y-%m}"},
            code="month_settled",
        )
    if voucher.batch.inclusive_only and not facts["inclusive"]:
        raise VoucherError(
            _("本批次托育券仅限普惠托育机构抵扣。"), code="institution_not_inclusive"
        )
    if amount > voucher.balance:
        raise VoucherError(
            _("余额不足：当前余额%(balance)s元。") % {"balance": voucher.balance},
            code="insufficient_balance",
        )
    month, _created = VoucherMonth.objects.select_for_update().get_or_create(
        voucher=voucher, fee_month=fee_month, defaults={"cap": voucher.monthly_cap}
    )
    if month.used + amount > month.cap:
        raise VoucherError(
            _("超过每月抵扣上限：%(month)s还可抵扣%(left)s元。")
            % {"month": f"{fee_month:%Y-%m}", "left": month.cap - month.used},
            code="over_monthly_cap",
        )
    fee = facts["reported_fee"] if facts["reported_fee"] is not None else facts["standard_fee"]
    already = facts["already"] or ZERO
    if fee is None or already + amount > fee:
        raise VoucherError(
            _("抵扣金额超过该月托育费：月费%(fee)s元，已抵扣%(already)s元。")
            % {"fee": fee if fee is not None else "—", "already": already},
            code="over_fee",
        )

    redemption = Redemption(
        voucher=voucher,
        institution=institution,
        fee_month=fee_month,
        amount=amount,
        idempotency_key=idempotency_key,
        request_fingerprint=fingerprint,
        created_by=_actor(actor),
    )
    _history(redemption, actor)
    redemption.save()
    voucher.balance -= amount
    _history(voucher, actor)
    voucher.save(update_fields=["balance"])
    month.used += amount
    month.save(update_fields=["used"])
    LedgerEntry.objects.create(
        voucher=voucher,
        kind=LedgerEntry.Kind.REDEMPTION,
        amount=-amount,
        balance_after=voucher.balance,
        redemption=redemption,
        institution=institution,
        created_by=_actor(actor),
    )
    return redemption


@transaction.atomic
def reverse(*, redemption: Redemption, actor, reason: str, by_bureau: bool) -> Redemption:
    """冲正: undo a redemption before settlement. Operators only their own, within 7 days."""
    reason = (reason or "").strip()
    if not reason:
        raise VoucherError(_("请填写冲正原因。"), code="reason_required")
    voucher = Voucher.objects.select_for_update().get(pk=redemption.voucher_id)
    redemption = Redemption.objects.select_for_update().get(pk=redemption.pk)
    if redemption.status != Redemption.Status.ACTIVE:
        raise VoucherError(_("该笔抵扣已冲正。"), code="already_reversed")
    if not by_bureau and timezone.now() - redemption.created_at > dt.timedelta(
        days=REVERSAL_WINDOW_DAYS
    ):
        raise VoucherError(
            _("抵扣超过%(days)s天，机构不能自行冲正，请联系卫健局。")
            % {"days": REVERSAL_WINDOW_DAYS},
            code="reversal_window_passed",
        )
    settled = Settlement.objects.filter(
        institution_id=redemption.institution_id,
        month=redemption.fee_month,
        state__in=[Settlement.State.APPROVED, Settlement.State.PAID],
    ).exists()
    if settled or (redemption.settlement_id and redemption.settlement.is_locked):
        raise VoucherError(_("该月已结算，不能冲正。"), code="month_settled")
    redemption.status = Redemption.Status.REVERSED
    redemption.reversed_at = timezone.now()
    redemption.reversed_by = _actor(actor)
    redemption.reversal_reason = reason
    _history(redemption, actor)
    redemption.save()
    voucher.balance += redemption.amount
    _history(voucher, actor)
    voucher.save(update_fields=["balance"])
    month = VoucherMonth.objects.select_for_update().get(
        voucher=voucher, fee_month=redemption.fee_month
    )
    month.used -= redemption.amount
    month.save(update_fields=["used"])
    LedgerEntry.objects.create(
        voucher=voucher,
        kind=LedgerEntry.Kind.REVERSAL,
        amount=redemption.amount,
        balance_after=voucher.balance,
        redemption=redemption,
        institution_id=redemption.institution_id,
        reason=reason,
        created_by=_actor(actor),
    )
    if voucher.status == Voucher.Status.EXPIRED:
        # The value came back after the voucher expired: it expires again at once.
        _expire_remaining(voucher)
    return redemption


@transaction.atomic
def adjust(*, voucher: Voucher, amount: Decimal, reason: str, actor) -> LedgerEntry:
    """A staff correction with a reason; cannot take the balance below zero."""
    reason = (reason or "").strip()
    if not reason:
        raise VoucherError(_("请填写调整原因。"), code="reason_required")
    amount = Decimal(amount).quantize(Decimal("0.01"))
    if amount == 0:
        raise VoucherError(_("调整金额不能为0。"), code="invalid_amount")
    voucher = Voucher.objects.select_for_update().get(pk=voucher.pk)
    if voucher.balance + amount < 0:
        raise VoucherError(
            _("调整后余额不能为负数：当前余额%(balance)s元。") % {"balance": voucher.balance},
            code="insufficient_balance",
        )
    voucher.balance += amount
    _history(voucher, actor)
    voucher.save(update_fields=["balance"])
    return LedgerEntry.objects.create(
        voucher=voucher,
        kind=LedgerEntry.Kind.ADJUSTMENT,
        amount=amount,
        balance_after=voucher.balance,
        reason=reason,
        created_by=_actor(actor),
    )


# --- Nightly jobs ------------------------------------------------------------------------------


def expire_vouchers(*, today: dt.date | None = None) -> int:
    """Expire vouchers whose validity ended before today: the remaining balance leaves through
    an expiry ledger entry. Idempotent: each voucher is re-read under its lock."""
    today = today or timezone.localdate()
    expired = 0
    for pk in Voucher.objects.filter(
        status=Voucher.Status.ACTIVE, valid_until__lt=today
    ).values_list("pk", flat=True):
        with transaction.atomic():
            voucher = Voucher.objects.select_for_update().get(pk=pk)
            if voucher.status != Voucher.Status.ACTIVE or voucher.valid_until >= today:
                continue
            voucher.status = Voucher.Status.EXPIRED
            voucher.save(update_fields=["status"])
            _expire_remaining(voucher)
            expired += 1
    return expired


def _expire_remaining(voucher: Voucher) -> None:
    """Write off a locked voucher's remaining balance with an expiry ledger entry."""
    remaining = voucher.balance
    if remaining <= 0:
        return
    voucher.balance = ZERO
    voucher.save(update_fields=["balance"])
    LedgerEntry.objects.create(
        voucher=voucher,
        kind=LedgerEntry.Kind.EXPIRY,
        amount=-remaining,
        balance_after=ZERO,
        reason=_("有效期届满，余额作废。"),
    )


def reconcile_balances() -> list[dict]:
    """Vouchers whose stored balance differs from the sum of their ledger (should be none)."""
    from django.db.models import DecimalField, F, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    ledger_sum = Subquery(
        LedgerEntry.objects.filter(voucher=OuterRef("pk"))
        .order_by()
        .values("voucher")
        .annotate(total=Sum("amount"))
        .values("total"),
        output_field=DecimalField(max_digits=12, decimal_places=2),
    )
    return list(
        Voucher.objects.annotate(ledger_total=Coalesce(ledger_sum, ZERO))
        .exclude(balance=F("ledger_total"))
        .values("pk", "code", "balance", "ledger_total")
    )


# --- Settlement --------------------------------------------------------------------------------


def _refresh_totals(settlement: Settlement) -> None:
    totals = statement_lines(settlement).aggregate(total=Sum("amount"), lines=Count("pk"))
    settlement.total = totals["total"] or ZERO
    settlement.line_count = totals["lines"] or 0


@transaction.atomic
def settlement_prepare(*, institution: Institution, month: dt.date, actor=None) -> Settlement:
    """The statement for one institution and fee month, created or refreshed while not locked."""
    month = month.replace(day=1)
    settlement, _created = Settlement.objects.select_for_update().get_or_create(
        institution=institution, month=month
    )
    if settlement.state != Settlement.State.DRAFT:
        return settlement  # confirmed figures change only through approval's re-check
    _refresh_totals(settlement)
    _history(settlement, actor)
    settlement.save()
    return settlement


@transaction.atomic
def settlement_confirm(*, settlement: Settlement, actor) -> Settlement:
    """The institution confirms the statement's line items."""
    settlement = Settlement.objects.select_for_update().get(pk=settlement.pk)
    if settlement.state != Settlement.State.DRAFT:
        raise VoucherError(_("只有待确认的结算单可以确认。"), code="bad_state")
    _refresh_totals(settlement)
    settlement.state = Settlement.State.CONFIRMED
    settlement.confirmed_by = _actor(actor)
    settlement.confirmed_at = timezone.now()
    _history(settlement, actor)
    settlement.save()
    return settlement


def settlement_approve(*, settlement: Settlement, actor) -> Settlement:
    """The bureau approves: the month's redemptions are locked into this settlement.

    If a reversal changed the statement after the institution confirmed it, the statement goes
    back to the institution (that change is kept) and approval is refused.
    """
    with transaction.atomic():
        settlement = Settlement.objects.select_for_update().get(pk=settlement.pk)
        if settlement.state != Settlement.State.CONFIRMED:
            raise VoucherError(_("结算单须先由机构确认。"), code="bad_state")
        _lock_institution_month(settlement.institution_id, settlement.month, shared=False)
        confirmed_total = settlement.total
        _refresh_totals(settlement)
        changed = settlement.total != confirmed_total
        if changed:
            settlement.state = Settlement.State.DRAFT
        else:
            # Still confirmed, not locked: the lines are the month's active redemptions.
            statement_lines(settlement).update(settlement=settlement)
            settlement.state = Settlement.State.APPROVED
            settlement.approved_by = _actor(actor)
            settlement.approved_at = timezone.now()
        _history(settlement, actor)
        settlement.save()
    if changed:
        raise VoucherError(
            _("机构确认后抵扣明细有变动（%(old)s元→%(new)s元），已退回机构重新确认。")
            % {"old": confirmed_total, "new": settlement.total},
            code="statement_changed",
        )
    return settlement


@transaction.atomic
def settlement_mark_paid(*, settlement: Settlement, reference: str, actor) -> Settlement:
    reference = (reference or "").strip()
    if not reference:
        raise VoucherError(_("请填写支付凭证号。"), code="reference_required")
    settlement = Settlement.objects.select_for_update().get(pk=settlement.pk)
    if settlement.state != Settlement.State.APPROVED:
        raise VoucherError(_("结算单须先审核通过才能标记支付。"), code="bad_state")
    settlement.state = Settlement.State.PAID
    settlement.payment_reference = reference
    settlement.paid_at = timezone.now()
    _history(settlement, actor)
    settlement.save()
    return settlement


# --- Added for the API (vouchers/api/) ---------------------------------------------------------


@transaction.atomic
def batch_delete(*, batch: VoucherBatch, actor) -> None:
    """Delete a batch nobody has applied for yet (one with applications is kept for the record)."""
    batch = VoucherBatch.objects.select_for_update().get(pk=batch.pk)
    if VoucherApplication.objects.filter(batch=batch).exists():
        raise VoucherError(_("该批次已有申请记录，不能删除。"), code="batch_in_use")
    _history(batch, actor)
    batch.delete()


# --- Added with the voucher pages, import and admin ----------------------------------------------


@transaction.atomic
def application_enter(
    *,
    batch: VoucherBatch,
    guardian_name: str,
    guardian_phone: str,
    guardian_id_number: str,
    child_name: str,
    child_id_number: str,
    source: str,
    hukou_township=None,
    has_residence_permit: bool = False,
    special_needs: bool = False,
    institution: Institution | None = None,
    applied_on: dt.date | None = None,
    actor=None,
) -> VoucherApplication:
    """An application as a clerk enters it (page form, xlsx import): the guardian and the child
    registered or updated, then the application, in one transaction, so a refused application
    leaves no half-entered family behind."""
    guardian = guardian_get_or_create(
        name=guardian_name, phone=guardian_phone, id_number=guardian_id_number, actor=actor
    )
    child = child_register(
        guardian=guardian,
        name=child_name,
        id_number=child_id_number,
        hukou_township=hukou_township,
        has_residence_permit=has_residence_permit,
        special_needs=special_needs,
        actor=actor,
    )
    return application_create(
        batch=batch,
        child=child,
        source=source,
        institution=institution,
        applied_on=applied_on,
        actor=actor,
    )


# The fields of a batch that staff edit; `issued_count` belongs to application_approve alone.
BATCH_EDITABLE_FIELDS = (
    "name",
    "face_value",
    "quantity_cap",
    "apply_from",
    "apply_until",
    "valid_from",
    "valid_until",
    "monthly_cap",
    "min_age_months",
    "max_age_months",
    "residence_rule",
    "inclusive_only",
)


@transaction.atomic
def batch_save(*, batch: VoucherBatch, actor) -> VoucherBatch:
    """Create or edit a batch. An edit locks the row and writes only the editable fields, so an
    approval running meanwhile keeps its issued count (a form's stale copy never overwrites it),
    and the cap is never set below what has been issued."""
    if batch.pk is None:
        batch.issued_count = 0
        batch.full_clean()
        _history(batch, actor)
        batch.save()
        return batch
    current = VoucherBatch.objects.select_for_update().get(pk=batch.pk)
    for name in BATCH_EDITABLE_FIELDS:
        setattr(current, name, getattr(batch, name))
    if current.quantity_cap < current.issued_count:
        raise VoucherError(
            _("发放数量上限不能低于已发放数量（%(issued)s张）。")
            % {"issued": current.issued_count},
            code="cap_below_issued",
        )
    current.full_clean()
    _history(current, actor)
    current.save(update_fields=list(BATCH_EDITABLE_FIELDS))
    batch.issued_count = current.issued_count
    return current
