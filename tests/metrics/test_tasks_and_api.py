import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from institutions.models import FactsAtDay
from metrics.models import ComputeRun, PopulationBase, Snapshot
from metrics.services import compute_period
from metrics.tasks import compute_recent, compute_run
from tests.bulk import make_registry
from tests.factories import township

M = dt.date(2025, 6, 1)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_nightly_task_runs_in_a_real_worker_and_writes_snapshots(celery_worker_process):
    make_registry(5)
    this_month = timezone.localdate().replace(day=1)
    result = compute_recent.apply_async(queue=celery_worker_process)
    assert result.get(timeout=120) == 2 * 26 * 30
    periods = set(Snapshot.objects.values_list("period", flat=True))
    assert this_month in periods and len(periods) == 2
    city_places = Snapshot.objects.get(period=this_month, area="city", indicator="K11")
    assert city_places.denominator == 5


@pytest.mark.django_db
def test_running_twice_gives_the_same_snapshots():
    make_registry(10)
    compute_period(M)
    first = list(
        Snapshot.objects.values_list("area", "indicator", "value").order_by("area", "indicator")
    )
    compute_period(M)
    again = list(
        Snapshot.objects.values_list("area", "indicator", "value").order_by("area", "indicator")
    )
    assert first == again


@pytest.mark.django_db
def test_query_count_does_not_grow_with_the_data(
    django_assert_max_num_queries, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_registry(20)
    with CaptureQueriesContext(connection) as small:
        compute_period(M)
    make_registry(400, seed=5)
    FactsAtDay.objects.all().delete()  # the same path as the small run: a day not yet kept
    with CaptureQueriesContext(connection) as large:
        compute_period(M)
    assert len(small) == len(large)
    # 25: the set-based registry at D is kept (institutions.facts_store: the lock, the missing
    # rows, their insert, the new day's statistics) and read by every source instead of being
    # computed four times; K9's sessions and families are one query, and K13's amounts and
    # families another.
    assert len(large) <= 25
    # A few institutions added since: their rows are computed, the statistics left alone.
    make_registry(3, seed=9)
    with CaptureQueriesContext(connection) as few_missing:
        compute_period(M)
    assert len(few_missing) == len(large) - 1
    # Nothing written since: nothing missing, nothing inserted.
    with CaptureQueriesContext(connection) as unchanged:
        compute_period(M)
    assert len(unchanged) == len(large) - 2


@pytest.mark.django_db
def test_compute_kpis_command_for_a_range():
    out = io.StringIO()
    call_command("compute_kpis", "--from", "2025-05", "--to", "2025-06", stdout=out)
    assert "2025-05: 780 snapshots" in out.getvalue()
    assert set(Snapshot.objects.values_list("period", flat=True)) == {dt.date(2025, 5, 1), M}


@pytest.mark.django_db
def test_compute_kpis_command_refuses_bad_months():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("compute_kpis", "--period", "June")


@pytest.mark.django_db
def test_a_dashboard_run_records_progress():
    run = ComputeRun.objects.create(first_period=dt.date(2025, 4, 1), last_period=M, months_total=3)
    assert compute_run.apply(args=[run.pk]).get() == "done"
    run.refresh_from_db()
    assert (run.months_done, run.progress, run.state) == (3, 100, "done")


@pytest.mark.django_db
def test_kpi_api_answers_the_contract(api_as, bureau, education, operator_a, family):
    make_registry(3)
    PopulationBase.objects.create(
        township=township("001"), year=2025, residents=1000, children_under_3=30
    )
    compute_period(M)
    response = api_as(bureau).get("/api/v1/kpis/", {"period": "2025-06", "area": "city"})
    assert response.status_code == 200
    rows = {row["indicator"]: row for row in response.json()}
    assert len(rows) == 30
    assert set(rows["K1"]) == {
        "indicator",
        "name",
        "value",
        "numerator",
        "denominator",
        "target",
        "status",
        "computed_at",
    }
    assert rows["K1"]["name"] == "每千名3岁以下婴幼儿托位数"
    assert rows["K10"]["value"] is None and rows["K10"]["status"] == "no_data"
    # make_registry gives each of its 3 a contract; operator_a's institution has none.
    assert Decimal(rows["K11"]["value"]) == Decimal("0.75")
    township_rows = (
        api_as(education).get("/api/v1/kpis/", {"period": "2025-06", "area": "330382001"}).json()
    )
    assert {row["indicator"] for row in township_rows} == set(rows)
    assert api_as(bureau).get("/api/v1/kpis/", {"period": "June"}).status_code == 400
    assert api_as(operator_a).get("/api/v1/kpis/", {"period": "2025-06"}).status_code == 403
    assert api_as(family).get("/api/v1/kpis/", {"period": "2025-06"}).status_code == 403


@pytest.mark.django_db
def test_population_imports_from_a_spreadsheet():
    import tablib

    from metrics.resources import PopulationBaseResource

    data = tablib.Dataset(headers=["镇街", "年份", "常住人口", "3岁以下婴幼儿数", "出生人口"])
    data.append(["柳市镇", 2025, 331900, 6200, 2100])
    data.append(["330382108", 2025, 200000, 3900, ""])
    result = PopulationBaseResource().import_data(data, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert (
        PopulationBase.objects.get(township__code="330382114", year=2025).children_under_3 == 6200
    )
    bad = tablib.Dataset(headers=data.headers)
    bad.append(["不存在镇", 2025, 1, 1, 1])
    bad.append(["乐成街道", 2025, 1000, 30, 10])
    result = PopulationBaseResource().import_data(bad, dry_run=False)
    assert result.has_validation_errors() or result.has_errors()
    assert not PopulationBase.objects.filter(township__code="330382002").exists()


@pytest.mark.django_db
def test_a_month_computed_since_the_given_time_is_skipped_and_one_computed_before_is_not():
    """The nightly task's guard against a second delivery (tests/faults/test_scale_out.py runs
    it on two workers): the boundary on both sides of the time the task started."""
    make_registry(3)
    rows = compute_period(M)
    (at,) = set(Snapshot.objects.filter(period=M).values_list("computed_at", flat=True))
    # Computed at that very time (after it, the lock taken): left alone.
    assert compute_period(M, unless_computed_since=at) == 0
    assert set(Snapshot.objects.filter(period=M).values_list("computed_at", flat=True)) == {at}
    # Computed a microsecond before it: computed again.
    assert compute_period(M, unless_computed_since=at + dt.timedelta(microseconds=1)) == rows
    (again,) = set(Snapshot.objects.filter(period=M).values_list("computed_at", flat=True))
    assert again > at
    # A month never computed is computed; without the time, a month always is.
    other = dt.date(2025, 7, 1)
    assert compute_period(other, unless_computed_since=at) == rows
    assert compute_period(M) == rows
