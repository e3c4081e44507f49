"""The dashboard opens on the last complete month and marks report-based figures of a month whose
reports are still open as provisional: on the cards, the table, the trends, the admin home and the
PDF, never judged not met. Arrows show direction, colour good or bad; names, not internal ids."""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone
from openpyxl import load_workbook

from lequing_tuoyu.home import day_work
from metrics.kpis.definitions import REPORT_BASED
from metrics.models import CITY, Indicator, Snapshot, Target
from metrics.pdf import evaluation_report_pdf
from metrics.selectors import default_month, last_complete_month, month_overview
from portal.dates import due_on
from tests.metrics.test_dashboard import A, card, cells, compute, hand_built_registry
from tests.metrics.test_pdf import pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.metrics.urls_dashboard")]

MAY, JUNE = dt.date(2025, 5, 1), dt.date(2025, 6, 1)
DUE = due_on(JUNE)  # the last day June's reports may be filed on time (inclusive)
DASHBOARD = "/zhibiao/"
# A stored id that is not kpis.md's number: K9_sessions, K13_use, K14_timely.
INTERNAL_ID = re.compile(r"\bK\d+[a-d]?_[a-z]+")


@pytest.fixture(autouse=True)
def _default_targets(db):
    from metrics.defaults import load_default_targets

    load_default_targets(Target)


def at(day: dt.date):
    """Noon of `day` in Asia/Shanghai."""
    moment = dt.datetime.combine(day, dt.time(12))
    return time_machine.travel(timezone.make_aware(moment), tick=False)


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", html)


@pytest.fixture
def june(db):
    hand_built_registry()
    compute(MAY, JUNE)


# --- Which month, and which figures are provisional, on both sides of the due day -----------------


def test_last_complete_month_turns_the_day_after_the_due_day():
    assert last_complete_month(DUE) == MAY
    assert last_complete_month(DUE + dt.timedelta(days=1)) == JUNE
    # Two months open at once when the due day is early in the month after next: never a future one.
    assert last_complete_month(dt.date(2025, 7, 1)) == MAY


def test_default_month_is_the_newest_complete_one_or_the_oldest_there_is():
    months = [dt.date(2025, 7, 1), JUNE, MAY]
    assert default_month(months, DUE) == MAY
    assert default_month(months, DUE + dt.timedelta(days=1)) == JUNE
    assert default_month([dt.date(2025, 7, 1)], DUE) == dt.date(2025, 7, 1)
    assert default_month([], DUE) is None


def test_the_dashboard_opens_on_may_until_junes_due_day_and_on_june_after(client_as, bureau, june):
    with at(DUE):
        response = client_as(bureau).get(DASHBOARD)
    assert response.context["period"] == MAY
    with at(DUE + dt.timedelta(days=1)):
        response = client_as(bureau).get(DASHBOARD)
    assert response.context["period"] == JUNE


def test_report_based_figures_are_provisional_up_to_the_due_day(client_as, bureau, june):
    with at(DUE):
        html = client_as(bureau).get(DASHBOARD, {"month": "2025-06"}).content.decode()
    k6 = card(html, "K6")
    assert 'kpi-card--provisional"' in k6 and "暂定（月报未截止）" in k6 and "未达标" not in k6
    assert "月报未截止，暂不比较" in k6
    assert 'kpi-card--provisional"' not in card(html, "K1")
    row = cells(html, A)
    for indicator in REPORT_BASED:
        assert row[indicator][0] == "provisional", indicator
    assert row["K1"][0] == "met" and row["K3"][0] == "not-met"


def test_after_the_due_day_the_same_figures_are_judged(client_as, bureau, june):
    with at(DUE + dt.timedelta(days=1)):
        html = client_as(bureau).get(DASHBOARD, {"month": "2025-06"}).content.decode()
    assert "provisional" not in cells(html, A)["K6"][0]
    assert cells(html, A)["K6"][0] == "met"
    assert "暂定" not in card(html, "K6")


def test_a_provisional_month_is_a_gap_in_the_trend_not_a_drop(june):
    def last_point_has_value(overview, indicator):
        chart = next(c for c in overview.charts if c.indicator == indicator)
        return chart.svg.count("<circle")  # one dot per month with a value

    with at(DUE):
        open_month = month_overview(JUNE)
    with at(DUE + dt.timedelta(days=1)):
        closed_month = month_overview(JUNE)
    for indicator in ("K6", "K15"):
        assert last_point_has_value(open_month, indicator) + 1 == last_point_has_value(
            closed_month, indicator
        ), indicator
    assert last_point_has_value(open_month, "K1") == last_point_has_value(closed_month, "K1")


def test_the_admin_home_counts_not_met_in_the_last_complete_month_only(bureau, june):
    # June's K14 is 0 while its reports are open: stored as not met, but June is not complete.
    Snapshot.objects.filter(period=JUNE, area=CITY, indicator="K14").update(
        status=Snapshot.Status.NOT_MET
    )
    with at(DUE):
        item = next(i for i in day_work(bureau) if i["key"] == "indicators")
    assert item["label"] == "2025-05 未达标的指标"
    may_not_met = Snapshot.objects.filter(
        period=MAY, area=CITY, status=Snapshot.Status.NOT_MET
    ).count()
    assert item["count"] == may_not_met
    with at(DUE + dt.timedelta(days=1)):
        item = next(i for i in day_work(bureau) if i["key"] == "indicators")
    assert item["label"] == "2025-06 未达标的指标"
    assert "K14" in [code for code, _name in item["detail"]]


# --- Arrows: direction; colour: better or worse ------------------------------------------------------


def test_a_fee_ratio_going_down_points_down_in_the_good_colour(client_as, bureau, june):
    """K6 has an "at most" target: a drop is an improvement. The arrow points down (the value
    fell) and the colour says better."""
    Snapshot.objects.filter(period=MAY, area=CITY, indicator="K6").update(
        value=Decimal("0.3"), status=Snapshot.Status.MET
    )
    with at(DUE + dt.timedelta(days=1)):
        html = client_as(bureau).get(DASHBOARD, {"month": "2025-06"}).content.decode()
    k6 = card(html, "K6")
    assert "kpi-change--better" in k6 and "▼" in k6 and "▲" not in k6 and "（向好）" in k6
    Snapshot.objects.filter(period=MAY, area=CITY, indicator="K6").update(
        value=Decimal("0.1"), status=Snapshot.Status.MET
    )
    with at(DUE + dt.timedelta(days=1)):
        html = client_as(bureau).get(DASHBOARD, {"month": "2025-06"}).content.decode()
    k6 = card(html, "K6")
    assert "kpi-change--worse" in k6 and "▲" in k6 and "▼" not in k6 and "（变差）" in k6


# --- Names, not internal ids; no English ----------------------------------------------------------


def test_dashboard_pdf_and_admin_home_show_no_internal_id_and_no_english(
    client_as, bureau, june, tmp_path
):
    with at(DUE):
        dashboard = visible_text(
            client_as(bureau).get(DASHBOARD, {"month": "2025-06"}).content.decode()
        )
        admin_home = visible_text(client_as(bureau).get("/admin/").content.decode())
        pdf = pdf_text(evaluation_report_pdf(JUNE), tmp_path)
    for name, text in (("dashboard", dashboard), ("admin home", admin_home), ("pdf", pdf)):
        assert not INTERNAL_ID.findall(text), name
        # Latin words: only kpis.md's numbers (K1 to K17, K12a), the language switch's "English"
        # and the signed-in user's login name (data, not interface).
        words = set(re.findall(r"[A-Za-z]{2,}", text)) - {"English", bureau.username}
        assert not {w for w in words if not re.fullmatch(r"K\d*[a-d]?", w)}, (name, words)
    assert "暂定（月报未截止）" in pdf
    assert "月报完整率" in admin_home or "未达标" in admin_home


# --- The month's indicators as a spreadsheet ------------------------------------------------------


def test_the_xlsx_has_every_area_and_indicator_with_numerator_and_denominator(
    client_as, bureau, june
):
    response = client_as(bureau).get("/zhibiao/daochu/2025-06.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:6] == ("区域代码", "区域", "指标编号", "指标", "分子", "分母")
    assert len(rows) == 1 + 26 * len(Indicator.values)  # the city and 25 townships
    by_key = {(row[0] or "city", row[3]): row for row in rows[1:]}
    k1 = by_key[(A, "每千名3岁以下婴幼儿托位数")]
    assert (k1[2], k1[4], k1[5]) == ("K1", 100, 300)  # 100 places, 300 children under 3
    snapshot = Snapshot.objects.get(period=JUNE, area=A, indicator="K1")
    assert Decimal(str(k1[6])).quantize(Decimal("0.0001")) == snapshot.value.quantize(
        Decimal("0.0001")
    )
    assert not any(INTERNAL_ID.search(str(row[2])) for row in rows[1:])


def test_the_xlsx_of_a_month_never_computed_is_a_404(client_as, bureau, june):
    assert client_as(bureau).get("/zhibiao/daochu/2019-01.xlsx").status_code == 404


@pytest.mark.parametrize("persona", ["operator_a", "inspector", "family"])
def test_the_xlsx_is_for_indicator_readers_only(client_as, request, persona, june):
    response = client_as(request.getfixturevalue(persona)).get("/zhibiao/daochu/2025-06.xlsx")
    assert response.status_code == 403
