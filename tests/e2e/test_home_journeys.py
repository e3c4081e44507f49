"""Journeys 7 and 8: each role's home at /wode/ (issue 18).

(a) An operator on a phone signs in and lands on the home, where a report the bureau returned is
at the top with its reason; they open it, correct and resubmit it; bureau staff at a desk sign in
and find it on their home's review queue, one click from the review page.
(b) An inspector on a phone signs in: the home lists a patrol due this month for an institution
they instruct and a rectification waiting for their verification, which they verify.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from lequing_tuoyu.demo import DEMO_PASSWORD

RETURN_REASON = "出勤天数与考勤记录不符，请核对后重新提交。"
WARNING_COMMENT = "本月收费含伙食费调整，已向家长公示并报卫健局备案。"
ACTION_TAKEN = "已清理消防通道堆放的杂物，更换疏散指示标志2处；园长每周检查并记录。"


@pytest.fixture
def returned_report(demo):
    """operator1's latest accepted report, reopened by the bureau with a reason; the bureau's
    queue otherwise cleared, so the resubmitted report is the one waiting."""
    from django.contrib.auth import get_user_model

    from institutions.models import Institution, MonthlyReport
    from institutions.reports import services as report_services

    bureau = get_user_model().objects.get(username="bureau")
    home = Institution.objects.get(operators__username="operator1")
    report = (
        MonthlyReport.objects.filter(institution=home, state=MonthlyReport.State.ACCEPTED)
        .order_by("-period")
        .first()
    )
    report = report_services.report_reopen(report=report, actor=bureau, reason=RETURN_REASON)
    MonthlyReport.objects.filter(state=MonthlyReport.State.SUBMITTED).update(
        state=MonthlyReport.State.ACCEPTED, reviewed_by=bureau, reviewed_at=timezone.now()
    )
    return report


@pytest.mark.e2e
def test_an_operator_resubmits_a_returned_report_from_the_home(returned_report, journey):
    from institutions.models import MonthlyReport

    report = returned_report
    form_url = reverse(
        "reports:report_form", args=[report.institution_id, f"{report.period:%Y-%m}"]
    )
    operator = journey("home-operator", phone=True)
    page = operator.page
    operator.login("operator1", DEMO_PASSWORD)
    assert page.url.endswith(reverse("role_home")), page.url

    # The returned report is the first thing on the home, with the bureau's reason.
    returned = page.locator("#home-returned")
    assert RETURN_REASON in returned.inner_text()
    first_block = page.locator("#home-operator .home-block").first
    assert first_block.get_attribute("id") == "home-returned"
    operator.shot("01-home-returned")

    returned.get_by_role("link", name="修改并重新提交").first.click()
    page.wait_for_url(f"**{form_url}")
    operator.shot("02-report-form")
    page.get_by_label("本月出勤天数（天）").fill("22")
    comment = page.locator("#id_warning_comment")
    if comment.count() and not comment.input_value().strip():
        comment.fill(WARNING_COMMENT)
    page.get_by_role("button", name="提交", exact=True).click()
    assert "已提交" in operator.message()
    report.refresh_from_db()
    assert report.state == MonthlyReport.State.SUBMITTED and report.attendance_days == 22

    # Back home: nothing returned any more.
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="我的首页").click()
    page.wait_for_url(f"**{reverse('role_home')}")
    assert page.locator("#home-returned").count() == 0
    operator.shot("03-home-after")

    # The bureau's home: the report waits in the review queue, a click from its review.
    bureau = journey("home-bureau")
    page = bureau.page
    bureau.login("bureau", DEMO_PASSWORD)
    assert page.url.endswith(reverse("role_home")), page.url
    assert page.locator("#home-count-reports .summary__value").inner_text() == "1"
    queue = page.locator("#home-bureau-reports")
    review_url = reverse("reports:review_detail", args=[report.pk])
    assert queue.locator(f'a[href="{review_url}"]').count() == 1
    bureau.shot("01-home")
    queue.locator(f'a[href="{review_url}"]').click()
    page.wait_for_url(f"**{review_url}")
    page.get_by_role("button", name="通过", exact=True).wait_for()
    bureau.shot("02-review")
    operator.check()
    bureau.check()


@pytest.fixture
def inspector_work(demo):
    """A patrol the demo's inspector still has to make this month (an institution they instruct,
    filed with no patrol yet) and a rectification of an inspection of theirs waiting."""
    from django.contrib.auth import get_user_model

    from inspections import services
    from institutions.models import Institution
    from tests.factories import InstitutionFactory, InstructorAssignmentFactory
    from tests.inspections.factories import make_inspection, png_upload

    users = get_user_model().objects
    inspector = users.get(username="inspector")
    # An institution the inspector instructs with no patrol made this month.
    instructed = InstitutionFactory(name="乐成街道小太阳托育园（演示）")
    InstructorAssignmentFactory(institution=instructed, instructor=inspector)
    home = Institution.objects.get(operators__username="operator1")
    inspection = make_inspection(
        institution=home,
        inspectors=[inspector, users.get(username="inspector2")],
        fail=(0,),
    )
    finding = inspection.findings.get()
    services.rectification_submit(
        finding=finding,
        actor=users.get(username="operator1"),
        action_taken=ACTION_TAKEN,
        files=[png_upload()],
    )
    return {"institution": instructed, "finding": finding}


@pytest.mark.e2e
def test_an_inspectors_home_lists_a_due_patrol_and_a_rectification_to_verify(
    inspector_work, journey
):
    from inspections.models import Finding

    institution, finding = inspector_work["institution"], inspector_work["finding"]
    inspector = journey("home-inspector", phone=True)
    page = inspector.page
    inspector.login("inspector", DEMO_PASSWORD)
    assert page.url.endswith(reverse("role_home")), page.url

    patrol = page.locator(f'#home-visits [data-kind="patrol"][data-institution="{institution.pk}"]')
    assert patrol.count() == 1
    assert "本月到期" in patrol.inner_text()
    to_verify = page.locator(f'#home-verify [data-finding="{finding.pk}"]')
    assert to_verify.count() == 1
    inspector.shot("01-home")

    # The patrol's button opens the inspection form with the institution and kind filled in.
    patrol.click()
    page.wait_for_url("**/jiancha/xinjian/**")
    assert page.locator("#id_kind").input_value() == "patrol"
    inspector.shot("02-patrol-form")
    page.go_back()

    # Verify the rectification: closed, and off the home.
    page.locator(f'#home-verify [data-finding="{finding.pk}"]').get_by_role(
        "link", name="去验收"
    ).click()
    page.wait_for_url(f"**{reverse('inspections:finding_detail', args=[finding.pk])}")
    inspector.shot("03-finding")
    page.get_by_label("验收通过，销号").check()
    page.get_by_role("button", name="确认", exact=True).click()
    assert "已验收销号" in inspector.message()
    assert Finding.objects.get(pk=finding.pk).state == Finding.State.CLOSED
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="我的首页").click()
    assert page.locator(f'#home-verify [data-finding="{finding.pk}"]').count() == 0
    inspector.check()
