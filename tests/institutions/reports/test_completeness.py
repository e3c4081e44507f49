import datetime as dt

import pytest
import time_machine

from institutions.models import MonthlyReport
from institutions.reports import selectors, services
from tests.factories import InstitutionFactory, township

from .conftest import MARCH

pytestmark = pytest.mark.django_db
CST = dt.timezone(dt.timedelta(hours=8))


def at(month, day, hour=12):
    return time_machine.travel(dt.datetime(2025, month, day, hour, tzinfo=CST), tick=False)


def test_completeness_and_timeliness_on_a_hand_built_month(bureau):
    liushi, hongqiao = township("114"), township("108")
    on_time = InstitutionFactory(name="按时", township=liushi)
    late = InstitutionFactory(name="迟报", township=liushi)
    returned = InstitutionFactory(name="退回", township=liushi)
    draft_only = InstitutionFactory(name="仅草稿", township=hongqiao)
    InstitutionFactory(name="未报", township=hongqiao)
    InstitutionFactory(name="四月备案", township=hongqiao, filed_on=dt.date(2025, 4, 1))
    InstitutionFactory(
        name="二月停办",
        township=hongqiao,
        filed_on=dt.date(2024, 1, 1),
        closed_on=dt.date(2025, 2, 20),
    )

    for institution, when in [(on_time, at(4, 10, 23)), (late, at(4, 12)), (returned, at(4, 2))]:
        with when:
            report = services.report_get_or_start(institution=institution, period=MARCH)
            services.report_submit(report=report)
    with at(4, 3):
        services.report_return(
            report=MonthlyReport.objects.get(institution=returned), actor=bureau, reason="请更正"
        )
        services.report_get_or_start(institution=draft_only, period=MARCH)

    rows = {row.township.code[-3:]: row for row in selectors.completeness_by_township(MARCH)}
    assert (rows["114"].counted, rows["114"].submitted, rows["114"].on_time) == (3, 3, 2)
    assert (rows["108"].counted, rows["108"].submitted, rows["108"].on_time) == (2, 0, 0)
    assert rows["101"].counted == 0 and rows["101"].completeness is None  # no data, not zero
    assert rows["114"].completeness == 1.0
    assert rows["114"].timeliness == pytest.approx(2 / 3)

    assert [i.name for i in selectors.missing_reports(MARCH)] == ["仅草稿", "未报"]
    assert selectors.days_late(MARCH, today=dt.date(2025, 4, 15)) == 5
    assert selectors.days_late(MARCH, today=dt.date(2025, 4, 10)) == 0


def test_completeness_runs_two_queries_for_any_number(django_assert_num_queries):
    from tests.bulk import make_registry

    make_registry(300)
    with django_assert_num_queries(2):
        rows = selectors.completeness_by_township(MARCH)
    assert sum(row.counted for row in rows) == 300
