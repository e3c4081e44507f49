"""Approval under the row lock, with real concurrent connections; payment and its file."""

import io
import threading
from decimal import Decimal

import pytest
from django.db import connection
from openpyxl import load_workbook

from subsidies.exports import payment_file_xlsx
from subsidies.models import SubsidyLine, SubsidyMonth
from subsidies.services import SubsidyError, approve_month, compute_month, mark_paid
from tests.factories import UserFactory

from .conftest import MARCH, accepted_report


def run_at_once(count: int, work) -> list:
    """Run work(i) in `count` threads released together; returns each result or exception."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def target(i):
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except Exception as error:  # noqa: BLE001 - collected for the assertions
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_approvals_approve_once(scheme, inclusive):
    accepted_report(inclusive, enrolled_toddler=8, enrolled_older=9)
    month = compute_month(scheme, MARCH)
    lines_before = list(SubsidyLine.objects.values_list("pk", "amount", "explanation"))
    clerks = [UserFactory(username=f"clerk{i}") for i in range(20)]

    results = run_at_once(20, lambda i: approve_month(month, actor=clerks[i]))

    approved = [r for r in results if isinstance(r, SubsidyMonth)]
    refused = [r for r in results if isinstance(r, SubsidyError)]
    assert len(approved) == 1 and len(refused) == 19, results
    month.refresh_from_db()
    assert month.state == SubsidyMonth.State.APPROVED
    assert month.approved_by == approved[0].approved_by
    assert month.history.filter(state=SubsidyMonth.State.APPROVED).count() == 1
    assert list(SubsidyLine.objects.values_list("pk", "amount", "explanation")) == lines_before


@pytest.mark.django_db
def test_payment_needs_approval_and_a_reference(scheme, inclusive):
    accepted_report(inclusive, enrolled_toddler=8, enrolled_older=9)
    month = compute_month(scheme, MARCH)
    clerk = UserFactory(username="clerk")
    with pytest.raises(SubsidyError):
        mark_paid(month, reference="PAY-1", actor=clerk)
    month = approve_month(month, actor=clerk)
    with pytest.raises(SubsidyError):
        approve_month(month, actor=clerk)
    with pytest.raises(SubsidyError):
        mark_paid(month, reference="  ", actor=clerk)
    month = mark_paid(month, reference="PAY-1", actor=clerk)
    assert (month.state, month.payment_reference) == ("paid", "PAY-1")
    with pytest.raises(SubsidyError):
        mark_paid(month, reference="PAY-2", actor=clerk)


@pytest.mark.django_db
def test_payment_file_lists_each_line_and_the_total(scheme, inclusive):
    accepted_report(inclusive, enrolled_toddler=8, enrolled_older=9)
    month = approve_month(compute_month(scheme, MARCH), actor=UserFactory(username="clerk"))
    sheet = load_workbook(io.BytesIO(payment_file_xlsx(month))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][1] == inclusive.name and Decimal(str(rows[1][5])) == Decimal("4650.00")
    assert rows[1][6].endswith("= 4,650.00元")
    assert rows[-1][1] == "合计" and Decimal(str(rows[-1][5])) == Decimal("4650.00")
    assert len(rows) == 3


@pytest.mark.django_db
def test_payment_file_never_runs_a_name_as_a_formula(scheme, inclusive):
    inclusive.name = '=HYPERLINK("http://example.com","x")'
    inclusive.save()
    accepted_report(inclusive, enrolled_toddler=1)
    month = approve_month(compute_month(scheme, MARCH), actor=UserFactory(username="clerk"))
    sheet = load_workbook(io.BytesIO(payment_file_xlsx(month))).active
    cell = sheet.cell(row=2, column=2)
    assert cell.data_type == "s" and cell.value == "'" + inclusive.name
