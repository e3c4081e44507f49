"""The fee supervision page at a province's scale (issue 21): the database keeps only the reports
above their public standard, by exactly `ceiling_for`'s rule; each list is paginated with its
total; the page runs a pinned number of queries for one report or five."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from institutions.models import Institution, MonthlyReport
from institutions.public_fees import MODES, ceiling_for, standards_on
from institutions.reports.models import CLASS_FIELDS
from metrics import views
from metrics.fees import above_public_standard
from metrics.models import CityIncome
from portal.dates import month_end
from tests.factories import ApprovedPlacesFactory, InclusiveRecognitionFactory, InstitutionFactory

from .conftest import MARCH
from .test_public_fee_standard import PUBLIC, standard

pytestmark = pytest.mark.django_db
PRIVATE = Institution.Ownership.PRIVATE
# Pinned: the session, the user and the page's shared reads (roles, the header's notifications),
# then the standards, the reports above them, the income and the K6 reports above its ceiling.
QUERIES = 8


def report(ownership, fees, state=MonthlyReport.State.ACCEPTED, **enrolled):
    institution = InstitutionFactory(ownership=ownership, filed_on=dt.date(2024, 3, 1))
    ApprovedPlacesFactory(institution=institution, toddler=10, older=14)
    InclusiveRecognitionFactory(institution=institution)
    full, half = fees
    now = timezone.now()
    return MonthlyReport.objects.create(
        submitted_at=None if state == "draft" else now,
        first_submitted_at=None if state == "draft" else now,
        institution=institution,
        period=MARCH,
        state=state,
        fee_full_day=full,
        fee_half_day=half,
        **enrolled,
    )


def by_the_rule(period):
    """Every filed report's rows above its ceiling, computed in Python by `ceiling_for`."""
    standards = standards_on(month_end(period))
    rows = []
    for item in MonthlyReport.objects.filter(
        period=period, state__in=["submitted", "accepted"]
    ).select_related("institution"):
        class_types = [ct for ct, name in CLASS_FIELDS.items() if getattr(item, name) > 0]
        for field in MODES:
            fee = getattr(item, field)
            ceiling = ceiling_for(
                standards, ownership=item.institution.ownership, class_types=class_types,
                field=field,
            )  # fmt: skip
            if fee is not None and ceiling is not None and fee > ceiling.amount:
                rows.append((item.pk, fee, ceiling.amount, ceiling.standard.effective_from))
    return sorted(rows)


def test_the_database_keeps_exactly_the_rows_above_by_ceiling_for(in_window):
    standard("toddler", 2000, 1200)
    standard("older", 1800)  # no half-day ceiling: a half-day fee with older children is unjudged
    standard("mixed", 1500, 900, since=dt.date(2025, 4, 1))  # from after March: not in force
    standard("toddler", 2500, 1500, ownership=PRIVATE)
    enrolments = [
        {},  # nobody enrolled: nothing to judge
        {"enrolled_toddler": 3},
        {"enrolled_older": 2},
        {"enrolled_toddler": 3, "enrolled_older": 2},  # the higher ceiling: 2000
        {"enrolled_infant": 1, "enrolled_toddler": 3},  # infants have no standard: unjudged
        {"enrolled_mixed": 4},  # its standard starts in April
    ]
    fees = [
        (Decimal("1800.00"), Decimal("1200.00")),  # at the ceilings
        (Decimal("1800.01"), Decimal("1200.01")),  # one cent above the lower ones
        (Decimal("2000.01"), None),
        (Decimal("2500.01"), Decimal("1500.01")),
        (None, Decimal("5000.00")),
    ]
    for ownership, enrolled, fee in itertools.product(
        [PUBLIC, PRIVATE, Institution.Ownership.ENTERPRISE], enrolments, fees
    ):
        report(ownership, fee, **enrolled)
    report(PUBLIC, (Decimal("9999"), Decimal("9999")), state="draft", enrolled_toddler=3)
    expected = by_the_rule(MARCH)
    assert len(expected) >= 10  # the cases above do reach the list
    in_force, rows = above_public_standard(MARCH)
    assert in_force == 3
    assert sorted((r.report.pk, r.fee, r.ceiling, r.since) for r in rows) == expected


def test_each_list_is_paginated_with_its_total(client_as, bureau, in_window, monkeypatch):
    monkeypatch.setattr(views, "FEE_PAGE_SIZE", 2)
    standard("toddler", 2000, 1200)
    CityIncome.objects.create(year=2024, per_capita_disposable_income=60000)  # ceiling 1,500
    for n in range(3):
        item = report(PUBLIC, (Decimal("2100") + n, None), enrolled_toddler=3)
        Institution.objects.filter(pk=item.institution_id).update(name=f"收费机构{n}")
    client = client_as(bureau)
    first = client.get(reverse("metrics:fees"), {"month": "2025-03"}).content.decode()
    second = client.get(reverse("metrics:fees"), {"month": "2025-03", "page": 2, "k6": 2})
    second = second.content.decode()
    assert first.count("共 3 条") == 2 and second.count("共 3 条") == 2
    # Above the standard: by name; above K6: the highest fee first.
    standard_list = first.split('data-list="above-standard"')[1].split("</table>")[0]
    assert "收费机构0" in standard_list and "收费机构1" in standard_list
    assert "收费机构2" not in standard_list
    standard_list = second.split('data-list="above-standard"')[1].split("</table>")[0]
    assert "收费机构2" in standard_list and "收费机构0" not in standard_list
    k6_list = first.split('data-list="above-k6"')[1].split("</table>")[0]
    assert "收费机构2" in k6_list and "收费机构1" in k6_list and "收费机构0" not in k6_list
    k6_list = second.split('data-list="above-k6"')[1].split("</table>")[0]
    assert "收费机构0" in k6_list and "收费机构2" not in k6_list
    assert "?month=2025-03&amp;page=2#standard-heading" in first
    assert "?month=2025-03&amp;k6=2#k6-heading" in first


def test_the_page_runs_a_pinned_number_of_queries_for_one_or_five(client_as, bureau, in_window):
    standard("toddler", 2000, 1200)
    CityIncome.objects.create(year=2024, per_capita_disposable_income=60000)
    client = client_as(bureau)
    url = reverse("metrics:fees") + "?month=2025-03"

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        return response, len(captured)

    report(PUBLIC, (Decimal("2100"), None), enrolled_toddler=3)
    response, one = queries()
    assert len(response.context["result"].above_standard) == 1
    for _n in range(4):
        report(PUBLIC, (Decimal("2100"), None), enrolled_toddler=3)
    response, five = queries()
    assert len(response.context["result"].above_standard) == 5
    assert len(response.context["result"].above_k6) == 5
    assert one == five == QUERIES
