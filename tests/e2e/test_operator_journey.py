"""Journey 2: an institution's operator on a phone (360x740, touch).

Log in; file last month's report and submit it (the report has a warning: submitting without a
comment is refused with a clear message, then the comment is written and it goes through);
redeem a voucher for this month's fee; answer an inspection finding with a photo.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from lequing_tuoyu.demo import DEMO_PASSWORD

WARNING_COMMENT = "本月收费含伙食费调整，已向家长公示并报卫健局备案。"
ACTION_TAKEN = "已清理消防通道堆放的杂物，更换疏散指示标志2处、应急照明灯1盏；园长每周检查并记录。"


def photo_png(path) -> None:
    """A small site photo, drawn at test time: a cleared corridor under a green exit sign."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 360), (236, 232, 224))
    draw = ImageDraw.Draw(image)
    draw.polygon([(0, 360), (170, 200), (310, 200), (480, 360)], fill=(170, 150, 125))
    draw.rectangle((170, 90, 310, 200), fill=(214, 208, 196))
    draw.rectangle((180, 40, 300, 80), fill=(20, 140, 80))
    draw.ellipse((196, 46, 208, 58), fill=(255, 255, 255))
    draw.line((202, 58, 214, 70, 224, 64), fill=(255, 255, 255), width=4)
    draw.polygon([(240, 50), (288, 60), (240, 70)], fill=(255, 255, 255))
    image.save(path, format="PNG")


@pytest.fixture
def operator_setup(demo):
    """operator1's institution: last month's report not yet filed (the window held open for the
    journey, whatever today's date), a voucher to redeem this month, and an open finding."""
    from django.contrib.auth import get_user_model

    from institutions.models import Institution, MonthlyReport
    from institutions.reports import services as report_services
    from portal.dates import add_months, month_start
    from tests.inspections.factories import make_inspection

    users = get_user_model().objects
    home = Institution.objects.get(operators__username="operator1")
    today = timezone.localdate()
    last_month = add_months(month_start(today), -1)
    MonthlyReport.objects.filter(institution=home, period=last_month).delete()
    report_services.exception_grant(
        institution=home,
        period=last_month,
        open_until=today + dt.timedelta(days=7),
        reason="端到端测试：保持上月填报窗口开放。",
        actor=users.get(username="bureau"),
    )
    inspection = make_inspection(
        institution=home,
        inspectors=[users.get(username="inspector"), users.get(username="inspector2")],
        fail=(0,),
    )
    finding = inspection.findings.get()
    return {
        "institution": home,
        "period": last_month,
        "voucher_code": demo.vouchers["operator1_code"],
        "finding": finding,
    }


@pytest.mark.e2e
def test_operator_journey(operator_setup, journey, tmp_path):
    from inspections.models import Finding
    from institutions.models import MonthlyReport
    from vouchers.models import Redemption

    institution = operator_setup["institution"]
    period = operator_setup["period"]
    operator = journey("operator", phone=True)
    page = operator.page

    # --- Log in on the phone -------------------------------------------------------------------
    operator.goto(reverse("institutions:login"))
    operator.shot("01-login")
    operator.login("operator1", DEMO_PASSWORD)
    operator.shot("02-my-institution")

    # --- File last month's report --------------------------------------------------------------
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="月报").click()
    operator.shot("03-months")
    form_url = reverse("reports:report_form", args=[institution.pk, f"{period:%Y-%m}"])
    page.locator(f'a[href="{form_url}"]').first.click()
    page.wait_for_url(f"**{form_url}")
    warnings = page.locator(".warnings-panel li")
    assert warnings.count() >= 1, "the demo's institution charges above its standard fee"
    operator.shot("04-report-form")
    page.get_by_label("本月出勤天数（天）").fill("21")
    # Submitting without a word about the warning is refused, and the page says why.
    page.get_by_role("button", name="提交", exact=True).click()
    errors = page.locator("#error-summary")
    errors.wait_for()
    assert "预警" in errors.inner_text()
    operator.shot("05-report-needs-comment")
    page.locator("#id_warning_comment").fill(WARNING_COMMENT)
    page.locator("#id_warning_comment").scroll_into_view_if_needed()
    operator.shot("06-report-comment")
    page.get_by_role("button", name="提交", exact=True).click()
    assert "已提交" in operator.message()
    operator.shot("07-report-submitted")
    report = MonthlyReport.objects.get(institution=institution, period=period)
    assert report.state == MonthlyReport.State.SUBMITTED
    assert report.warning_comment == WARNING_COMMENT
    assert report.warnings

    # --- Redeem a voucher ---------------------------------------------------------------------
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="托育券").click()
    operator.shot("08-voucher-children")
    # The child's own button starts with the check: whose voucher, what is left, the amount
    # filled in with the smallest limit; the operator lowers it and confirms.
    page.get_by_role("link", name=re.compile(r"^抵扣\d+月托育费")).first.click()
    assert "出生" in page.locator(".redeem-preview").inner_text()
    assert page.get_by_label("抵扣金额（元）").input_value() != ""
    page.get_by_label("抵扣金额（元）").fill("400")
    operator.shot("09-redeem-form")
    page.get_by_role("button", name="确认抵扣").click()
    assert "抵扣成功" in operator.message()
    operator.shot("10-redeemed")
    redemption = Redemption.objects.get(
        voucher__code=operator_setup["voucher_code"],
        status="active",
        fee_month=timezone.localdate().replace(day=1),
    )
    assert redemption.institution == institution

    # --- Answer a finding with a photo ----------------------------------------------------------
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="检查").click()
    page.get_by_role("link", name="问题整改").click()
    page.get_by_label("整改状态").select_option("open")
    page.get_by_role("button", name="查询").click()
    operator.shot("11-findings")
    finding = operator_setup["finding"]
    page.locator(
        f'a[href="{reverse("inspections:finding_detail", args=[finding.pk])}"]'
    ).first.click()
    photo = tmp_path / "整改后.png"
    photo_png(photo)
    page.get_by_label("整改措施").fill(ACTION_TAKEN)
    page.get_by_label("佐证材料").set_input_files(str(photo))
    operator.shot("12-rectification-form", full_page=True)
    page.get_by_role("button", name="提交整改").click()
    assert "整改情况已提交" in operator.message()
    operator.shot("13-rectification-sent", full_page=True)
    finding.refresh_from_db()
    assert finding.state == Finding.State.SUBMITTED
    evidence = finding.rectifications.get().evidence.get()
    assert evidence.file.read().startswith(b"\x89PNG")
    operator.check()
