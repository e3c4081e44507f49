"""Journey 1: bureau staff at a desk (1280x800).

Log in; import institutions from an xlsx file through the admin (preview, then confirm); accept
one monthly report and return another with a reason; approve the waiting voucher applications;
run a random draw; open the indicator dashboard, generate the evaluation report (a real Celery
worker, the page's progress bar) and download the PDF.
"""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from lequing_tuoyu.demo import DEMO_PASSWORD
from portal.validators import credit_code_check_char

RETURN_REASON = "在托人数与上月差异较大，请核对乳儿班人数后重新提交。"


def credit_code(serial: int) -> str:
    body = f"52330382MJ{serial:07d}"
    return body + credit_code_check_char(body)


def institutions_xlsx(path) -> list[tuple[str, str]]:
    """A small registry file as a township clerk fills it in: the import's Chinese headers."""
    from openpyxl import Workbook

    rows = [
        ("乐成街道小星星托育园", credit_code(9_100_001), "托育机构（中心）", "民办", "乐成街道"),
        ("柳市镇童心社区托育点", credit_code(9_100_002), "社区托育点", "公办", "柳市镇"),
        ("虹桥镇晨曦托育中心", credit_code(9_100_003), "托育机构（中心）", "民办", "330382108"),
    ]
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        ["机构名称", "统一社会信用代码", "机构类型", "举办性质", "所属镇街", "地址", "备案日期"]
    )
    for name, code, kind, ownership, township in rows:
        sheet.append([name, code, kind, ownership, township, f"乐清市{name}路8号", "2025-06-01"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(buffer.getvalue())
    return [(name, code) for name, code, *_rest in rows]


@pytest.mark.e2e
@pytest.mark.celery_worker
def test_bureau_journey(demo, report_worker, journey, tmp_path):
    from institutions.models import Institution, MonthlyReport
    from vouchers.models import VoucherApplication

    bureau = journey("bureau")
    page = bureau.page
    nav = page.get_by_role("navigation", name="主导航")

    # --- Log in (the portal's login; the admin shares the session) ------------------------------
    bureau.goto(reverse("institutions:login"))
    bureau.shot("01-login")
    bureau.login("bureau", DEMO_PASSWORD, next_path=reverse("admin:index"))
    assert page.url.endswith(reverse("admin:index"))
    # The admin's home page: the day's work, counted as the pages it links to count it.
    waiting_reports = MonthlyReport.objects.filter(state=MonthlyReport.State.SUBMITTED).count()
    assert page.locator("#day-work-reports .day-work__count").inner_text() == str(waiting_reports)
    bureau.shot("02-admin-home")

    # --- Import institutions from an xlsx file: preview, then confirm ---------------------------
    upload = tmp_path / "托育机构名录.xlsx"
    imported = institutions_xlsx(upload)
    page.locator("#content-main tr.model-institution th a").click()
    page.get_by_role("link", name="导入", exact=True).click()
    page.locator("input[type=file]").set_input_files(str(upload))
    page.locator("select[name=format]").select_option(label="xlsx")
    bureau.shot("03-import-form")
    page.get_by_role("button", name="提交").click()
    for name, _code in imported:
        expect(page.get_by_text(name).first).to_be_visible()
    bureau.shot("04-import-preview", full_page=True)
    assert not Institution.objects.filter(credit_code=imported[0][1]).exists()
    page.get_by_role("button", name="确认导入").click()
    assert "导入成功" in page.locator(".messagelist").inner_text()
    bureau.shot("05-import-done")
    added = Institution.objects.filter(credit_code__in=[code for _n, code in imported])
    assert added.count() == 3
    assert {
        record.history_user.username
        for record in Institution.history.filter(credit_code__in=[code for _n, code in imported])
    } == {"bureau"}

    # --- Review monthly reports: accept one, return another with a reason ---------------------
    page.goto(bureau.url(reverse("admin:index")))
    page.locator("#day-work-reports a").click()
    page.wait_for_url(f"**{reverse('reports:review_queue')}")
    bureau.shot("06-review-queue")
    first = page.locator(".review-table tbody th a").first
    accepted_pk = int(first.get_attribute("href").rstrip("/").rsplit("/", 1)[-1])
    first.click()
    bureau.shot("07-review-report", full_page=True)
    page.get_by_role("button", name="通过", exact=True).click()
    assert "已通过" in bureau.message()
    assert MonthlyReport.objects.get(pk=accepted_pk).state == MonthlyReport.State.ACCEPTED

    nav.get_by_role("link", name="月报审核").click()
    second = page.locator(".review-table tbody th a").first
    returned_pk = int(second.get_attribute("href").rstrip("/").rsplit("/", 1)[-1])
    assert returned_pk != accepted_pk
    second.click()
    page.get_by_label("退回原因（必填）").fill(RETURN_REASON)
    page.get_by_role("button", name="退回", exact=True).click()
    assert "已退回" in bureau.message()
    bureau.shot("08-report-returned")
    returned = MonthlyReport.objects.get(pk=returned_pk)
    assert (returned.state, returned.return_reason) == (MonthlyReport.State.RETURNED, RETURN_REASON)

    # --- Approve the waiting voucher applications ----------------------------------------------
    waiting = VoucherApplication.objects.filter(
        state=VoucherApplication.State.PENDING, eligible=True
    )
    waiting_ids = set(waiting.values_list("pk", flat=True))
    assert waiting_ids, "the demo data has eligible applications waiting"
    nav.get_by_role("link", name="托育券").click()
    page.get_by_role("link", name="申请审核").click()
    page.get_by_label("状态").select_option(VoucherApplication.State.PENDING)
    page.get_by_label("资格").select_option("yes")
    page.get_by_role("button", name="筛选").click()
    for pk in waiting_ids:
        page.locator(f"#application-{pk}").check()
    bureau.shot("09-applications")
    page.get_by_role("button", name="通过并发券").click()
    assert f"已通过{len(waiting_ids)}份申请" in bureau.message()
    bureau.shot("10-applications-approved")
    assert not VoucherApplication.objects.filter(
        pk__in=waiting_ids, state=VoucherApplication.State.PENDING
    ).exists()

    # --- A random draw (双随机) ----------------------------------------------------------------
    nav.get_by_role("link", name="检查").click()
    page.get_by_role("link", name="双随机抽查").click()
    page.get_by_role("link", name="新建抽查").click()
    page.get_by_label("抽查任务名称").fill("第四季度双随机抽查")
    page.get_by_label("抽取机构数").fill("3")
    bureau.shot("11-draw-form", full_page=True)
    page.get_by_role("button", name="抽取", exact=True).click()
    assert "抽取完成" in bureau.message()
    assert page.locator("table tbody tr").count() >= 3
    expect(page.get_by_text("结果一致")).to_be_visible()  # the seed reproduces the draw
    bureau.shot("12-draw-result", full_page=True)

    # --- Dashboard and the evaluation report (a Celery task; the page shows its progress) ------
    nav.get_by_role("link", name="指标").click()
    bureau.shot("13-dashboard")
    page.get_by_role("button", name="生成评估报告").click()
    page.locator("#report progress").wait_for(state="attached")
    bureau.shot("14-report-progress")
    download_link = page.get_by_role("link", name="下载 PDF")
    download_link.wait_for(timeout=90_000)
    bureau.shot("15-report-ready")
    with page.expect_download() as info:
        download_link.click(modifiers=["Alt"])
    pdf = tmp_path / "report.pdf"
    info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    bureau.check()
