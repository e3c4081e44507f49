"""K10: new communities meeting 10 places per 1000 residents, read at D. A community of no
residents has no ratio: it is a new community that does not meet the target, never an error."""

import datetime as dt
from decimal import Decimal

import pytest

from institutions.models import CommunityFacts
from metrics.computation import compute_figures
from metrics.kpis.drilldown import drilldown
from metrics.models import CITY
from tests.factories import CommunityFactory, township

from .builders import A, D, M

pytestmark = pytest.mark.django_db


def test_a_community_of_no_residents_does_not_divide_by_zero():
    a = township(A[-3:])
    CommunityFactory(township=a, is_new=True, delivered_on=M, residents=0, delivered_places=5)
    figures = compute_figures(M)
    assert figures[A, "K10"].value == 0 and figures[CITY, "K10"].value == 0
    CommunityFactory(township=a, is_new=True, delivered_on=D, residents=1000, delivered_places=10)
    figures = compute_figures(M)
    assert figures[A, "K10"].value == Decimal("0.5")
    rows = drilldown(M, a, "K10").rows
    assert [(c.residents_at, c.meets) for c in rows] == [(0, False), (1000, True)]


def test_k10_reads_the_communitys_facts_at_d():
    a = township(A[-3:])
    community = CommunityFactory(
        township=a,
        is_new=True,
        delivered_on=dt.date(2025, 3, 1),
        residents=1000,
        delivered_places=10,
    )
    # Recorded: not new (9 places) until the day before D; from D new, 10 places, 1001 residents.
    CommunityFacts.objects.create(
        community=community,
        effective_from=dt.date(2025, 1, 1),
        is_new=False,
        residents=1000,
        delivered_places=9,
    )
    CommunityFacts.objects.create(
        community=community, effective_from=D, is_new=True, residents=1001, delivered_places=10
    )
    assert compute_figures(M)[A, "K10"].value == 0  # 10 places for 1001 residents: short
    assert compute_figures(dt.date(2025, 5, 1))[A, "K10"].value is None  # not new at May's end
