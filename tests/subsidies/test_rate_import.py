"""A scheme's rates imported from the bureau's spreadsheet (issue 20: "imports where the bureau
holds lists in spreadsheets (schemes' rates, premises)"): all or nothing, each error named by its
row, a row matching a stored rate by scheme, class type and star level updates it."""

import io
from decimal import Decimal

import openpyxl
import pytest
from import_export.formats.base_formats import XLSX

from subsidies.models import SchemeRate
from subsidies.resources import SchemeRateResource

pytestmark = pytest.mark.django_db
HEADERS = ["补助项目", "班型", "星级", "金额（元）"]


def sheet(rows) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(HEADERS)
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run(rows, user):
    resource = SchemeRateResource()
    result = resource.import_data(
        XLSX().create_dataset(sheet(rows)), dry_run=False, user=user, raise_errors=False
    )
    return resource.error_messages(result), result


def rates(scheme) -> dict:
    return {(r.class_type, r.stars): r.amount for r in SchemeRate.objects.filter(scheme=scheme)}


def test_one_bad_row_writes_nothing_and_names_the_row(scheme, bureau):
    before = rates(scheme)
    errors, result = run(
        [
            ["测试运营补助", "托小班", 4, "320.00"],
            ["测试运营补助", "托大班", 6, "260.00"],  # no such star level
            ["没有的项目", "", "", "10"],
            ["测试运营补助", "乳儿班", "", "-1"],  # below zero
        ],
        bureau,
    )
    assert result.has_validation_errors()
    assert any(line.startswith("第3行") and "1至5" in line for line in errors), errors
    assert any(line.startswith("第4行") and "没有的项目" in line for line in errors), errors
    assert any(line.startswith("第5行") for line in errors), errors
    assert rates(scheme) == before


def test_the_corrected_file_adds_and_updates_by_scheme_class_and_stars(scheme, bureau):
    errors, result = run(
        [
            ["测试运营补助", "托小班", 4, "320.00"],  # new: four stars
            ["测试运营补助", "托小班", "3星", "310.00"],  # the stored three-star rate
            ["测试运营补助", "", "", "100.00"],  # any class, any level: new
            ["测试运营补助", "乳儿班", "", "0"],  # exactly zero is allowed
        ],
        bureau,
    )
    assert not result.has_validation_errors(), errors
    found = rates(scheme)
    assert found[("toddler", 4)] == Decimal("320.00")
    assert found[("toddler", 3)] == Decimal("310.00")
    assert found[("", None)] == Decimal("100.00")
    assert found[("infant", None)] == Decimal("0.00")
    assert found[("older", 3)] == Decimal("250.00")  # not in the file: unchanged
    updated = SchemeRate.objects.get(scheme=scheme, class_type="toddler", stars=3)
    assert updated.history.first().history_user == bureau
