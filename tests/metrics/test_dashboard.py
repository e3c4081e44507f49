"""The indicator dashboard: who sees it, how figures are written, drill-downs, recomputes."""

import datetime as dt
import re
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from institutions.models import MonthlyReport, Township
from metrics.models import (
    CityIncome,
    ComputeRun,
    Indicator,
    PopulationBase,
    Snapshot,
    Target,
)
from metrics.services import compute_period
from tests.bulk import make_registry
from tests.factories import (
    ApprovedPlacesFactory,
    CareContractFactory,
    InclusiveRecognitionFactory,
    InstitutionFactory,
    township,
)

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.metrics.urls_dashboard")]

M = dt.date(2025, 6, 1)
D = dt.date(2025, 6, 30)
A = "330382114"  # 柳市镇
B = "330382108"
EMPTY = "330382210"  # 智仁乡: no institutions, no population
DASHBOARD = "/zhibiao/"


@pytest.fixture(autouse=True)
def _default_targets(db):
    """The plan's targets, as the data migration loads them (a transactional test elsewhere in
    the suite may have emptied the table)."""
    from metrics.defaults import load_default_targets

    load_default_targets(Target)


def accepted_report(institution, *, enrolled: int, fee: int, state=MonthlyReport.State.ACCEPTED):
    return MonthlyReport.objects.create(
        institution=institution,
        period=M,
        state=state,
        enrolled_toddler=enrolled,
        fee_full_day=Decimal(fee),
        first_submitted_at=timezone.make_aware(dt.datetime(2025, 7, 5, 10)),
    )


def hand_built_registry() -> dict:
    """Township A at D (2025-06-30), kpis.md's worked example and a few that must not count:

    P kindergarten, inclusive, 40 places (1,250 more from 2025-03: K8 counts them)
    Q centre, not inclusive, 60 places, a care contract
    U kindergarten without a childcare class (no places: it counts only for K7)
    R filed the day after D; S closed before D; T in township B.
    """
    a, b = township("114"), township("108")
    p = InstitutionFactory(
        name="P幼儿园", township=a, kind="kindergarten", filed_on=dt.date(2024, 1, 1)
    )
    ApprovedPlacesFactory(institution=p, effective_from=dt.date(2024, 1, 1), toddler=40, older=0)
    InclusiveRecognitionFactory(institution=p, valid_from=dt.date(2024, 1, 1))
    q = InstitutionFactory(name="Q托育中心", township=a, filed_on=dt.date(2024, 1, 1))
    ApprovedPlacesFactory(institution=q, effective_from=dt.date(2024, 1, 1), toddler=60, older=0)
    CareContractFactory(institution=q, valid_from=dt.date(2024, 1, 1), valid_to=None)
    u = InstitutionFactory(
        name="U幼儿园", township=a, kind="kindergarten", filed_on=dt.date(2024, 1, 1)
    )
    r = InstitutionFactory(name="R托育中心", township=a, filed_on=D + dt.timedelta(days=1))
    ApprovedPlacesFactory(institution=r, effective_from=D + dt.timedelta(days=1), toddler=30)
    s = InstitutionFactory(
        name="S托育中心", township=a, filed_on=dt.date(2024, 1, 1), closed_on=dt.date(2025, 5, 1)
    )
    ApprovedPlacesFactory(institution=s, effective_from=dt.date(2024, 1, 1), toddler=70)
    t = InstitutionFactory(name="T托育中心", township=b, filed_on=dt.date(2024, 1, 1))
    ApprovedPlacesFactory(institution=t, effective_from=dt.date(2024, 1, 1), toddler=80, older=0)
    accepted_report(p, enrolled=36, fee=1500)
    accepted_report(q, enrolled=50, fee=2600)
    accepted_report(u, enrolled=0, fee=0, state=MonthlyReport.State.SUBMITTED)
    PopulationBase.objects.create(township=a, year=2025, residents=50000, children_under_3=300)
    PopulationBase.objects.create(township=b, year=2025, residents=40000, children_under_3=200)
    CityIncome.objects.create(year=2024, per_capita_disposable_income=Decimal("72000"))
    return {"P": p, "Q": q, "U": u, "R": r, "S": s, "T": t}


def compute(*periods):
    for period in periods or (dt.date(2025, 5, 1), M):
        compute_period(period)


def cells(html: str, area: str) -> dict[str, tuple[str, str]]:
    """{indicator: (status class, text)} of one row of the township table."""
    row = re.search(rf'<tr data-area="{area}">(.*?)</tr>', html, re.S).group(1)
    found = re.findall(
        r'<td class="num kpi-cell kpi-cell--([a-z-]+)" data-indicator="([A-Za-z0-9_]+)">(.*?)</td>',
        row,
        re.S,
    )
    return {
        indicator: (
            css,
            re.sub(
                r"<[^>]+>", "", re.sub(r"<span class=\"visually-hidden\">.*?</span>", "", text)
            ).strip(),
        )
        for css, indicator, text in found
    }


def card(html: str, indicator: str) -> str:
    """The dashboard card of `indicator`, with its opening tag."""
    for found in re.findall(r'(<li class="kpi-card .*?</li>)', html, re.S):
        if f'<span class="kpi-id">{indicator}</span>' in found:
            return found
    raise AssertionError(indicator)


def listed(html: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'data-institution="(\d+)"', html)}


# --- Who sees what --------------------------------------------------------------------------------


def test_anonymous_is_sent_to_the_login_page(client):
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("institutions:login"))


@pytest.mark.parametrize("persona", ["operator_a", "family", "inspector"])
def test_operators_families_and_inspectors_may_not_see_it(client_as, request, persona):
    client = client_as(request.getfixturevalue(persona))
    assert client.get(DASHBOARD).status_code == 403
    assert client.get("/zhibiao/yuce/").status_code == 403
    assert client.get(f"/zhibiao/{A}/K1/").status_code == 403


@pytest.mark.parametrize("persona", ["bureau", "bureau_admin", "education", "auditor"])
def test_bureau_education_and_auditors_see_it(client_as, request, persona):
    hand_built_registry()
    compute()
    client = client_as(request.getfixturevalue(persona))
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    assert client.get(f"/zhibiao/{A}/K1/", {"month": "2025-06"}).status_code == 200
    assert client.get("/zhibiao/yuce/").status_code == 200
    # Only bureau staff are offered the buttons.
    offered = "重新计算</button>" in response.content.decode()
    assert offered == (persona in {"bureau", "bureau_admin"})


@pytest.mark.parametrize("persona", ["education", "auditor"])
def test_read_only_roles_may_not_recompute_or_generate(client_as, request, persona):
    client = client_as(request.getfixturevalue(persona))
    response = client.post("/zhibiao/chongsuan/", {"first": "2025-05", "last": "2025-06"})
    assert response.status_code == 403
    assert client.post("/zhibiao/baogao/", {"month": "2025-06"}).status_code == 403
    assert not ComputeRun.objects.exists()


def test_bureau_recompute_creates_a_run_and_shows_its_progress(
    client_as, bureau, django_capture_on_commit_callbacks
):
    hand_built_registry()
    client = client_as(bureau)
    with (
        mock.patch("metrics.tasks.compute_run.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            "/zhibiao/chongsuan/", {"first": "2025-05", "last": "2025-06", "month": "2025-06"}
        )
    run = ComputeRun.objects.get()
    assert (run.first_period, run.last_period, run.months_total) == (dt.date(2025, 5, 1), M, 2)
    assert run.requested_by == bureau
    delay.assert_called_once_with(run.pk)
    assert response.status_code == 302 and f"run={run.pk}" in response["Location"]

    status = client.get(f"/zhibiao/chongsuan/{run.pk}/").json()
    assert (status["state"], status["progress"], status["finished"]) == ("queued", 0, False)
    page = client.get(response["Location"]).content.decode()
    assert "data-polling" in page and 'http-equiv="refresh"' in page  # reloads without JS

    from metrics.tasks import compute_run

    assert compute_run(run.pk) == "done"  # what the worker runs
    status = client.get(f"/zhibiao/chongsuan/{run.pk}/").json()
    assert (status["state"], status["progress"], status["finished"]) == ("done", 100, True)
    assert Snapshot.objects.filter(period=M, area="city").count() == len(Indicator.values)
    page = client.get(response["Location"]).content.decode()
    assert "已重新计算" in page and "data-polling" not in page


def test_a_recompute_of_impossible_months_is_refused(client_as, bureau):
    response = client_as(bureau).post(
        "/zhibiao/chongsuan/", {"first": "2025-06", "last": "2025-05"}
    )
    assert response.status_code == 302
    assert not ComputeRun.objects.exists()


# --- What the figures look like --------------------------------------------------------------------


def test_dashboard_writes_values_as_kpis_md_says(client_as, bureau):
    hand_built_registry()
    compute()
    html = client_as(bureau).get(DASHBOARD, {"month": "2025-06"}).content.decode()
    a = cells(html, A)
    assert a["K1"] == ("met", "333.3")  # 100 / 300 x 1000, one decimal place
    assert a["K3"] == ("not-met", "40.0%")  # shares as percentages, one decimal place
    assert a["K4"] == ("not-met", "40.0%")
    assert a["K6"] == ("met", "25.0%")
    assert a["K15"][1] == "28.7%"
    # Cards: value, target, met or not in words, change from last month.
    k3 = card(html, "K3")
    assert 'kpi-card--not-met"' in k3 and "托幼一体托位占比" in k3
    assert "22.2%" in k3 and "≥ 65.0%" in k3  # city: 40 / 180 and "未达标" in k3 and "较上月" in k3


def test_counts_have_thousands_separators(client_as, bureau, settings):
    settings.PILOT_BASELINE_DATE = dt.date(2025, 1, 31)
    p = hand_built_registry()["P"]
    ApprovedPlacesFactory(institution=p, effective_from=dt.date(2025, 3, 1), toddler=1290, older=0)
    compute()
    html = client_as(bureau).get(DASHBOARD, {"month": "2025-06"}).content.decode()
    assert cells(html, A)["K8"][1] == "1,250"


def test_no_data_is_written_无数据_never_zero(client_as, bureau):
    hand_built_registry()
    CityIncome.objects.all().delete()  # K6 has no denominator anywhere
    compute()
    html = client_as(bureau).get(DASHBOARD, {"month": "2025-06"}).content.decode()
    empty = cells(html, EMPTY)
    for indicator in ("K1", "K3", "K4", "K5", "K11", "K15"):
        assert empty[indicator] == ("no-data", "无数据"), indicator
    assert empty["K9_sessions"][1] == "0"  # a count is a count
    k6 = card(html, "K6")
    assert 'kpi-card--no-data"' in k6 and '<p class="kpi-card__value">无数据</p>' in k6


def test_township_table_colours_follow_the_statuses(client_as, bureau):
    hand_built_registry()
    compute()
    html = client_as(bureau).get(DASHBOARD, {"month": "2025-06"}).content.decode()
    expected = {"met": "met", "not_met": "not-met", "no_data": "no-data", "tracked": "tracked"}
    rows = {code: cells(html, code) for code in Township.objects.values_list("code", flat=True)}
    checked = 0
    for snapshot in Snapshot.objects.filter(period=M).exclude(area="city"):
        assert rows[snapshot.area][snapshot.indicator][0] == expected[snapshot.status], snapshot
        checked += 1
    assert checked == 25 * len(Indicator.values)
    assert {css for row in rows.values() for css, _text in row.values()} == set(expected.values())


def test_default_month_is_the_latest_with_snapshots(client_as, bureau):
    hand_built_registry()
    compute()
    response = client_as(bureau).get(DASHBOARD)
    assert response.context["period"] == M
    response = client_as(bureau).get(DASHBOARD, {"month": "2019-01"})  # no snapshots: the latest
    assert response.context["period"] == M


def test_dashboard_without_snapshots_says_so(client_as, bureau):
    html = client_as(bureau).get(DASHBOARD).content.decode()
    assert "尚无指标计算结果" in html


# --- Drill-down ------------------------------------------------------------------------------------


def test_drilldown_lists_exactly_the_institutions_behind_a_figure(client_as, bureau):
    i = hand_built_registry()
    compute()
    client = client_as(bureau)

    def behind(area, indicator):
        response = client.get(f"/zhibiao/{area}/{indicator}/", {"month": "2025-06"})
        assert response.status_code == 200
        return listed(response.content.decode())

    # Places: counted at D with places (not R, filed later; not S, closed; not U, no places).
    assert behind(A, "K1") == {i["P"].pk, i["Q"].pk}
    assert behind(A, "K4") == {i["P"].pk, i["Q"].pk}
    assert behind("city", "K1") == {i["P"].pk, i["Q"].pk, i["T"].pk}
    # Per institution: every counted one; U runs no childcare class, so it counts only for K7.
    assert behind(A, "K11") == {i["P"].pk, i["Q"].pk}
    assert behind(A, "K14") == {i["P"].pk, i["Q"].pk}
    # Reports: accepted reports of counted institutions (U's is only submitted); K6 inclusive only.
    assert behind(A, "K15") == {i["P"].pk, i["Q"].pk}
    assert behind(A, "K6") == {i["P"].pk}
    assert behind(B, "K1") == {i["T"].pk}
    # The listed places add up to the figure's numerator.
    html = client.get(f"/zhibiao/{A}/K1/", {"month": "2025-06"}).content.decode()
    snapshot = Snapshot.objects.get(period=M, area=A, indicator="K1")
    assert snapshot.numerator == 100 and "100 / 300" in html


def test_drilldown_of_an_unknown_indicator_or_area_is_a_404(client_as, bureau):
    hand_built_registry()
    compute()
    client = client_as(bureau)
    assert client.get(f"/zhibiao/{A}/K99/").status_code == 404
    assert client.get("/zhibiao/999999999/K1/").status_code == 404


# --- Bounded queries --------------------------------------------------------------------------------


def _registry_of(size: int, seed: int) -> None:
    make_registry(size, seed=seed)
    for t in Township.objects.all():
        PopulationBase.objects.get_or_create(
            township=t, year=2025, defaults={"residents": 60000, "children_under_3": 1200}
        )
    CityIncome.objects.get_or_create(year=2024, defaults={"per_capita_disposable_income": 72000})
    compute(dt.date(2025, 4, 1), dt.date(2025, 5, 1), M)


def test_dashboard_and_drilldown_queries_do_not_grow_with_the_registry(
    client_as, bureau, django_assert_max_num_queries
):
    client = client_as(bureau)
    client.get(DASHBOARD)  # session and user warmed up alike for both sizes
    counts = []
    for size, seed in ((30, 1), (300, 5)):  # every township has some at both sizes
        _registry_of(size, seed)
        with CaptureQueriesContext(connection) as dashboard:
            assert client.get(DASHBOARD, {"month": "2025-06"}).status_code == 200
        with CaptureQueriesContext(connection) as drill:
            assert client.get(f"/zhibiao/{A}/K1/", {"month": "2025-06"}).status_code == 200
        with CaptureQueriesContext(connection) as city_drill:
            assert client.get("/zhibiao/city/K5/", {"month": "2025-06"}).status_code == 200
        counts.append((len(dashboard), len(drill), len(city_drill)))
    assert counts[0] == counts[1], counts
    # 9, and 2 for target 一(五): the published catalogue items and the catalogue's last change,
    # 1 for the header's unread notifications, 1 for K9's note: how many of the year's sessions
    # have an attendance list, and 4 for the 融合托育 counts per township (issue 19).
    with django_assert_max_num_queries(17):
        client.get(DASHBOARD, {"month": "2025-06"})
    with django_assert_max_num_queries(10):
        client.get("/zhibiao/city/K1/", {"month": "2025-06"})


def test_indicator_numbers_are_shown_as_kpis_md_writes_them(client_as, bureau):
    """K9_sessions and K9_families are both "K9" to the reader; the names tell them apart. The
    stored ids stay in the data attributes and links only."""
    hand_built_registry()
    compute()
    html = client_as(bureau).get(DASHBOARD, {"month": "2025-06"}).content.decode()
    assert '<span class="kpi-id">K9</span>' in html
    assert '<span class="kpi-id">K9_sessions</span>' not in html
    assert '<span class="kpi-id">K13_issued</span>' not in html
    assert 'data-indicator="K9_sessions"' in html
