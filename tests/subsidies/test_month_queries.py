"""A month's page lists its lines a page at a time (a province's month has thousands) with the
month's totals on every page, in a fixed number of queries whatever the number of lines."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.roles import Role
from subsidies import views
from subsidies.models import SubsidyMonth
from subsidies.services import compute_month
from tests.factories import (
    ApprovedPlacesFactory,
    InclusiveRecognitionFactory,
    InstitutionFactory,
    UserFactory,
)

from .conftest import MARCH, accepted_report

pytestmark = pytest.mark.django_db
# Pinned: the session, the user and the page's shared reads (roles, the header's notifications),
# then the month with its scheme, the lines' count and one page of lines with their institutions.
QUERIES = 7


def add_lines(count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        institution = InstitutionFactory(name=f"托育园{n:03d}")
        ApprovedPlacesFactory(institution=institution)
        InclusiveRecognitionFactory(institution=institution)
        accepted_report(institution, enrolled_toddler=2)


def month_page(client, month, page=None):
    url = reverse("subsidies:month_detail", args=[month.pk])
    with CaptureQueriesContext(connection) as captured:
        answer = client.get(url, {"page": page} if page else {})
    assert answer.status_code == 200
    return answer.content.decode(), len(captured)


@pytest.fixture
def bureau_client(client):
    client.force_login(UserFactory(username="clerk", role=Role.BUREAU_STAFF))
    return client


def test_the_months_page_runs_the_same_queries_for_one_and_five_lines(bureau_client, scheme):
    add_lines(1)
    month = compute_month(scheme, MARCH)
    html, one = month_page(bureau_client, month)
    assert html.count("托育园000") == 1
    add_lines(4, start=1)
    month = compute_month(scheme, MARCH)
    assert SubsidyMonth.objects.get().line_count == 5
    html, five = month_page(bureau_client, month)
    assert all(f"托育园{n:03d}" in html for n in range(5))
    assert one == five == QUERIES


def test_the_lines_are_paginated_with_the_months_totals_on_every_page(
    bureau_client, scheme, monkeypatch
):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    add_lines(3)
    month = compute_month(scheme, MARCH)
    assert (month.line_count, month.total) == (3, Decimal("1200.00"))
    first, _n = month_page(bureau_client, month)
    second, _n = month_page(bureau_client, month, page=2)
    # Two lines on a full page, the third alone on the last one, in name order.
    assert "托育园000" in first and "托育园001" in first and "托育园002" not in first
    assert "托育园002" in second and "托育园000" not in second and "托育园001" not in second
    for html in (first, second):
        assert "<strong>1200.00</strong>" in html
        assert "第 " in html and " / 2 页" in html
