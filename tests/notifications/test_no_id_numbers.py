"""No notification text holds an ID number: families, children and staff with real-looking ID
numbers, those numbers typed into every free text a notification quotes (a return reason, a
refusal, an inspector's note), every event triggered, then everything scanned: the stored
notifications, every mail and every SMS."""

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from inspections import services as inspections
from inspections import tasks as inspection_tasks
from inspections.models import Concern, Incident
from institutions.reports import services as reports
from institutions.reports.reminders import send_report_reminders
from lequing_tuoyu.demo import make_resident_id
from notifications import sms
from notifications.models import Event, Notification, NotificationPreference
from notifications.texts import find_id_numbers
from tests.factories import StaffMemberFactory, township
from tests.inspections.factories import make_inspection
from vouchers import notices as voucher_notices
from vouchers import services as vouchers
from vouchers.models import VoucherBatch

from .test_events import at

pytestmark = pytest.mark.django_db

NUMBERS = [make_resident_id(random.Random(seed), born=dt.date(1988, 5, 5)) for seed in range(4)]
CHILD_NUMBERS = [
    make_resident_id(random.Random(50 + s), born=dt.date(2024, 2, 2)) for s in range(2)
]
OLD_NUMBER = "330382880505123"  # a 15-digit number from before 1999


def _everything(institution_a, operator_a, inspector, bureau, family, capture, tmp_path):
    """Trigger every event, with ID numbers in the free texts they quote."""
    said = f"身份证号{NUMBERS[0]}与{OLD_NUMBER}不符"
    with at(dt.date(2025, 4, 2)), capture(execute=True):
        report = reports.report_get_or_start(institution=institution_a, period=dt.date(2025, 3, 1))
        report = reports.report_submit(report=report)
        report = reports.report_return(report=report, actor=bureau, reason=said)
        report = reports.report_submit(report=report)
        report = reports.report_accept(report=report, actor=bureau)
        reports.report_reopen(report=report, actor=bureau, reason=said)
    send_report_reminders(today=dt.date(2025, 5, 7))  # April's report: due soon
    send_report_reminders(today=dt.date(2025, 5, 11))  # and overdue
    with at(dt.date(2025, 3, 3)), capture(execute=True):
        inspection = make_inspection(
            institution=institution_a,
            inspectors=[inspector],
            inspected_on=dt.date(2025, 3, 1),
            fail=(0,),
        )
    finding = inspection.findings.get()
    with at(finding.deadline - dt.timedelta(days=3)):
        inspection_tasks.remind_rectification_deadlines.apply()
    with at(finding.deadline - dt.timedelta(days=2)), capture(execute=True):
        inspections.rectification_submit(finding=finding, actor=operator_a, action_taken=said)
        inspections.rectification_review(finding=finding, actor=inspector, accept=False, note=said)
    with at(finding.deadline + dt.timedelta(days=1), 1, 30), capture(execute=True):
        inspection_tasks.mark_overdue_rectifications.apply()
    with capture(execute=True):
        inspections.incident_report(
            institution=institution_a,
            actor=operator_a,
            kind=Incident.Kind.SUSPECTED_HARM,
            occurred_at=timezone.now() - dt.timedelta(hours=2),
            description=said,
            children_affected=1,
        )
        inspections.staff_credit_record_create(
            actor=bureau,
            name="钱某",
            id_number=NUMBERS[1],
            reason=said,
            recorded_on=timezone.localdate() - dt.timedelta(days=30),
        )
        staff = StaffMemberFactory(institution=institution_a, id_number=NUMBERS[1], name="钱某")
        inspections.staff_hire_check(staff=staff)
    batch = VoucherBatch.objects.create(
        name="2025年第一批托育券",
        face_value=Decimal("3000.00"),
        quantity_cap=10,
        apply_from=dt.date(2025, 2, 1),
        apply_until=dt.date(2025, 3, 31),
        valid_from=dt.date(2025, 3, 1),
        valid_until=timezone.localdate() + dt.timedelta(days=10),
        monthly_cap=Decimal("500.00"),
        min_age_months=0,
        max_age_months=35,
    )
    applications = []
    for index, user in enumerate((family, None)):
        guardian = vouchers.guardian_get_or_create(
            name="王芳", phone=f"1381234567{index}", id_number=NUMBERS[2 + index]
        )
        guardian.user = user
        guardian.save()
        child = vouchers.child_register(
            guardian=guardian,
            name="王小明",
            id_number=CHILD_NUMBERS[index],
            hukou_township=township("114"),
        )
        applications.append(
            vouchers.application_create(
                batch=batch, child=child, source="bureau", applied_on=dt.date(2025, 2, 10)
            )
        )
    with capture(execute=True):
        vouchers.application_approve(application=applications[0], actor=bureau)
        vouchers.application_reject(application=applications[1], actor=bureau, reason=said)
    voucher_notices.vouchers_notify_expiring()
    concern = inspections.concern_submit(
        institution=institution_a, kind="complaint", text=said, contact_phone="13912340009"
    )
    with capture(execute=True):
        inspections.concern_handle(
            concern=concern, actor=bureau, state=Concern.State.ANSWERED, answer="已核实。"
        )


def test_no_notification_text_holds_an_id_number(
    institution_a,
    operator_a,
    inspector,
    bureau,
    family,
    with_emails,
    django_capture_on_commit_callbacks,
    tmp_path,
    settings,
):
    settings.MEDIA_ROOT = tmp_path
    # Everyone takes every channel, so every text goes everywhere.
    for index, user in enumerate((operator_a, inspector, bureau, family)):
        NotificationPreference.objects.create(user=user, mobile=f"1370000000{index}")
    _everything(
        institution_a,
        operator_a,
        inspector,
        bureau,
        family,
        django_capture_on_commit_callbacks,
        tmp_path,
    )
    events = set(Notification.objects.values_list("event", flat=True))
    assert events == set(Event.values), set(Event.values) - events  # every event was sent
    texts = [text for row in Notification.objects.all() for text in (row.subject, row.body)]
    texts += [text for message in mail.outbox for text in (message.subject, message.body)]
    texts += [message.text for message in sms.outbox]
    assert len(texts) > 60
    everything = "\n".join(texts)
    assert find_id_numbers(everything) == []
    for number in [*NUMBERS, *CHILD_NUMBERS, OLD_NUMBER]:
        assert number not in everything
        assert number[-4:] + "\n" not in everything  # nor its tail alone at a line end
    assert "王小明" not in everything  # children's names only masked
    assert "330382**" in everything or "110" in everything  # the reason kept, masked
