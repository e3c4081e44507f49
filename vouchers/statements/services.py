"""Issuing, revoking and verifying fee statements (see the package's docstring)."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from stdnum import luhn

from institutions.models import Institution, MonthlyReport
from portal.dates import add_months, month_end

from .. import codes
from ..models import Child, Enrolment, Redemption
from ..services.common import VoucherError
from .models import FeeStatement

# One statement covers at most a year: what an employer reimburses at a time.
MAX_MONTHS = 12
ZERO = Decimal("0.00")


def months_of(first: dt.date, last: dt.date) -> list[dt.date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


@dataclass(frozen=True)
class StatementLine:
    month: dt.date
    fee_due: Decimal
    voucher_paid: Decimal

    @property
    def family_paid(self) -> Decimal:
        return self.fee_due - self.voucher_paid

    def as_json(self) -> dict:
        return {
            "month": f"{self.month:%Y-%m}",
            "fee_due": str(self.fee_due),
            "voucher_paid": str(self.voucher_paid),
            "family_paid": str(self.family_paid),
        }


def _label(month: dt.date) -> str:
    """2025年4月 in Chinese, 2025-04 otherwise."""
    if (translation.get_language() or "zh-hans").startswith("zh"):
        return f"{month.year}年{month.month}月"
    return f"{month:%Y-%m}"


def _check_period(first: dt.date, last: dt.date, today: dt.date) -> list[dt.date]:
    first, last = first.replace(day=1), last.replace(day=1)
    if last < first:
        raise VoucherError(_("截止月份不能早于起始月份。"), code="statement_months_order")
    months = months_of(first, last)
    if len(months) > MAX_MONTHS:
        raise VoucherError(
            _("一份证明最多包含%(n)s个月，请分开开具。") % {"n": MAX_MONTHS},
            code="statement_too_long",
        )
    if last >= today.replace(day=1):
        raise VoucherError(
            _("%(month)s尚未结束，只能开具已结束月份的证明。") % {"month": _label(last)},
            code="statement_month_running",
        )
    return months


def statement_lines(
    *, child: Child, institution: Institution, first: dt.date, last: dt.date, today: dt.date
) -> list[StatementLine]:
    """The period's lines, or a VoucherError naming the first month that cannot be stated: the
    child not enrolled here in it, no accepted report, or a report without a full-day fee. Three
    queries whatever the period."""
    months = _check_period(first, last, today)
    enrolments = list(
        Enrolment.objects.filter(child=child, institution=institution)
        .filter(start__lte=month_end(months[-1]))
        .filter(Q(end__isnull=True) | Q(end__gte=months[0]))
    )
    reports = {
        report.period: report
        for report in MonthlyReport.objects.filter(
            institution=institution, period__in=months, state=MonthlyReport.State.ACCEPTED
        ).only("period", "fee_full_day")
    }
    paid = dict(
        Redemption.objects.filter(
            voucher__child=child,
            institution=institution,
            fee_month__in=months,
            status=Redemption.Status.ACTIVE,
        )
        .values_list("fee_month")
        .annotate(total=Sum("amount"))
    )
    lines = []
    for month in months:
        enrolled = any(
            e.start <= month_end(month) and (e.end is None or e.end >= month) for e in enrolments
        )
        if not enrolled:
            raise VoucherError(
                _("%(month)s该幼儿未在本机构入托，不能开具该月的缴费证明。")
                % {"month": _label(month)},
                code="statement_not_enrolled",
            )
        report = reports.get(month)
        if report is None:
            raise VoucherError(
                _("%(month)s的月报尚未审核通过，暂不能开具包含该月的缴费证明。")
                % {"month": _label(month)},
                code="statement_report_missing",
            )
        if report.fee_full_day is None:
            raise VoucherError(
                _("%(month)s的月报未填报全日托收费，不能开具该月的缴费证明。")
                % {"month": _label(month)},
                code="statement_fee_missing",
            )
        voucher_paid = paid.get(month) or ZERO
        if voucher_paid > report.fee_full_day:
            raise VoucherError(
                _("%(month)s托育券抵扣金额高于月报收费，请先核对后再开具。")
                % {"month": _label(month)},
                code="statement_voucher_above_fee",
            )
        lines.append(StatementLine(month, report.fee_full_day, voucher_paid))
    return lines


def display_statement_code(code: str) -> str:
    """XXXX-XXXX-XXXX-XXXX, as printed."""
    return codes.display(code)


def _new_code() -> str:
    body = "".join(secrets.choice(codes.ALPHABET) for _i in range(15))
    return body + codes.check_character(body)


@transaction.atomic
def statement_issue(
    *,
    child: Child,
    institution: Institution,
    first: dt.date,
    last: dt.date,
    actor=None,
    by_family: bool = False,
    today: dt.date | None = None,
) -> FeeStatement:
    """Issue a statement of `first` to `last` (months), or raise a VoucherError naming why."""
    today = today or timezone.localdate()
    lines = statement_lines(
        child=child, institution=institution, first=first, last=last, today=today
    )
    due = sum((line.fee_due for line in lines), ZERO)
    voucher = sum((line.voucher_paid for line in lines), ZERO)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                statement = FeeStatement(
                    child=child,
                    institution=institution,
                    first_month=lines[0].month,
                    last_month=lines[-1].month,
                    child_masked_name=child.name.masked if child.name else "",
                    lines=[line.as_json() for line in lines],
                    total_due=due,
                    total_voucher=voucher,
                    total_family=due - voucher,
                    code=_new_code(),
                    issued_by=actor if getattr(actor, "is_authenticated", False) else None,
                    requested_by_family=by_family,
                )
                if statement.issued_by is not None:
                    statement._history_user = statement.issued_by
                statement.save()
                return statement
        except IntegrityError:  # the code was taken (about 1 in 10^23): draw another
            continue
    raise RuntimeError("no free statement code after five draws")


@transaction.atomic
def statement_revoke(*, statement: FeeStatement, actor, reason: str) -> FeeStatement:
    reason = (reason or "").strip()
    if not reason:
        raise VoucherError(_("请填写作废原因。"), code="statement_revoke_reason")
    statement = FeeStatement.objects.select_for_update().get(pk=statement.pk)
    if statement.revoked_at is not None:
        raise VoucherError(_("该证明已作废。"), code="statement_already_revoked")
    statement.revoked_at = timezone.now()
    statement.revoke_reason = reason
    statement._history_user = actor
    statement.save(update_fields=["revoked_at", "revoke_reason"])
    return statement


def statement_verify(code: str) -> FeeStatement | None:
    """The statement a printed code stands for, if it is valid: unknown, malformed and revoked
    codes all give None, so the page answers them alike."""
    normalized = codes.normalize(code)
    if len(normalized) != 16 or not luhn.is_valid(normalized, codes.ALPHABET):
        return None
    return (
        FeeStatement.objects.select_related("institution")
        .filter(code=normalized, revoked_at__isnull=True)
        .first()
    )
