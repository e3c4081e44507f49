"""Rules shared by the services and the admin's forms."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import Fund, FundUse


def validate_fund_month(
    *, fund: Fund, use: str, period: dt.date, budget: Decimal | None, spent: Decimal | None
) -> None:
    """A use only for the provincial subsidy (and always for it); the vouchers use's spending is
    read from the voucher ledger, never typed; no negative amounts; a month is its first day."""
    errors = {}
    if use and fund.kind != Fund.Kind.PROVINCIAL_SUBSIDY:
        errors["use"] = _("只有省补资金按用途记录。")
    if fund.kind == Fund.Kind.PROVINCIAL_SUBSIDY and not use:
        errors["use"] = _("省补资金须选择用途。")
    if use == FundUse.VOUCHERS and spent is not None:
        errors["spent"] = _("托育券支出从托育券流水读取，不能手工填写。")
    for name, value in (("budget", budget), ("spent", spent)):
        if value is not None and value < 0:
            errors[name] = _("金额不能为负数。")
    if period is not None and period.day != 1:
        errors["period"] = _("月份须为该月第一天。")
    if errors:
        raise ValidationError(errors)
