"""The funds' voucher spending is the voucher ledger's net redemptions for the same months."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from programme import funds, services
from programme.models import Fund, FundMonth, FundUse
from tests.vouchers.conftest import MARCH
from tests.vouchers.helpers import TODAY, issue_voucher, redeem
from vouchers import services as voucher_services
from vouchers.models import Redemption
from vouchers.selectors import net_redemptions_by_month

pytestmark = pytest.mark.django_db
APRIL = dt.date(2025, 4, 1)


@pytest.fixture
def subsidy():
    return Fund.objects.get(kind=Fund.Kind.PROVINCIAL_SUBSIDY)


@pytest.fixture
def ledger(batch, inclusive_a, bureau):
    with time_machine.travel(TODAY, tick=False):
        first = issue_voucher(batch, bureau, 1, institution=inclusive_a)
        second = issue_voucher(batch, bureau, 2, institution=inclusive_a)
        redeem(first, inclusive_a, amount="300.00", month=MARCH)
        reversed_ = redeem(second, inclusive_a, amount="200.00", month=MARCH)
        redeem(second, inclusive_a, amount="150.00", month=MARCH, key="again")
        voucher_services.reverse(
            redemption=reversed_, actor=bureau, reason="录入错误", by_bureau=True
        )
    return first, second


def test_voucher_spending_equals_the_ledgers_net_redemptions(ledger, subsidy, bureau):
    overview = funds.fund_overview(subsidy)
    voucher_rows = {r.period: r.spent for r in overview.rows if r.use == FundUse.VOUCHERS}
    months = funds.pilot_months()
    ledger_months = net_redemptions_by_month(month_from=months[0], month_to=months[-1])
    active = sum(r.amount for r in Redemption.objects.filter(status=Redemption.Status.ACTIVE))
    assert voucher_rows[MARCH] == ledger_months[MARCH] == active == Decimal("450.00")
    assert voucher_rows[APRIL] == Decimal("0.00")
    assert all(r.from_ledger for r in overview.rows if r.use == FundUse.VOUCHERS)
    assert overview.families == 2
    assert overview.voucher_cost_per_family == Decimal("225.00")


def test_performance_figures_and_their_zero_boundaries(subsidy, bureau):
    overview = funds.fund_overview(subsidy)
    assert overview.spent_share is None and overview.voucher_cost_per_family is None
    services.fund_month_save(
        fund=subsidy,
        period=MARCH,
        actor=bureau,
        use=FundUse.TRAINING,
        budget=Decimal("1000"),
        spent=Decimal("250"),
    )
    overview = funds.fund_overview(subsidy)
    assert overview.spent_share == Decimal("0.2500")
    training = next(u for u in overview.per_use if u.use == FundUse.TRAINING)
    assert training.spent == Decimal("250")


def test_voucher_spending_is_never_typed(subsidy, bureau):
    with pytest.raises(ValidationError):
        services.fund_month_save(
            fund=subsidy, period=MARCH, actor=bureau, use=FundUse.VOUCHERS, spent=Decimal("1")
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        FundMonth.objects.create(fund=subsidy, period=MARCH, use=FundUse.VOUCHERS, spent=1)


def test_only_the_provincial_subsidy_books_by_use(bureau):
    local = Fund.objects.get(kind=Fund.Kind.LOCAL_FISCAL)
    with pytest.raises(ValidationError):
        services.fund_month_save(fund=local, period=MARCH, actor=bureau, use=FundUse.TRAINING)
    services.fund_month_save(fund=local, period=MARCH, actor=bureau, budget=Decimal("0"))


def test_funds_page_states_formulas_and_exports_xlsx(client_as, bureau, ledger):
    page = client_as(bureau).get("/zhuanban/zijin/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "每户托育券成本 = 托育券支出 ÷" in html and "支出占预算比例 =" in html
    export = client_as(bureau).get("/zhuanban/zijin/daochu.xlsx")
    assert export.status_code == 200 and export.content.startswith(b"PK")


def test_departments_read_funds_but_operators_do_not(client_as, civil_dept, operator_a):
    assert client_as(civil_dept).get("/zhuanban/zijin/").status_code == 200
    assert client_as(operator_a).get("/zhuanban/zijin/").status_code == 403
