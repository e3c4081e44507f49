"""The bureau's home: the day's work that the admin's home page counts, as a page outside the
admin, each list's first rows with a link to the whole list; indicators by name."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from inspections import services as inspection_services
from metrics.models import CITY, Snapshot
from tests.factories import InstitutionFactory
from tests.vouchers.conftest import make_child
from vouchers import services as voucher_services

from .conftest import MAY, finding, report

pytestmark = pytest.mark.django_db
HOME = "/wode/"
APRIL = dt.date(2025, 4, 1)


def page(client_as, user) -> str:
    response = client_as(user).get(HOME)
    assert response.status_code == 200
    return response.content.decode()


def block(html: str, key: str) -> str:
    start = html.index(f'id="home-bureau-{key}"')
    end = html.find('<div class="home-block"', start + 1)
    return html[start : end if end > 0 else len(html)]


def count(html: str, key: str) -> int:
    start = html.index(f'id="home-count-{key}"')
    value = html[start:].split('class="summary__value">', 1)[1].split("<", 1)[0]
    return int(value)


def snapshot(period, indicator, status):
    return Snapshot.objects.create(
        period=period,
        area=CITY,
        indicator=indicator,
        status=status,
        value=Decimal("0.5"),
        computed_at=timezone.now(),
    )


def test_the_day_s_work_with_its_first_rows_and_links(
    client_as, bureau, institution_a, inspector, batch, today
):
    oldest = report(institution_a, dt.date(2025, 3, 1), "submitted")
    for _n in range(6):
        report(InstitutionFactory(), MAY, "submitted")
    report(institution_a, APRIL, "draft")  # not in the queue
    overdue = finding(institution_a, inspector, deadline=today - dt.timedelta(days=1))
    finding(institution_a, inspector, deadline=today)  # due today: not overdue
    application = voucher_services.application_create(
        batch=batch, child=make_child(40), source="bureau", actor=bureau, applied_on=MAY
    )
    concern = inspection_services.concern_submit(
        institution=institution_a, kind="complaint", text="午睡时无人看护。"
    )
    # April is the last complete month on 5 June (May's reports are due on the 10th).
    snapshot(APRIL, "K14_timely", Snapshot.Status.NOT_MET)
    snapshot(APRIL, "K1", Snapshot.Status.MET)
    snapshot(MAY, "K4", Snapshot.Status.NOT_MET)
    html = page(client_as, bureau)

    assert count(html, "reports") == 7
    reports = block(html, "reports")
    assert reports.count('class="home-item"') == 5  # the first five, the oldest first
    assert reverse("reports:review_detail", args=[oldest.pk]) in reports
    assert f'href="{reverse("reports:review_queue")}"' in reports and "全部" in reports

    assert count(html, "findings") == 1
    findings = block(html, "findings")
    assert reverse("inspections:finding_detail", args=[overdue.pk]) in findings
    assert findings.count('class="home-item"') == 1

    assert count(html, "applications") == 1
    applications = block(html, "applications")
    assert reverse("vouchers:application_detail", args=[application.pk]) in applications
    assert application.child.name.reveal() not in html

    assert count(html, "concerns") == 1
    concerns = block(html, "concerns")
    assert reverse("admin:inspections_concern_change", args=[concern.pk]) in concerns
    assert concern.reference in concerns

    assert count(html, "indicators") == 1
    indicators = block(html, "indicators")
    assert "2025-04 未达标的指标" in indicators and "月报及时率" in indicators
    assert "K14_timely" not in html and "K4" not in indicators
    assert "?month=2025-04" in indicators


def test_an_empty_day_says_so(client_as, bureau, today):
    html = page(client_as, bureau)
    for key in ("reports", "findings", "applications", "concerns", "indicators"):
        assert count(html, key) == 0
        assert "暂无" in block(html, key)


def test_the_admin_home_still_counts_the_day_s_work(client_as, bureau, institution_a, today):
    report(institution_a, MAY, "submitted")
    html = client_as(bureau).get(reverse("admin:index")).content.decode()
    card = html[html.index('id="day-work-reports"') :]
    assert '<span class="day-work__count">1</span>' in card[:400]
    assert 'id="day-work-indicators"' in html


def test_auditors_and_education_staff_keep_the_dashboard(client_as, auditor, education, today):
    for user in (auditor, education):
        response = client_as(user).get(HOME)
        assert response.status_code == 302 and response.url == reverse("metrics:dashboard")
