"""The bureau runs, reviews, approves and pays a month on its pages; an institution's operators
see only their own lines, on the page and in the API (another institution's line is a 404)."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from portal.roles import Role
from subsidies.models import SubsidyLine, SubsidyMonth
from tests.factories import (
    ApprovedPlacesFactory,
    InclusiveRecognitionFactory,
    InstitutionFactory,
    UserFactory,
)

from .conftest import MARCH, accepted_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_lines(scheme, inclusive):
    other = InstitutionFactory(name="乙托育园")
    ApprovedPlacesFactory(institution=other)
    InclusiveRecognitionFactory(institution=other)
    accepted_report(inclusive, enrolled_toddler=8, enrolled_older=9)
    accepted_report(other, enrolled_toddler=2)
    return inclusive, other


def test_bureau_runs_approves_pays_and_downloads(client, scheme, two_lines):
    client.force_login(UserFactory(username="clerk", role=Role.BUREAU_STAFF))
    answer = client.post(reverse("subsidies:months"), {"scheme": scheme.pk, "month": "2025-03"})
    month = SubsidyMonth.objects.get(scheme=scheme, month=MARCH)
    assert answer.status_code == 302 and answer.url == reverse(
        "subsidies:month_detail", args=[month.pk]
    )
    page = client.get(answer.url).content.decode()
    assert "托小班 8人×300.00元 + 托大班 9人×250.00元（三星） = 4,650.00元" in page
    assert month.total == Decimal("5050.00")
    # No payment file before approval.
    assert client.get(reverse("subsidies:payment_file", args=[month.pk])).status_code == 302
    client.post(reverse("subsidies:month_approve", args=[month.pk]))
    client.post(reverse("subsidies:month_paid", args=[month.pk]), {"reference": "CZ-2025-03"})
    month.refresh_from_db()
    assert (month.state, month.payment_reference) == ("paid", "CZ-2025-03")
    answer = client.get(reverse("subsidies:payment_file", args=[month.pk]))
    rows = list(load_workbook(io.BytesIO(answer.content)).active.iter_rows(values_only=True))
    assert [row[1] for row in rows[1:]] == ["乙托育园", "甲托育园", "合计"]


def test_auditor_reads_but_may_not_act(client, scheme, two_lines):
    client.force_login(UserFactory(username="audit", role=Role.AUDITOR))
    assert client.get(reverse("subsidies:months")).status_code == 200
    answer = client.post(reverse("subsidies:months"), {"scheme": scheme.pk, "month": "2025-03"})
    assert answer.status_code == 403 and not SubsidyMonth.objects.exists()


def test_operator_sees_only_own_lines(client, scheme, two_lines):
    from subsidies.services import compute_month

    mine, other = two_lines
    compute_month(scheme, MARCH)
    operator = UserFactory(username="op", role=Role.OPERATOR)
    mine.operators.add(operator)
    client.force_login(operator)
    page = client.get(reverse("subsidies:institution_lines", args=[mine.pk]))
    assert page.status_code == 200 and "4650.00" in page.content.decode()
    assert client.get(reverse("subsidies:institution_lines", args=[other.pk])).status_code == 404
    assert client.get(reverse("subsidies:months")).status_code == 403
    month = SubsidyMonth.objects.get()
    assert client.get(reverse("subsidies:month_detail", args=[month.pk])).status_code == 403

    listing = client.get(reverse("v1:subsidy-line-list")).json()
    rows = listing["results"] if isinstance(listing, dict) else listing
    assert [row["institution"] for row in rows] == [mine.pk]
    assert rows[0]["amount"] == "4650.00"
    theirs = SubsidyLine.objects.get(institution=other)
    assert client.get(reverse("v1:subsidy-line-detail", args=[theirs.pk])).status_code == 404
    ours = SubsidyLine.objects.get(institution=mine)
    assert client.get(reverse("v1:subsidy-line-detail", args=[ours.pk])).status_code == 200


def test_api_month_filter_and_format(client, scheme, two_lines):
    from subsidies.services import compute_month

    compute_month(scheme, MARCH)
    client.force_login(UserFactory(username="clerk", role=Role.BUREAU_STAFF))
    march = client.get(reverse("v1:subsidy-line-list"), {"month": "2025-03"}).json()
    rows = march["results"] if isinstance(march, dict) else march
    assert len(rows) == 2 and {row["month"] for row in rows} == {"2025-03"}
    april = client.get(reverse("v1:subsidy-line-list"), {"month": "2025-04"}).json()
    assert not (april["results"] if isinstance(april, dict) else april)
    assert client.get(reverse("v1:subsidy-line-list"), {"month": "2025-3"}).status_code == 400
