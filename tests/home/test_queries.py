"""Each role's home runs a fixed number of queries whatever the amount of data: counted with one
of everything, then with five, and pinned."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from inspections import services as inspection_services
from institutions.models import StarRating
from programme.models import Department, Task
from tests.factories import InstitutionFactory, InstructorAssignmentFactory, township
from tests.inspections.factories import png_upload
from tests.programme.conftest import department_user
from tests.vouchers.conftest import make_child
from tests.vouchers.helpers import issue_voucher
from vouchers import services as voucher_services

from .conftest import MAY, finding, report

pytestmark = pytest.mark.django_db
HOME = "/wode/"
# Pinned: the session, the user and their roles, then each section's reads (the operator's
# institutions, returned reports, this month's reports and exceptions, findings, vouchers...), plus
# two of the notifications: the header's unread count and the inbox's latest on the home. The
# operator's 13th: the star ratings that expire within 60 days (issue 20).
QUERIES = {"operator": 13, "inspector": 8, "bureau": 14, "department": 11}


def queries(client, *, section: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(HOME)
    assert response.status_code == 200
    assert f'id="home-{section}"' in response.content.decode()
    return len(captured)


def test_the_operators_home(client_as, operator_a, inclusive_a, inspector, batch, bureau, today):
    serial = iter(range(100, 200))

    def institution_with_work(institution):
        if institution is None:
            institution = InstitutionFactory()
            institution.operators.add(operator_a)
        report(institution, dt.date(2025, 3, 1), "returned", return_reason="请核对。")
        report(institution, MAY, "draft")
        finding(institution, inspector, deadline=today - dt.timedelta(days=1))
        StarRating.objects.create(
            institution=institution,
            effective_from=dt.date(2023, 1, 1),
            stars=3,
            expires_on=today + dt.timedelta(days=30),
        )
        if institution == inclusive_a:
            issue_voucher(batch, bureau, next(serial), institution=institution)

    institution_with_work(inclusive_a)
    client = client_as(operator_a)
    one = queries(client, section="operator")
    for _n in range(4):
        institution_with_work(None)
        issue_voucher(batch, bureau, next(serial), institution=inclusive_a)
    five = queries(client, section="operator")
    assert one == five == QUERIES["operator"]


def test_the_inspectors_home(client_as, inspector, inspector2, operator_a, bureau, today):
    def institution_with_work():
        institution = InstitutionFactory()
        institution.operators.add(operator_a)
        InstructorAssignmentFactory(institution=institution, instructor=inspector)
        item = finding(institution, inspector, deadline=today + dt.timedelta(days=3))
        inspection_services.rectification_submit(
            finding=item, actor=operator_a, action_taken="已整改", files=[png_upload()]
        )
        return institution

    def draw(size):
        # In another township than the institutions `inspector` instructs (never drawn there).
        for _n in range(size):
            InstitutionFactory(township=township("001"))
        inspection_services.draw_perform(
            township_ids=[township("001").pk],
            actor=bureau,
            title=f"抽查{size}",
            drawn_on=today,
            sample_size=size,
            inspectors_per_institution=2,
            inspector_ids=[inspector.pk, inspector2.pk],
            seed=size,
        )

    institution_with_work()
    client = client_as(inspector)
    draw(1)
    one = queries(client, section="inspector")
    for _n in range(4):
        institution_with_work()
    draw(5)
    five = queries(client, section="inspector")
    assert one == five == QUERIES["inspector"]


def test_the_bureaus_home(client_as, bureau, inspector, batch, today):
    serial = iter(range(300, 400))

    def work():
        institution = InstitutionFactory()
        report(institution, MAY, "submitted")
        finding(institution, inspector, deadline=today - dt.timedelta(days=1))
        voucher_services.application_create(
            batch=batch, child=make_child(next(serial)), source="bureau", actor=bureau
        )
        inspection_services.concern_submit(
            institution=institution, kind="complaint", text="午睡时无人看护。"
        )

    work()
    client = client_as(bureau)
    one = queries(client, section="bureau")
    for _n in range(4):
        work()
    five = queries(client, section="bureau")
    assert one == five == QUERIES["bureau"]


def test_the_departments_home(client_as, today):
    user = department_user("dept_civil", "市民政局")
    civil = Department.objects.get(name="市民政局")
    others = list(Task.objects.exclude(lead=civil).exclude(co_responsible=civil).order_by("number"))
    assert len(others) >= 4
    client = client_as(user)
    one = queries(client, section="department")
    for task in others[:4]:
        task.co_responsible.add(civil)
    five = queries(client, section="department")
    assert one == five == QUERIES["department"]


def test_the_home_shows_the_inbox_latest_unread_first(client_as, operator_a):
    from notifications.models import Event, Notification

    Notification.objects.create(
        user=operator_a, event=Event.REPORT_RETURNED, key="r1", subject="旧的已读通知",
        body="", url="/wode/", read_at=timezone.now(),
    )  # fmt: skip
    Notification.objects.create(
        user=operator_a, event=Event.REPORT_RETURNED, key="r2", subject="新的未读通知",
        body="", url="/wode/",
    )  # fmt: skip
    html = client_as(operator_a).get(HOME).content.decode()
    assert 'class="card inbox-preview"' in html
    assert html.index("新的未读通知") < html.index("旧的已读通知")
    assert "1 条未读" in html
