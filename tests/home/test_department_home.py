"""A task-force department user's home: the tasks their department answers for, with state and
what is due, each linking to the task; the board one click away."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from programme.models import Department, Status, Task
from tests.programme.conftest import department_user

pytestmark = pytest.mark.django_db
HOME = "/wode/"


def test_the_department_s_tasks_with_state_and_due_date(client_as, today):
    user = department_user("dept_civil", "市民政局")
    civil = Department.objects.get(name="市民政局")
    own = [
        task
        for task in Task.objects.order_by("number")
        if task.lead_id == civil.pk or task.co_responsible.filter(pk=civil.pk).exists()
    ]
    assert own, "the plan gives 市民政局 a task"
    late = own[0]
    Task.objects.filter(pk=late.pk).update(
        due_date=today - dt.timedelta(days=1), status=Status.IN_PROGRESS
    )
    response = client_as(user).get(HOME)
    assert response.status_code == 200
    html = response.content.decode()
    section = html[html.index('id="home-tasks"') :]
    for task in own:
        assert f'data-task="{task.number}"' in section
        assert reverse("programme:task_detail", args=[task.number]) in section
    others = Task.objects.exclude(pk__in=[t.pk for t in own])
    for task in others:
        assert f'data-task="{task.number}"' not in section
    item = section[section.index(f'data-task="{late.number}"') :].split("</li>")[0]
    assert "推进中" in item and "已逾期" in item and "2025-06-04" in item
    assert f'href="{reverse("programme:board")}"' in section


def test_a_department_user_without_a_department_is_told_whom_to_ask(client_as, today):
    from portal.roles import Role
    from tests.factories import UserFactory

    user = UserFactory(username="dept_nobody", role=Role.DEPARTMENT)
    html = client_as(user).get(HOME).content.decode()
    assert 'id="home-tasks"' in html and "请联系专班办公室" in html
