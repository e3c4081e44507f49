"""Issue 19's done-when: "The PII scan finds no parent mobile number or child ID in the dump,
pages, API or logs."

Known clear values go in the way users enter them: parents' mobiles on sessions' attendance
lists (the health centre's page and the API), a family's online voucher application (the
guardian's mobile and ID number, the child's ID number), the operator's enrolment of the child
(the child's ID number typed again) and a staff member added on the operator's page (an ID
number; staff mobiles are not stored), the training provider's attendance of that staff member
(the ID number typed again), and 融合托育 support cases: one opened on the facility's page, one
through the API (the child's name and ID number typed), with a review through the API. Then:

1. the whole test database, dumped with pg_dump (the test commits: transaction=True);
2. every page, API endpoint and admin page (the support case's history pages too) that shows these
   records, fetched by every persona the authorization matrix lets read it, the training
   provider's included (masked forms such as 139****3333 are fine);
3. every log record of every logger, at DEBUG with SQL logging on, through all of the above,
   as the code wrote it (before the console handler's redaction filter rewrites it);

hold none of the clear values, nor the support child's name typed through the API. The scanner
is shown able to fail in each channel: a mobile planted in a case's plan (free text) is found in
the dump, on a page, in the API, in the admin and in the logs (the SQL that wrote it), and a value
logged as such in the logs.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import re
import subprocess
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from portal.roles import Role
from portal.validators import resident_id_check_char
from tests.factories import ApprovedPlacesFactory, InstitutionFactory, UserFactory, township
from tests.security.matrix import ENTRIES

pytestmark = pytest.mark.django_db(transaction=True)

PARENT_MOBILES = ("13957711111", "13957722222")
API_PARENT_MOBILE = "13957744444"  # on a list sent through the API
# On an institution's session: typed on the /yangyu/ form, then imported from a spreadsheet.
FORM_PARENT_MOBILE = "13957755555"
IMPORTED_PARENT_MOBILES = ("13957766666", "139 5776 6667")
GUARDIAN_MOBILE = "13957733333"
PLANTED_MOBILE = "13957799999"
PERSONAS = {
    "family": Role.FAMILY,
    "operator_a": Role.OPERATOR,
    "operator_b": Role.OPERATOR,
    "inspector": Role.INSPECTOR,
    "education": Role.EDUCATION,
    "bureau": Role.BUREAU_STAFF,
    "bureau_admin": Role.BUREAU_ADMIN,
    "auditor": Role.AUDITOR,
    "department": Role.DEPARTMENT,
    "health_centre": Role.HEALTH_CENTRE,
    "training_provider": Role.TRAINING_PROVIDER,
}
# A scanned body's channel (besides the dump and the logs), by its URL name.
CHANNELS = ("pages", "api", "admin")


def resident_id(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


def channel(name: str) -> str:
    if name.startswith("v1:"):
        return "api"
    return "admin" if name.startswith("admin:") else "pages"


def clear_values_in(text: str, values) -> set[str]:
    """The values written in clear in `text`, also when split by spaces or dashes (138 0000
    0000) and whatever the case of an ID number's X."""
    found = set()
    for value in values:
        pattern = r"[\s-]?".join(re.escape(character) for character in value)
        if re.search(pattern, text, re.IGNORECASE):
            found.add(value)
    return found


def database_dump() -> str:
    """The whole test database as pg_dump writes it (schema and data)."""
    settings = connection.settings_dict
    command = [
        "pg_dump",
        "--no-owner",
        "-h",
        settings["HOST"] or "127.0.0.1",
        "-p",
        str(settings["PORT"] or 5432),
        "-U",
        settings["USER"] or "postgres",
        settings["NAME"],
    ]
    env = {**os.environ, "PGPASSWORD": settings.get("PASSWORD") or ""}
    done = subprocess.run(command, capture_output=True, env=env, timeout=60, check=True)
    return done.stdout.decode()


def _reference_data() -> None:
    """What earlier transactional tests may have flushed: townships, roles, checklists."""
    from django.contrib.auth.models import Group

    from inspections.checklists import ensure_default_checklists
    from institutions.models import Township
    from institutions.reference import load_townships
    from portal.roles import sync_roles

    if Township.objects.count() < 25:
        load_townships(Township)
    if Group.objects.count() < len(Role):
        sync_roles()
    ensure_default_checklists()


def _clients() -> tuple[dict, dict]:
    users = {
        name: UserFactory(username=f"pii_{name}", role=role) for name, role in PERSONAS.items()
    }
    clients = {"anonymous": Client()}
    for name, user in users.items():
        clients[name] = Client()
        clients[name].force_login(user)
    return users, clients


def _enter_everything(users: dict, clients: dict, today: dt.date) -> dict:
    """The records, entered as users enter them; returns what the pages point at."""
    from institutions.health import services as health
    from institutions.models import (
        HealthFacility,
        ParentingSession,
        StaffMember,
        SupportCase,
        SupportReview,
        TrainingAttendance,
        TrainingCourse,
        TrainingProvider,
    )
    from institutions.training import services as training
    from vouchers import services as vouchers
    from vouchers.models import VoucherApplication, VoucherBatch

    a = InstitutionFactory(township=township("114"), filed_on=dt.date(2024, 3, 1))
    ApprovedPlacesFactory(institution=a)
    a.operators.add(users["operator_a"])
    InstitutionFactory(township=township("114")).operators.add(users["operator_b"])
    facility = HealthFacility.objects.create(
        name="扫描测试社区卫生服务中心",
        level="township",
        kind="community_centre",
        township=a.township,
    )
    facility.users.add(users["health_centre"])

    # A parent's mobile on an attendance list, on the health centre's page.
    session = health.health_session_save(
        session=ParentingSession(
            held_on=today, topic="科学喂养", venue="community", families_reached=0
        ),
        facility=facility,
        actor=users["health_centre"],
    )
    url = reverse("health:attendance", args=[session.pk])
    response = clients["health_centre"].post(url, {"mobiles": "\n".join(PARENT_MOBILES)})
    assert response.status_code == 302, response.content.decode()
    assert session.attendance.count() == len(PARENT_MOBILES)
    # And through the API, whose answer is part of the scan.
    other = health.health_session_save(
        session=ParentingSession(
            held_on=today, topic="亲子阅读", venue="community", families_reached=0
        ),
        facility=facility,
        actor=users["health_centre"],
    )
    response = clients["health_centre"].post(
        reverse("v1:health-session-attendance", args=[other.pk]),
        {"mobiles": [API_PARENT_MOBILE, PARENT_MOBILES[0]]},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content.decode()
    assert other.attendance.count() == 2
    response_text = response.content.decode()

    # The operator's own session: a list typed on the /yangyu/ form, then replaced by a
    # spreadsheet imported on the attendance page.
    response = clients["operator_a"].post(
        reverse("reports:sessions"),
        {
            "institution": a.pk,
            "held_on": today.isoformat(),
            "topic": "机构亲子活动",
            "mobiles": f"{FORM_PARENT_MOBILE}\n{PARENT_MOBILES[1]}",
        },
    )
    assert response.status_code == 302, response.content.decode()
    institution_session = ParentingSession.objects.get(institution=a)
    assert institution_session.attendance.count() == 2
    workbook = Workbook()
    workbook.active.append(["家长手机号"])
    for number in IMPORTED_PARENT_MOBILES:
        workbook.active.append([number])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = clients["operator_a"].post(
        reverse("health:attendance_import", args=[institution_session.pk]),
        {"file": SimpleUploadedFile("名单.xlsx", buffer.getvalue())},
    )
    assert response.status_code == 302, response.content.decode()
    assert institution_session.attendance.count() == 2

    # A family's online application: the guardian's mobile and ID, the child's ID.
    batch = VoucherBatch.objects.create(
        name="扫描测试批次",
        face_value=Decimal("3000.00"),
        quantity_cap=10,
        apply_from=today - dt.timedelta(days=10),
        apply_until=today + dt.timedelta(days=10),
        valid_from=today - dt.timedelta(days=10),
        valid_until=today + dt.timedelta(days=300),
        monthly_cap=Decimal("500.00"),
        min_age_months=0,
        max_age_months=35,
    )
    response = clients["anonymous"].post(
        reverse("voucher_family:apply_batch", args=[batch.pk]),
        {
            "child_name": "扫描幼儿",
            "child_id_number": CHILD_ID,
            "hukou_township": a.township.pk,
            "guardian_name": "扫描家长",
            "guardian_id_number": GUARDIAN_ID,
            "guardian_phone": GUARDIAN_MOBILE,
            "consent": "on",
        },
    )
    assert response.status_code == 200, response.content.decode()
    application = VoucherApplication.objects.get()
    voucher = vouchers.application_approve(application=application, actor=users["bureau"])
    guardian = application.child.guardian
    guardian.user = users["family"]
    guardian.save()

    # The operator enrols the child: the child's ID number typed again.
    response = clients["operator_a"].post(
        reverse("vouchers:enrolment_add", args=[a.pk]),
        {"voucher_code": voucher.code, "child_id_number": CHILD_ID, "start": today.isoformat()},
    )
    assert response.status_code == 302, response.content.decode()

    # A staff member added on the operator's page.
    response = clients["operator_a"].post(
        reverse("institutions:staff_add", args=[a.pk]),
        {"name": "扫描员工", "id_number": STAFF_ID, "role": "caregiver", "hired_on": "2024-03-01"},
    )
    assert response.status_code == 302, response.content.decode()
    staff = StaffMember.objects.get(institution=a)

    # A 融合托育 support case opened by the supporting facility: the child's ID number again.
    response = clients["health_centre"].post(
        reverse("inclusive:case_open"),
        {
            "institution": a.pk,
            "facility": facility.pk,
            "child_name": "扫描幼儿",
            "child_birth_date": (TODAY - dt.timedelta(days=300)).isoformat(),
            "child_id_number": CHILD_ID,
            "need": "developmental_delay",
            "plan": "个别化支持计划",
            "opened_on": today.isoformat(),
        },
    )
    assert response.status_code == 302, response.content.decode()
    page_case = SupportCase.objects.get()

    # Another case through the API: the child's name and ID number typed; a review of it.
    api_answers = {("v1:health-session-attendance", "health_centre", "POST"): response_text}
    response = clients["health_centre"].post(
        reverse("v1:support-case-list"),
        {
            "institution": a.pk,
            "facility": facility.pk,
            "child_name": API_CHILD_NAME,
            "child_birth_date": (TODAY - dt.timedelta(days=400)).isoformat(),
            "child_id_number": API_CHILD_ID,
            "need": "speech",
            "plan": "每日语言示范",
            "opened_on": today.isoformat(),
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content.decode()
    api_answers["v1:support-case-list", "health_centre", "POST"] = response.content.decode()
    api_case = SupportCase.objects.exclude(pk=page_case.pk).get()
    response = clients["health_centre"].post(
        reverse("v1:support-review-list"),
        {"case": api_case.pk, "reviewed_on": today.isoformat(), "progress": "能说短句"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content.decode()
    api_answers["v1:support-review-list", "health_centre", "POST"] = response.content.decode()

    # The training provider's attendance of the staff member: the ID number typed again.
    provider = TrainingProvider.objects.create(name="扫描测试培训机构")
    provider.users.add(users["training_provider"])
    course = training.course_save(
        course=TrainingCourse(
            name="扫描测试培训",
            provider_org=provider,
            kind="in_service",
            starts_on=today,
            ends_on=today,
            hours=4,
        ),
        actor=users["bureau"],
    )
    response = clients["training_provider"].post(
        reverse("training:attendance_add", args=[course.pk]),
        {"institution": a.pk, "id_number": STAFF_ID, "hours": "4", "completed": "on"},
    )
    assert response.status_code == 302, response.content.decode()
    return {
        "support_case": page_case,
        "api_case": api_case,
        "review": SupportReview.objects.get(),
        "course": course,
        "attendance": TrainingAttendance.objects.get(course=course, staff=staff),
        "api_answers": api_answers,
        "institution": a,
        "session": session,
        "institution_session": institution_session,
        "application": application,
        "guardian": guardian,
        "child": application.child,
        "staff": staff,
        "voucher": voucher,
    }


def _pages(records: dict) -> list[tuple[str, str]]:
    """(url name, path) of every page and endpoint that shows the records."""
    a, session, staff = records["institution"], records["session"], records["staff"]
    application, guardian, child = records["application"], records["guardian"], records["child"]
    api_case = records["api_case"]
    version = api_case.history.earliest()
    named = [
        ("health:sessions", []),
        ("health:attendance", [records["institution_session"].pk]),
        ("health:attendance_import", [records["institution_session"].pk]),
        ("v1:parenting-session-list", []),
        ("v1:parenting-session-detail", [records["institution_session"].pk]),
        ("v1:health-session-list", []),
        ("v1:health-session-detail", [session.pk]),
        ("vouchers:applications", []),
        ("vouchers:application_detail", [application.pk]),
        ("v1:voucher-application-list", []),
        ("v1:voucher-application-detail", [application.pk]),
        ("vouchers:children", [a.pk]),
        ("v1:voucher-list", []),
        ("v1:voucher-detail", [records["voucher"].code]),
        ("v1:voucher-enrolment-list", []),
        ("voucher_family:balance", []),
        ("institutions:staff_list", [a.pk]),
        ("institutions:staff_detail", [a.pk, staff.pk]),
        ("institutions:staff_edit", [a.pk, staff.pk]),
        ("v1:staff-list", []),
        ("v1:staff-detail", [staff.pk]),
        ("admin:vouchers.guardian:changelist", []),
        ("admin:vouchers.guardian:change", [guardian.pk]),
        ("admin:vouchers.child:changelist", []),
        ("admin:vouchers.child:change", [child.pk]),
        ("admin:vouchers.voucherapplication:changelist", []),
        ("admin:vouchers.voucherapplication:change", [application.pk]),
        ("admin:institutions.staffmember:change", [staff.pk]),
        ("admin:notifications.notification:changelist", []),
        ("inclusive:case_list", []),
        ("inclusive:case_detail", [records["support_case"].pk]),
        ("v1:support-case-list", []),
        ("v1:support-case-detail", [records["support_case"].pk]),
        ("admin:institutions.supportcase:changelist", []),
        ("admin:institutions.supportcase:change", [records["support_case"].pk]),
        ("inclusive:case_detail", [api_case.pk]),
        ("v1:support-case-detail", [api_case.pk]),
        ("v1:support-review-list", []),
        ("v1:support-review-detail", [records["review"].pk]),
        ("admin:institutions.supportcase:change", [api_case.pk]),
        ("admin:institutions.supportcase:history", [api_case.pk]),
        ("admin:institutions.supportcase:simple_history", [api_case.pk, version.pk]),
        ("admin:institutions.supportreview:changelist", []),
        ("admin:institutions.supportreview:change", [records["review"].pk]),
        ("training:courses", []),
        ("training:course", [records["course"].pk]),
        ("v1:training-course-detail", [records["course"].pk]),
        ("v1:training-attendance-list", []),
        ("v1:training-attendance-detail", [records["attendance"].pk]),
        ("training:attendance_edit", [records["attendance"].pk]),
    ]
    return [(name, _path(name, args)) for name, args in named]


def _path(name: str, args: list) -> str:
    """The URL of the matrix's `name` (the admin's "admin:app.model:action" is Django's
    "admin:app_model_action")."""
    if name.startswith("admin:"):
        model, action = name.removeprefix("admin:").split(":")
        return reverse(f"admin:{model.replace('.', '_')}_{action}", args=args)
    return reverse(name, args=args)


def _fetch_all(clients: dict, pages: list[tuple[str, str]]) -> dict[tuple[str, str, str], str]:
    """Every page as every persona the matrix lets read it, by (url name, persona, path); each
    must answer 200. Every persona of the matrix has a client: none is left out."""
    bodies = {}
    for name, path in pages:
        personas = sorted(ENTRIES[name].get)
        assert personas, name
        assert not set(personas) - set(clients), (name, set(personas) - set(clients))
        for persona in personas:
            response = clients[persona].get(path, follow=False)
            assert response.status_code == 200, (name, persona, response.status_code)
            bodies[name, persona, path] = response.content.decode()
    return bodies


class _AllLogs:
    """Every logger at DEBUG into caplog's handler (also those that do not propagate), with
    SQL and its parameters logged as at DEBUG. caplog's handler is put first on the root
    logger, so it records each message as the code wrote it: the console handler's redaction
    filter (portal.logging, the second line of defence) rewrites a record in place, and would
    otherwise hide a number the code logged in clear."""

    def __init__(self, caplog):
        self.caplog = caplog
        self.attached: list[logging.Logger] = []
        self.root_handlers: list[logging.Handler] = []

    def __enter__(self):
        self.caplog.set_level(logging.DEBUG)
        for name, logger in list(logging.root.manager.loggerDict.items()):
            if isinstance(logger, logging.Logger):
                self.caplog.set_level(logging.DEBUG, logger=name)
                if not logger.propagate:
                    logger.handlers.insert(0, self.caplog.handler)
                    self.attached.append(logger)
        root = logging.getLogger()
        self.root_handlers = list(root.handlers)
        root.handlers = [self.caplog.handler] + [
            h for h in root.handlers if h is not self.caplog.handler
        ]
        connection.force_debug_cursor = True
        return self

    def __exit__(self, *exc):
        connection.force_debug_cursor = False
        logging.getLogger().handlers = self.root_handlers
        for logger in self.attached:
            logger.removeHandler(self.caplog.handler)

    def text(self) -> str:
        """The records as first written (caplog's text is formatted when each is emitted)."""
        return self.caplog.text


TODAY = timezone.localdate()
CHILD_ID = resident_id(f"330382{TODAY - dt.timedelta(days=300):%Y%m%d}731")
GUARDIAN_ID = resident_id("33038219900101732")
STAFF_ID = resident_id("33038219850505733")
API_CHILD_ID = resident_id(f"330382{TODAY - dt.timedelta(days=400):%Y%m%d}734")
API_CHILD_NAME = "接口扫描幼儿"
CLEAR = (
    *PARENT_MOBILES,
    API_PARENT_MOBILE,
    FORM_PARENT_MOBILE,
    "13957766666",
    "13957766667",
    GUARDIAN_MOBILE,
    CHILD_ID,
    GUARDIAN_ID,
    STAFF_ID,
    API_CHILD_ID,
)


def test_no_clear_mobile_or_id_number_in_the_dump_pages_api_or_logs(caplog):
    _reference_data()
    with _AllLogs(caplog) as logs:
        users, clients = _clients()
        records = _enter_everything(users, clients, TODAY)
        bodies = _fetch_all(clients, _pages(records)) | records["api_answers"]
        logged = logs.text()
    assert len(bodies) > 60
    # Each channel is scanned, as every persona, the anonymous and the training provider included.
    assert {channel(name) for name, _persona, _path in bodies} == set(CHANNELS)
    assert {persona for _name, persona, _path in bodies} == set(clients)
    assert "SELECT" in logged  # SQL was logged, with its parameters

    dump = database_dump()
    assert "institutions_sessionattendance" in dump and records["guardian"].id_number_hash in dump
    assert records["api_case"].child_id_number_hash in dump
    assert not clear_values_in(dump, CLEAR), "clear personal numbers in the database dump"
    leaks = {key: clear_values_in(body, CLEAR) for key, body in bodies.items()}
    assert not {key: found for key, found in leaks.items() if found}
    # The masked forms are what the pages show.
    detail = next(
        body
        for (name, persona, _path), body in bodies.items()
        if (name, persona) == ("vouchers:application_detail", "bureau")
    )
    assert f"{GUARDIAN_MOBILE[:3]}****{GUARDIAN_MOBILE[-4:]}" in detail
    assert not clear_values_in(logged, CLEAR), "clear personal numbers in the logs"
    # The support child's name typed through the API is nowhere in clear either.
    assert not [
        key
        for key, text in {"dump": dump, "logs": logged, **bodies}.items()
        if API_CHILD_NAME in text
    ]

    # The scanner can fail, in each channel: a mobile planted in the API case's plan (free text)
    # is found in the dump, on the case's page, in the API, in the admin (as every persona that
    # reads them), and in the logs (the SQL that wrote it).
    from institutions.models import SupportCase

    case = records["api_case"]
    planted_on = [
        (name, _path(name, [case.pk]))
        for name in (
            "inclusive:case_detail",
            "v1:support-case-detail",
            "admin:institutions.supportcase:change",
        )
    ]
    with _AllLogs(caplog) as logs:
        SupportCase.objects.filter(pk=case.pk).update(plan=f"请联系家长{PLANTED_MOBILE}")
        planted = _fetch_all(clients, planted_on)
        logged = logs.text()
    assert all(clear_values_in(body, [PLANTED_MOBILE]) for body in planted.values())
    assert {channel(name) for name, _persona, _path in planted} == set(CHANNELS)
    assert clear_values_in(logged, [PLANTED_MOBILE]) == {PLANTED_MOBILE}
    assert clear_values_in(database_dump(), [PLANTED_MOBILE]) == {PLANTED_MOBILE}
    # A number the code logs as such is found too, whatever the case of its X.
    with _AllLogs(caplog) as logs:
        logging.getLogger("tests.pii").debug("幼儿身份证号 %s", CHILD_ID.lower())
        assert clear_values_in(logs.text(), CLEAR) == {CHILD_ID}
    assert clear_values_in("138 0000 0000 / 138****0000", ["13800000000"]) == {"13800000000"}
    assert not clear_values_in("138****0000", ["13800000000"])
