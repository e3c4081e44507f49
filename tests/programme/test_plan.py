"""After migrate, the plan's tasks, sub-items and departments are in the portal exactly as
docs/spec/plan.md's tables give them (read by tests/programme/plan_md.py, not by the seed)."""

from __future__ import annotations

import pytest

from programme.models import Deliverable, Department, Fund, SubItem, Task

from . import plan_md

pytestmark = pytest.mark.django_db

ROLE = {"组长": "leader", "副组长": "deputy", "成员单位": "member"}


def test_fourteen_departments_with_aliases_and_roles_as_the_matrix():
    expected = plan_md.departments()
    assert len(expected) == 14
    stored = {d.name: d for d in Department.objects.all()}
    assert set(stored) == {d.name for d in expected}
    for row in expected:
        department = stored[row.name]
        assert department.aliases == row.aliases, row.name
        role = next(value for prefix, value in ROLE.items() if row.role.startswith(prefix))
        assert department.task_force_role == role, row.name
    assert [d.name for d in Department.objects.filter(hosts_office=True)] == ["市卫健局"]


def test_eight_tasks_with_text_lead_and_co_responsible_as_the_plan():
    expected = plan_md.tasks()
    assert [t.number for t in expected] == list(range(1, 9))
    stored = {t.number: t for t in Task.objects.select_related("lead")}
    assert set(stored) == set(range(1, 9))
    for row in expected:
        task = stored[row.number]
        assert task.title == row.title
        assert task.text == row.text
        assert task.lead.name == row.lead
        assert sorted(d.name for d in task.co_responsible.all()) == sorted(row.co_responsible)


def test_the_matrix_marks_agree_with_each_task_lead_and_co_responsible():
    tasks = {t.number: t for t in Task.objects.select_related("lead")}
    for row in plan_md.departments():
        for number, mark in enumerate(row.marks, start=1):
            task = tasks[number]
            co = {d.name for d in task.co_responsible.all()}
            assert (mark == "★") == (task.lead.name == row.name), (row.name, number)
            assert (mark == "●") == (row.name in co), (row.name, number)


def test_twenty_one_sub_items_with_the_plans_exact_text():
    expected = [
        (task.number, number, title, text)
        for task in plan_md.tasks()
        for number, title, text in task.sub_items
    ]
    assert len(expected) == 21
    stored = [
        (s.task.number, s.number, s.title, s.text)
        for s in SubItem.objects.select_related("task").order_by("task__number", "number")
    ]
    assert stored == expected
    assert Task.objects.get(number=1).sub_items.count() == 0


def test_plan_silent_values_are_empty():
    for item in [*Task.objects.all(), *SubItem.objects.all()]:
        assert item.due_date is None and item.owner == "" and item.phase == ""
        assert item.status == "not_started"


def test_linked_indicators_follow_the_plans_notes():
    assert SubItem.objects.get(task__number=3, number=1).indicators == ["K7", "K3", "K8"]
    assert "K13_redeemed" in Task.objects.get(number=1).indicators
    assert SubItem.objects.get(task__number=7, number=2).indicators == ["K11"]


def test_deliverables_and_funds_of_the_plan_are_loaded_with_dates_empty():
    assert Deliverable.objects.count() == 9
    assert not Deliverable.objects.exclude(due_date=None).exists()
    assert Deliverable.objects.get(source="三(三)2").task.number == 3
    assert sorted(Fund.objects.values_list("kind", flat=True)) == sorted(
        ["central_budget", "special_bonds", "local_fiscal", "provincial_subsidy"]
    )
