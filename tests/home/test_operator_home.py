"""The operator's home at /wode/ on hand-built data (5 June 2025: May's report is due on the
10th): returned reports first with the bureau's reason, this month's report and its state,
findings overdue or due soon, children whose voucher can be redeemed this month, and never
another institution's items."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from inspections.models import Finding
from tests.vouchers.helpers import issue_voucher, redeem

from .conftest import CST, JUNE, MAY, finding, report

pytestmark = pytest.mark.django_db
HOME = "/wode/"
APRIL = dt.date(2025, 4, 1)
MARCH = dt.date(2025, 3, 1)
REASON = "乳儿班人数与上月差异较大，请核对后重新提交。"


def page(client_as, user) -> str:
    response = client_as(user).get(HOME)
    assert response.status_code == 200
    return response.content.decode()


def form_url(institution, period) -> str:
    return reverse("reports:report_form", args=[institution.pk, f"{period:%Y-%m}"])


def test_a_returned_report_is_listed_first_above_a_newer_draft(
    client_as, operator_a, institution_a, today
):
    report(institution_a, MARCH, "returned", return_reason=REASON)
    report(institution_a, MAY, "draft")
    html = page(client_as, operator_a)
    returned = html.index('id="home-returned"')
    due = html.index('id="home-report-due"')
    assert returned < due
    assert html.index(form_url(institution_a, MARCH)) < html.index(form_url(institution_a, MAY))
    assert REASON in html[returned:due]
    assert "2025-03 月报" in html[returned:due]
    # May's report is this month's to file: its state and its deadline (the 10th, inclusive).
    assert "2025-05 月报" in html[due:] and "草稿" in html[due:] and "2025-06-10" in html[due:]


def test_every_returned_report_is_listed_whatever_its_age(
    client_as, operator_a, institution_a, today
):
    old = report(institution_a, dt.date(2025, 2, 1), "returned", return_reason="二月的原因")
    recent = report(institution_a, APRIL, "returned", return_reason="四月的原因")
    report(institution_a, MARCH, "accepted")
    html = page(client_as, operator_a)
    block = html[html.index('id="home-returned"') : html.index('id="home-report-due"')]
    assert f'data-report="{old.pk}"' in block and f'data-report="{recent.pk}"' in block
    assert "二月的原因" in block and "四月的原因" in block
    assert form_url(institution_a, MARCH) not in block


def test_without_reports_there_is_no_returned_block_and_this_months_report_is_to_file(
    client_as, operator_a, institution_a, today
):
    html = page(client_as, operator_a)
    assert 'id="home-returned"' not in html
    due = html[html.index('id="home-report-due"') :]
    assert 'data-state="missing"' in due and "未填报" in due
    assert form_url(institution_a, MAY) in due
    assert "已逾期" not in due.split('id="home-findings"')[0]


def test_this_months_report_returned_is_only_on_top(client_as, operator_a, institution_a, today):
    report(institution_a, MAY, "returned", return_reason=REASON)
    html = page(client_as, operator_a)
    assert html.count(f'href="{form_url(institution_a, MAY)}"') == 2  # title and button, on top
    due = html[html.index('id="home-report-due"') : html.index('id="home-findings"')]
    assert form_url(institution_a, MAY) not in due
    assert "本月应报的月报已被退回" in due


@pytest.mark.parametrize(("day", "late"), [(10, False), (11, True)])
def test_the_report_is_late_only_after_its_due_day(client_as, operator_a, institution_a, day, late):
    with time_machine.travel(dt.datetime(2025, 6, day, 10, 0, tzinfo=CST), tick=False):
        html = page(client_as, operator_a)
    due = html[html.index('id="home-report-due"') : html.index('id="home-findings"')]
    assert ("已逾期 1 天" in due) is late
    assert ("已逾期" in due) is late


def test_a_submitted_report_is_shown_with_its_state_and_is_never_late(
    client_as, operator_a, institution_a
):
    report(institution_a, MAY, "submitted")
    with time_machine.travel(dt.datetime(2025, 6, 20, 10, 0, tzinfo=CST), tick=False):
        html = page(client_as, operator_a)
    due = html[html.index('id="home-report-due"') : html.index('id="home-findings"')]
    assert 'data-state="submitted"' in due and "已提交" in due and "已逾期" not in due


def test_findings_due_yesterday_are_overdue_and_due_today_is_not(
    client_as, operator_a, institution_a, inspector, today
):
    yesterday = finding(institution_a, inspector, deadline=today - dt.timedelta(days=1))
    due_today = finding(institution_a, inspector, deadline=today)
    in_a_week = finding(institution_a, inspector, deadline=today + dt.timedelta(days=7))
    later = finding(institution_a, inspector, deadline=today + dt.timedelta(days=8))
    closed = finding(institution_a, inspector, deadline=today - dt.timedelta(days=3))
    Finding.objects.filter(pk=closed.pk).update(state=Finding.State.CLOSED, closed_on=today)
    html = page(client_as, operator_a)
    block = html[html.index('id="home-findings"') : html.index('id="home-redeem"')]

    def item(f):
        start = block.index(f'data-finding="{f.pk}"')
        return block[start : block.index("</li>", start)]

    assert "已逾期" in item(yesterday)
    assert "已逾期" not in item(due_today) and "今天到期" in item(due_today)
    assert "即将到期" in item(in_a_week)
    assert f'data-finding="{later.pk}"' not in block
    assert f'data-finding="{closed.pk}"' not in block
    # Overdue first, then by deadline.
    order = [block.index(f'data-finding="{f.pk}"') for f in (yesterday, due_today, in_a_week)]
    assert order == sorted(order)
    assert reverse("inspections:finding_detail", args=[yesterday.pk]) in item(yesterday)


def test_a_child_already_redeemed_this_month_is_not_listed(
    client_as, operator_a, inclusive_a, batch, bureau, today
):
    waiting = issue_voucher(batch, bureau, 1, institution=inclusive_a)
    done = issue_voucher(batch, bureau, 2, institution=inclusive_a)
    last_month_only = issue_voucher(batch, bureau, 3, institution=inclusive_a)
    redeem(done, inclusive_a, month=JUNE)
    redeem(last_month_only, inclusive_a, month=MAY)
    html = page(client_as, operator_a)
    block = html[html.index('id="home-redeem"') :]
    assert f'data-voucher="{waiting.pk}"' in block
    assert f'data-voucher="{last_month_only.pk}"' in block
    assert f'data-voucher="{done.pk}"' not in block
    # The children list's button: the redemption page with the code and this month filled in.
    link = (
        reverse("vouchers:redeem", args=[inclusive_a.pk])
        + f"?voucher_code={waiting.code}&amp;fee_month=2025-06"
    )
    assert link in block and "抵扣6月托育费" in block
    # Names masked, never the ID number.
    assert waiting.child.name.reveal() not in html and "孩" in block
    assert waiting.child.id_number.reveal() not in html


def test_a_child_who_left_or_whose_voucher_is_void_is_not_listed(
    client_as, operator_a, inclusive_a, batch, bureau, today
):
    from vouchers.models import Enrolment, Voucher

    left = issue_voucher(batch, bureau, 4, institution=inclusive_a)
    Enrolment.objects.filter(child=left.child).update(end=today - dt.timedelta(days=1))
    void = issue_voucher(batch, bureau, 5, institution=inclusive_a)
    Voucher.objects.filter(pk=void.pk).update(status=Voucher.Status.VOID)
    html = page(client_as, operator_a)
    block = html[html.index('id="home-redeem"') :]
    assert f'data-voucher="{left.pk}"' not in block and f'data-voucher="{void.pk}"' not in block
    assert "没有可抵扣的托育券" in block


def test_a_voucher_for_inclusive_institutions_only_is_not_listed_elsewhere(
    client_as, operator_b, institution_b, batch, bureau, today
):
    assert batch.inclusive_only
    voucher = issue_voucher(batch, bureau, 7, institution=institution_b)
    html = page(client_as, operator_b)
    assert f'data-voucher="{voucher.pk}"' not in html


def test_a_settled_month_is_not_offered(client_as, operator_a, inclusive_a, batch, bureau, today):
    from vouchers.models import Settlement

    voucher = issue_voucher(batch, bureau, 8, institution=inclusive_a)
    assert f'data-voucher="{voucher.pk}"' in page(client_as, operator_a)
    Settlement.objects.create(institution=inclusive_a, month=JUNE, state=Settlement.State.APPROVED)
    assert f'data-voucher="{voucher.pk}"' not in page(client_as, operator_a)


def test_an_operator_never_sees_another_institutions_items(
    client_as,
    operator_a,
    operator_b,
    institution_a,
    institution_b,
    inspector,
    batch,
    bureau,
    inclusive_a,
    today,
):
    report(institution_b, MARCH, "returned", return_reason="乙机构的退回原因")
    report(institution_b, MAY, "draft")
    theirs = finding(institution_b, inspector, deadline=today - dt.timedelta(days=1))
    voucher_b = issue_voucher(batch, bureau, 6, institution=institution_b)
    mine = finding(institution_a, inspector, deadline=today - dt.timedelta(days=1))
    html = page(client_as, operator_a)
    assert "乙机构的退回原因" not in html and 'id="home-returned"' not in html
    assert form_url(institution_b, MAY) not in html and form_url(institution_b, MARCH) not in html
    assert f'data-finding="{theirs.pk}"' not in html
    assert f'data-finding="{mine.pk}"' in html
    assert f'data-voucher="{voucher_b.pk}"' not in html
    assert institution_b.name not in html
    other = page(client_as, operator_b)
    assert "乙机构的退回原因" in other and f'data-finding="{mine.pk}"' not in other


# --- Star ratings due (issue 20) ------------------------------------------------------------------


@pytest.mark.parametrize(("days", "listed"), [(0, True), (60, True), (61, False), (-1, False)])
def test_a_star_rating_expiring_within_60_days_is_said(
    client_as, operator_a, institution_a, institution_b, today, days, listed
):
    from institutions.models import StarRating

    expires = today + dt.timedelta(days=days)
    StarRating.objects.create(
        institution=institution_a, effective_from=dt.date(2023, 1, 1), stars=3, expires_on=expires
    )
    # Another institution's rating never shows here.
    StarRating.objects.create(
        institution=institution_b,
        effective_from=dt.date(2023, 1, 1),
        stars=2,
        expires_on=today + dt.timedelta(days=5),
    )
    html = page(client_as, operator_a)
    assert ('id="home-ratings-expiring"' in html) is listed
    if listed:
        assert f"{expires:%Y-%m-%d}到期（还有{days}天）" in html
        assert "2星评定" not in html
