"""Issue 21: the indicators read the registry set-based on PostgreSQL (institutions.facts,
metrics.kpis.registry.set_based_facts). On the demo data, every pilot month's registry and
activity sums, and the baseline's inclusive places, equal those of the ORM's correlated reading
(`registry_facts`). `make bench` checks the same at city and province scale."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lequing_tuoyu import demo
from metrics.computation import compute_figures
from metrics.kpis import registry
from metrics.kpis.registry import INCLUSIVE, INCLUSIVE_PLACES, REGISTRY, activity, registry_sums
from metrics.services import months_between
from portal.dates import month_end

pytestmark = pytest.mark.django_db


def by_township(rows: list[dict]) -> list[dict]:
    return sorted(rows, key=lambda row: row["township_id_at"] or 0)


def sums(day, period, *, set_based: bool, monkeypatch) -> tuple:
    monkeypatch.setattr(registry, "SET_BASED", [set_based])
    month = registry_sums(day, (*REGISTRY, *activity(period)), period)
    baseline = registry_sums(settings.PILOT_BASELINE_DATE, [INCLUSIVE_PLACES], among=INCLUSIVE)
    # GROUP BY answers in no set order: both lists sorted by township.
    return by_township(month), by_township(baseline)


def test_every_months_sums_and_figures_equal_the_orms_on_the_demo(monkeypatch):
    demo.seed(scale="demo", seed=2025, with_indicators=False)
    months = months_between(settings.PILOT_START_DATE, timezone.localdate().replace(day=1))
    assert len(months) >= 12
    compared = 0
    for period in months:
        day = month_end(period)
        set_based = sums(day, period, set_based=True, monkeypatch=monkeypatch)
        orm = sums(day, period, set_based=False, monkeypatch=monkeypatch)
        assert set_based == orm, period
        assert sum(row["institutions"] for row in set_based[0]) > 0
        # Every indicator of every area: the registry and each source that reads it.
        monkeypatch.setattr(registry, "SET_BASED", [True])
        figures = compute_figures(period)
        monkeypatch.setattr(registry, "SET_BASED", [False])
        assert compute_figures(period) == figures, period
        compared += 1
    assert compared == len(months)


def test_the_switch_reaches_the_query(monkeypatch):
    """The comparison above compares two different readings, not one with itself."""
    day = timezone.localdate()
    for set_based in (True, False):
        monkeypatch.setattr(registry, "SET_BASED", [set_based])
        with CaptureQueriesContext(connection) as queries:
            registry_sums(day, REGISTRY)
        assert ("DISTINCT ON" in queries[-1]["sql"]) is set_based
