"""Rent relief, and the demo's labelled scheme."""

import datetime as dt
from decimal import Decimal

import pytest

from institutions.premises import IdlePremises
from lequing_tuoyu.demo.subsidies import DEMO_SCHEME, seed_subsidies
from subsidies.models import SchemeRate, SubsidyLine, SubsidyMonth, SubsidyScheme
from subsidies.services import compute_month
from tests.factories import UserFactory, township

from .conftest import MARCH, accepted_report

pytestmark = pytest.mark.django_db


def premises(institution, **fields):
    values = {
        "name": "闲置厂房",
        "owner": "乐清市国有资产公司",
        "township": township(),
        "address": "柳市镇某路2号",
        "floor_area": Decimal("500"),
        "offered_on": dt.date(2024, 1, 1),
        "state": IdlePremises.State.IN_USE,
        "institution": institution,
        "matched_on": dt.date(2024, 2, 1),
        "relief_from": dt.date(2025, 3, 31),
        "relief_to": dt.date(2025, 4, 30),
    }
    values.update(fields)
    return IdlePremises.objects.create(**values)


def test_rent_relief_in_the_months_its_period_covers(inclusive):
    relief = SubsidyScheme.objects.create(
        name="租金减免补助", kind=SubsidyScheme.Kind.RENT_RELIEF, valid_from=dt.date(2025, 1, 1)
    )
    SchemeRate.objects.create(scheme=relief, amount=Decimal("5000"))
    premises(inclusive)
    line = compute_month(relief, MARCH).lines.get()  # relief starts on March's last day
    assert line.amount == Decimal("5000.00")
    assert line.explanation == "使用闲置国有房源（柳市镇某路2号）租金减免期内，每月 5,000.00元"
    assert compute_month(relief, dt.date(2025, 4, 1)).lines.exists()  # ends on April's last day
    assert not compute_month(relief, dt.date(2025, 2, 1)).lines.exists()
    assert not compute_month(relief, dt.date(2025, 5, 1)).lines.exists()


def test_demo_scheme_is_labelled_and_computed_once(inclusive):
    accepted_report(inclusive, period=dt.date(2025, 2, 1), enrolled_toddler=4)
    accepted_report(inclusive, period=MARCH, enrolled_toddler=5)
    users = {"bureau": UserFactory(username="bureau")}
    seed_subsidies(users=users)
    scheme = SubsidyScheme.objects.get()
    assert scheme.name == DEMO_SCHEME and "演示数据" in scheme.name
    months = dict(SubsidyMonth.objects.values_list("month", "state"))
    assert months == {dt.date(2025, 2, 1): "paid", MARCH: "draft"}
    lines = list(SubsidyLine.objects.values_list("pk", "amount"))
    seed_subsidies(users=users)  # loading the demo again changes nothing
    assert list(SubsidyLine.objects.values_list("pk", "amount")) == lines
    assert SubsidyMonth.objects.get(month=MARCH).lines.get().amount == Decimal("1500.00")
