"""Journey: a star rating from the operator's self-assessment to the public page (issue 20).

An operator on a phone applies for four stars under the demo's criteria set, scores each item with
a note, attaches a photo as evidence and submits; an inspector on a phone reviews it, item by item,
and sees the total and the level it reaches; bureau staff at a desk approve four stars with an
expiry date; the public page (信息公示) then shows the institution's four stars and today's date.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from lequing_tuoyu.demo import DEMO_PASSWORD
from tests.inspections.factories import PNG

REVIEW_SCORES = ("18", "18", "17.5", "18.5", "18")  # 90 of 100: the demo set's four stars (88)


@pytest.mark.e2e
def test_a_star_rating_goes_from_self_assessment_to_the_public_page(demo, journey, tmp_path):
    from institutions.models import Institution, StarRating
    from ratings.models import RatingApplication

    institution = Institution.objects.filter(operators__username="operator1").order_by("pk").first()
    today = timezone.localdate()

    # The operator, on a phone: apply, self-assess each item, attach evidence, submit.
    operator = journey("rating-operator", phone=True)
    page = operator.page
    operator.login("operator1", DEMO_PASSWORD, next_path=reverse("ratings:application_new"))
    if page.get_by_label("机构").count():
        page.get_by_label("机构").select_option(str(institution.pk))
    page.get_by_label("评定标准").select_option(label="演示评定标准（非正式）")
    page.get_by_label("申请星级").select_option("4")
    operator.shot("01-apply")
    page.get_by_role("button", name="创建申请").click()
    assert "请逐项自评" in operator.message()
    application = RatingApplication.objects.get(institution=institution, state="draft")
    scores = page.locator('input[name^="score-"]')
    assert scores.count() == 5
    for n in range(5):
        scores.nth(n).fill("19")
        page.locator('textarea[name^="note-"]').nth(n).fill(f"第{n + 1}项已整理台账（演示）")
    photo = tmp_path / "消防验收.png"
    photo.write_bytes(PNG)
    page.locator('input[type="file"]').first.set_input_files(str(photo))
    operator.shot("02-self-assessment", full_page=True)
    page.get_by_role("button", name="提交评审").click()
    assert "申请已提交" in operator.message()
    application.refresh_from_db()
    assert application.state == "submitted" and application.evidence.count() == 1

    # The inspector, on a phone: score each item; the bar shows the total and its level.
    inspector = journey("rating-inspector", phone=True)
    page = inspector.page
    detail = reverse("ratings:application_detail", args=[application.pk])
    inspector.login("inspector", DEMO_PASSWORD, next_path=detail)
    page.get_by_role("link", name="评审", exact=True).click()
    assert "佐证材料1" in page.content()
    scores = page.locator('input[name^="score-"]')
    for n, score in enumerate(REVIEW_SCORES):
        scores.nth(n).fill(score)
    page.get_by_role("button", name="保存草稿").first.click()
    assert "已保存草稿" in inspector.message()
    bar = page.locator(".form-bar__progress").inner_text()
    assert "90" in bar and "达到4星" in bar, bar
    inspector.shot("03-review", full_page=True)
    page.get_by_label("评审意见").fill("现场核实，材料齐全（演示）。")
    page.get_by_role("button", name="完成评审").click()
    assert "评审已完成" in inspector.message()

    # The bureau, at a desk: approve four stars until a day it sets.
    bureau = journey("rating-bureau")
    page = bureau.page
    bureau.login("bureau", DEMO_PASSWORD, next_path=detail)
    expires = today + dt.timedelta(days=3 * 365)
    page.get_by_label("批准", exact=True).check()
    page.get_by_label("评定星级").select_option("4")
    page.get_by_label("有效期至").fill(expires.isoformat())
    bureau.shot("04-decision", full_page=True)
    page.get_by_role("button", name="保存决定").click()
    assert "评定决定已保存" in bureau.message()
    rating = StarRating.objects.get(institution=institution, effective_from=today)
    assert (rating.stars, rating.expires_on) == (4, expires)

    # Anyone: the public page shows the new level with its date.
    public = journey("rating-public", phone=True)
    public.goto(reverse("institutions:public_list") + f"?q={institution.name}")
    card = public.page.locator("li.card", has_text=institution.name).first
    badge = card.locator("[data-stars]").inner_text()
    assert "★★★★☆" in badge and f"{today:%Y-%m-%d}评定" in badge, badge
    public.shot("05-public-page")
