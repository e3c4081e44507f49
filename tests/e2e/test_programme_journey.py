"""Journey: the pilot task force (试点专班).

A department user (the education bureau's, lead of task 3) files a progress update with an
evidence file on a phone; the office (bureau) sees it on the board at a desk, records a
supervision round with a finding on task 3, and downloads the weekly summary PDF, which shows
both the update and the finding.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from lequing_tuoyu.demo import DEMO_PASSWORD
from tests.inspections.factories import PDF

UPDATE = "已完成全市普惠性幼儿园托班意向摸排，新增托班 3 个"
FINDING = "托班新增计划未明确到园所，请于下周专班会前补充"


def pdf_text(path) -> str:
    return subprocess.run(
        [shutil.which("pdftotext") or "pdftotext", "-enc", "UTF-8", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


@pytest.mark.e2e
def test_programme_journey(demo, journey, tmp_path):
    from programme.models import ProgressUpdate, SupervisionFinding

    # --- A department user files progress with evidence (phone) ------------------------------
    dept = journey("programme-department", phone=True)
    page = dept.page
    dept.login("dept_education", DEMO_PASSWORD, next_path=reverse("programme:board"))
    # Its own tasks first: those where 市教育局 is lead (3) or co-responsible (2, 5, 6).
    tasks = page.locator("#board tbody tr.board-task")
    assert [tasks.nth(i).get_attribute("data-task") for i in range(4)] == ["2", "3", "5", "6"]
    assert "board-task--own" in tasks.first.get_attribute("class")
    dept.shot("01-board")
    page.locator('#board tr[data-task="3"]').get_by_role("link").click()
    page.get_by_label("进展情况").fill(UPDATE)
    page.get_by_label("填报后状态").select_option(label="推进中")
    evidence = tmp_path / "摸排情况.pdf"
    evidence.write_bytes(PDF)
    page.get_by_label("佐证材料").set_input_files(str(evidence))
    dept.shot("02-progress-form", full_page=True)
    page.get_by_role("button", name="提交进展").click()
    assert "进展已填报" in dept.message()
    expect(page.locator("#updates")).to_contain_text(UPDATE)
    update = ProgressUpdate.objects.get(text=UPDATE)
    assert update.department.name == "市教育局" and update.evidence.count() == 1
    # Task 8 is not the education bureau's: no form there.
    dept.goto(reverse("programme:task_detail", args=[8]))
    expect(page.get_by_role("button", name="提交进展")).to_have_count(0)

    # --- The office sees it on the board and records a supervision finding (desk) -------------
    office = journey("programme-office")
    page = office.page
    office.login("bureau", DEMO_PASSWORD, next_path=reverse("programme:board"))
    row = page.locator('#board tr[data-task="3"]')
    expect(row).to_contain_text("推进中")
    expect(page.locator("#rules-title")).to_be_visible()
    office.shot("03-office-board", full_page=True)
    row.get_by_role("link").click()
    expect(page.locator("#updates")).to_contain_text(UPDATE)
    page.get_by_role("navigation", name="当前位置").get_by_role("link").click()
    page.get_by_role("link", name="督导", exact=True).click()
    page.get_by_label("名称").fill("第二轮督导检查")
    page.get_by_label("督导日期").fill("2025-09-15")
    page.get_by_role("button", name="保存").click()
    assert "督导已记录" in office.message()
    page.get_by_label("试点任务").select_option(label="3. 推进托幼一体化深度发展")
    page.get_by_role("textbox", name="督导发现").fill(FINDING)
    page.get_by_role("button", name="保存发现").click()
    assert "督导发现已记录" in office.message()
    office.shot("04-finding")
    assert SupervisionFinding.objects.filter(text=FINDING, task__number=3).exists()

    # --- The weekly summary PDF shows both ---------------------------------------------------
    office.goto(reverse("programme:board"))
    with page.expect_download() as info:
        page.get_by_role("link", name="专班周报（PDF）").click(modifiers=["Alt"])
    pdf = tmp_path / "weekly.pdf"
    info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    text = "".join(pdf_text(pdf).split())
    assert "".join(UPDATE.split()) in text
    assert FINDING in text
