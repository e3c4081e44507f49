"""Supervision: rounds recorded and closed by the office, findings per task with follow-up; the
weekly summary PDF shows the week's updates and the open findings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from programme import services
from programme.models import SupervisionFinding, Task
from programme.pdf import weekly_summary_pdf
from tests.metrics.test_pdf import pdf_text

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 9, 15)


@pytest.fixture
def supervision(bureau):
    return services.round_create(actor=bureau, title="第一轮督导", held_on=DAY)


def test_office_records_findings_follows_up_and_closes(supervision, bureau):
    finding = services.finding_add(
        supervision=supervision, task=Task.objects.get(number=4), text="清单未汇总", actor=bureau
    )
    with pytest.raises(ValidationError):
        services.finding_follow_up(finding=finding, follow_up="", resolved=True, actor=bureau)
    services.finding_follow_up(finding=finding, follow_up="已汇总", resolved=True, actor=bureau)
    services.round_close(supervision=supervision, actor=bureau)
    with pytest.raises(ValidationError):
        services.finding_add(
            supervision=supervision, task=Task.objects.get(number=4), text="x", actor=bureau
        )
    assert SupervisionFinding.objects.get().resolved


def test_departments_and_read_only_roles_do_not_supervise(supervision, civil_dept, education):
    for user in (civil_dept, education):
        with pytest.raises(PermissionDenied):
            services.finding_add(
                supervision=supervision, task=Task.objects.get(number=6), text="x", actor=user
            )


def test_round_pages(client_as, bureau, civil_dept, supervision):
    office = client_as(bureau)
    response = office.post(
        f"/zhuanban/duban/{supervision.pk}/",
        {"action": "finding", "task": Task.objects.get(number=6).pk, "text": "收费标准进度滞后"},
    )
    assert response.status_code == 302
    assert "收费标准进度滞后" in client_as(civil_dept).get("/zhuanban/renwu/6/").content.decode()
    assert client_as(civil_dept).post(f"/zhuanban/duban/{supervision.pk}/", {}).status_code == 403
    office.post(f"/zhuanban/duban/{supervision.pk}/", {"action": "close"})
    supervision.refresh_from_db()
    assert not supervision.is_closed  # no confirmation ticked
    office.post(f"/zhuanban/duban/{supervision.pk}/", {"action": "close", "confirm": "yes"})
    supervision.refresh_from_db()
    assert supervision.is_closed


def test_weekly_pdf_shows_updates_and_open_findings(tmp_path, education_dept, bureau, supervision):
    services.progress_update_create(
        task=Task.objects.get(number=3), actor=education_dept, text="新增托班三个"
    )
    services.finding_add(
        supervision=supervision,
        task=Task.objects.get(number=3),
        text="计划未落到园所",
        actor=bureau,
    )
    from django.utils import timezone

    data = weekly_summary_pdf(timezone.localdate())
    text = pdf_text(data, tmp_path)
    for expected in ("专班周报", "一、任务进展", "新增托班三个", "计划未落到园所", "市教育局"):
        assert expected in text, expected


def test_weekly_pdf_page(client_as, civil_dept, operator_a):
    response = client_as(civil_dept).get("/zhuanban/zhoubao.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert client_as(operator_a).get("/zhuanban/zhoubao.pdf").status_code == 403


def test_evaluation_report_has_the_task_forces_sections(tmp_path, bureau, supervision):
    from metrics.defaults import load_default_targets
    from metrics.models import Target
    from metrics.pdf import evaluation_report_pdf

    load_default_targets(Target)
    services.finding_add(
        supervision=supervision, task=Task.objects.get(number=4), text="清单未汇总", actor=bureau
    )
    text = pdf_text(evaluation_report_pdf(dt.date(2025, 9, 1)), tmp_path)
    for heading in (
        "六、试点任务推进",
        "七、成果",
        "八、督导",
        "九、资金",
        "清单未汇总",
        "公办托育收费标准",
    ):
        assert heading in text, heading
