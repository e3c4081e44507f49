"""The bureau's counts per township (selectors.inclusive_care_by_township) on hand-built data:
a case opened on D counts at D (not the day before); a case closed on D no longer counts at D
(it counts the day before). A constant number of queries."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from institutions.inclusive.selectors import inclusive_care_by_township
from institutions.models import InstitutionDetails, MonthlyReport
from institutions.services import institution_update
from metrics.services import compute_period
from tests.factories import InstitutionFactory, township

from .conftest import make_case

D = dt.date(2025, 6, 15)


def _report(**values):
    return MonthlyReport.objects.create(first_submitted_at=timezone.now(), **values)


def _row(data, code_suffix):
    return next(row for row in data.rows if row.township.code == "330382" + code_suffix)


@pytest.fixture
def built(db, facility_a):
    liushi, beibaixiang = township("114"), township("115")
    offering = InstitutionFactory(township=liushi, special_needs_care=True)
    InstitutionFactory(township=liushi, special_needs_care=False)
    InstitutionFactory(township=beibaixiang, special_needs_care=True)
    InstitutionFactory(  # filed after D: not counted at D
        township=beibaixiang, special_needs_care=True, filed_on=D + dt.timedelta(days=1)
    )
    other = InstitutionFactory(township=beibaixiang)
    make_case(offering, facility_a, opened_on=D)  # opened on D: counts
    make_case(offering, facility_a, opened_on=D + dt.timedelta(days=1))  # after D
    make_case(offering, facility_a, opened_on=dt.date(2025, 1, 1), closed_on=D)  # closed on D
    make_case(other, facility_a, opened_on=dt.date(2025, 1, 1), closed_on=D + dt.timedelta(1))
    _report(
        institution=offering,
        period=D.replace(day=1),
        state=MonthlyReport.State.ACCEPTED,
        enrolled_toddler=20,
        special_needs_children=3,
    )
    _report(  # not accepted: not counted
        institution=other,
        period=D.replace(day=1),
        state=MonthlyReport.State.SUBMITTED,
        enrolled_toddler=20,
        special_needs_children=5,
    )
    _report(  # the month before: not counted
        institution=other,
        period=dt.date(2025, 5, 1),
        state=MonthlyReport.State.ACCEPTED,
        enrolled_toddler=20,
        special_needs_children=7,
    )
    return offering, other


def test_counts_at_d(built):
    data = inclusive_care_by_township(D)
    liushi, beibaixiang = _row(data, "114"), _row(data, "115")
    assert (liushi.open_cases, liushi.inclusive_institutions, liushi.special_needs_children) == (
        1,
        1,
        3,
    )
    assert (beibaixiang.open_cases, beibaixiang.inclusive_institutions) == (1, 1)
    assert beibaixiang.special_needs_children == 0
    assert data.totals["open_cases"] == 2


def test_the_day_before_and_after(built):
    before = _row(inclusive_care_by_township(D - dt.timedelta(days=1)), "114")
    assert before.open_cases == 1  # the case closed on D is open the day before; D's not yet
    after = _row(inclusive_care_by_township(D + dt.timedelta(days=1)), "114")
    assert after.open_cases == 2  # D's case and the one opened the day after
    assert _row(inclusive_care_by_township(D + dt.timedelta(days=1)), "115").open_cases == 0


def test_every_township_has_a_row(built):
    from institutions.models import Township

    assert len(inclusive_care_by_township(D).rows) == Township.objects.count()


@pytest.mark.parametrize("n", [1, 5])
def test_queries_do_not_grow(n, db, facility_a, django_assert_num_queries):
    codes = ["114", "115", "101", "102", "104"][:n]
    for code in codes:
        institution = InstitutionFactory(township=township(code), special_needs_care=True)
        make_case(institution, facility_a, opened_on=dt.date(2025, 1, 1))
        _report(
            institution=institution,
            period=D.replace(day=1),
            state=MonthlyReport.State.ACCEPTED,
            enrolled_toddler=10,
            special_needs_children=1,
        )
    with django_assert_num_queries(4):
        data = inclusive_care_by_township(D)
    assert data.totals == {
        "open_cases": n,
        "inclusive_institutions": n,
        "special_needs_children": n,
        "reports": n,
    }


def test_page_for_the_bureau_only(built, bureau, inspector, operator_a, client_as):
    url = reverse("inclusive:townships") + f"?day={D.isoformat()}"
    response = client_as(bureau).get(url)
    assert response.status_code == 200
    assert "柳市镇" in response.content.decode()
    for user in (inspector, operator_a):
        assert client_as(user).get(url).status_code == 403


def test_the_dashboard_links_the_page_for_the_bureau_only(bureau, auditor, client_as):
    link = reverse("inclusive:townships")
    assert link in client_as(bureau).get(reverse("metrics:dashboard")).content.decode()
    response = client_as(auditor).get(reverse("metrics:dashboard"))
    assert response.status_code == 200
    assert link not in response.content.decode()


def _dashboard_row(html: str, name: str) -> list[str]:
    section = html.split('id="inclusive-care"', 1)[1].split("</section>", 1)[0]
    row = re.search(rf"<th scope=\"row\"[^>]*>{name}</th>(.*?)</tr>", section, re.S).group(1)
    return re.findall(r"<td[^>]*>(\d+)</td>", row)


def test_the_dashboard_counts_cases_and_institutions_per_township_at_the_months_end(
    built, auditor, client_as
):
    """The dashboard's table reads the selected month's last day, 2025-06-30: the case opened
    on D+1 counts by then, the one closed on D+1 no longer does; the institution filed on D+1
    counts. Aggregates only, so every dashboard reader (here an auditor) sees them."""
    compute_period(D.replace(day=1))
    response = client_as(auditor).get(reverse("metrics:dashboard"), {"month": "2025-06"})
    html = response.content.decode()
    assert "2025-06-30" in html.split('id="inclusive-care"', 1)[1].split("</h2>", 1)[0]
    # open cases, institutions offering inclusive care, special-needs children, reports
    assert _dashboard_row(html, "柳市镇") == ["2", "1", "3", "1"]
    assert _dashboard_row(html, "北白象镇") == ["0", "2", "0", "0"]
    assert _dashboard_row(html, "虹桥镇") == ["0", "0", "0", "0"]
    assert "张小明" not in html.split('id="inclusive-care"', 1)[1].split("</section>", 1)[0]


def _offering(day, code="114") -> int:
    return _row(inclusive_care_by_township(day), code).inclusive_institutions


def test_offering_inclusive_care_is_read_at_the_day_it_took_effect(db, bureau):
    """The flag is a dated fact: set from D+1 it does not count at D and counts from D+1; taken
    away from a later day it still counts the day before."""
    institution = InstitutionFactory(township=township("114"), special_needs_care=False)
    assert _offering(D) == 0
    institution_update(
        institution=institution,
        special_needs_care=True,
        effective_from=D + dt.timedelta(days=1),
        actor=bureau,
    )
    institution.refresh_from_db()
    assert institution.special_needs_care is True  # the current value follows
    assert _offering(D) == 0
    assert _offering(D + dt.timedelta(days=1)) == 1
    stop = D + dt.timedelta(days=30)
    institution_update(
        institution=institution, special_needs_care=False, effective_from=stop, actor=bureau
    )
    assert _offering(stop - dt.timedelta(days=1)) == 1
    assert _offering(stop) == 0
    assert list(
        InstitutionDetails.objects.filter(institution=institution)
        .order_by("effective_from")
        .values_list("special_needs_care", flat=True)
    ) == [False, True, False]


def test_the_migration_gives_every_dated_record_the_current_flag(db):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("institutions.migrations.0028_special_needs_care_dated")
    offering = InstitutionFactory(township=township("114"), special_needs_care=True)
    other = InstitutionFactory(township=township("114"), special_needs_care=False)
    for institution in (offering, other):
        InstitutionDetails.objects.create(
            institution=institution,
            effective_from=dt.date(2024, 3, 1),
            kind=institution.kind,
            township=institution.township,
        )
    migration.copy_current_flag(apps, None)
    assert dict(InstitutionDetails.objects.values_list("institution_id", "special_needs_care")) == {
        offering.pk: True,
        other.pk: False,
    }
