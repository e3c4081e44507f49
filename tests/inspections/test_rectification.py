"""A finding's rectification: the operator answers, the inspector closes it or sends it back;
nobody closes their own finding; the nightly task marks overdue ones once."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from inspections import services, tasks
from inspections.models import Finding, Rectification
from inspections.selectors import findings_due

from .factories import make_inspection, pdf_upload, png_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def finding(institution_a, inspector):
    inspection = make_inspection(
        institution=institution_a,
        inspectors=[inspector],
        inspected_on=timezone.localdate() - dt.timedelta(days=2),
        fail=(0,),
    )
    return inspection.findings.get()


def test_states_open_submitted_returned_submitted_closed(
    finding, operator_a, inspector, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    assert finding.state == Finding.State.OPEN
    services.rectification_submit(
        finding=finding, actor=operator_a, action_taken="已更换灭火器", files=[png_upload()]
    )
    finding.refresh_from_db()
    assert finding.state == Finding.State.SUBMITTED
    with pytest.raises(ValidationError):  # one answer waits at a time
        services.rectification_submit(finding=finding, actor=operator_a, action_taken="再次")
    with pytest.raises(ValidationError) as error:  # sending back needs a reason
        services.rectification_review(finding=finding, actor=inspector, accept=False)
    assert error.value.error_dict["note"][0].code == "required"
    services.rectification_review(finding=finding, actor=inspector, accept=False, note="照片不清")
    finding.refresh_from_db()
    assert finding.state == Finding.State.RETURNED
    services.rectification_submit(
        finding=finding, actor=operator_a, action_taken="补充照片", files=[pdf_upload()]
    )
    services.rectification_review(finding=finding, actor=inspector, accept=True)
    finding.refresh_from_db()
    assert finding.state == Finding.State.CLOSED
    assert finding.closed_on == timezone.localdate()
    assert finding.closed_by == inspector
    reviews = list(finding.rectifications.order_by("pk").values_list("review", flat=True))
    assert reviews == [Rectification.Review.SENT_BACK, Rectification.Review.ACCEPTED]
    assert finding.rectifications.last().evidence.count() == 1
    with pytest.raises(ValidationError):  # closed is final
        services.rectification_submit(finding=finding, actor=operator_a, action_taken="again")


def test_operator_cannot_close_their_own_finding(finding, operator_a):
    services.rectification_submit(finding=finding, actor=operator_a, action_taken="已整改")
    with pytest.raises(services.NotAllowed):
        services.rectification_review(finding=finding, actor=operator_a, accept=True)
    finding.refresh_from_db()
    assert finding.state == Finding.State.SUBMITTED


def test_an_inspector_who_operates_the_institution_cannot_close_its_finding(
    finding, operator_a, inspector2, institution_a
):
    institution_a.operators.add(inspector2)
    services.rectification_submit(finding=finding, actor=operator_a, action_taken="已整改")
    with pytest.raises(services.NotAllowed):
        services.rectification_review(finding=finding, actor=inspector2, accept=True)


def test_only_the_institutions_operators_answer(finding, operator_b, inspector, bureau):
    for outsider in (operator_b, inspector, bureau):
        with pytest.raises(services.NotAllowed):
            services.rectification_submit(finding=finding, actor=outsider, action_taken="x")


def test_evidence_must_be_an_image_or_pdf(finding, operator_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    exe = SimpleUploadedFile("a.pdf", b"MZ\x90\x00binary", content_type="application/pdf")
    with pytest.raises(ValidationError) as error:
        services.rectification_submit(
            finding=finding, actor=operator_a, action_taken="x", files=[exe]
        )
    assert "evidence" in error.value.error_dict
    assert not Rectification.objects.exists()


def test_moving_the_deadline_later_rearms_the_overdue_notice(finding, inspector):
    finding.overdue_notified_at = timezone.now()
    finding.save()
    later = timezone.localdate() + dt.timedelta(days=10)
    services.finding_update(finding=finding, actor=inspector, deadline=later)
    finding.refresh_from_db()
    assert finding.deadline == later
    assert finding.overdue_notified_at is None


def test_public_wording_refuses_phone_numbers(finding, inspector):
    with pytest.raises(ValidationError):
        services.finding_update(finding=finding, actor=inspector, title="联系13812345678整改")


def test_findings_due_tells_closed_on_time(institution_a, operator_a, inspector):
    """K12d: findings whose deadline falls in a month, and those closed by it."""
    with time_machine.travel(dt.datetime(2025, 3, 3, 10, tzinfo=dt.UTC), tick=False):
        inspection = make_inspection(
            institution=institution_a,
            inspectors=[inspector],
            inspected_on=dt.date(2025, 3, 1),
            fail=(0, 1),
        )
        on_time, late = inspection.findings.order_by("pk")
        services.finding_update(finding=on_time, actor=inspector, deadline=dt.date(2025, 3, 10))
        services.finding_update(finding=late, actor=inspector, deadline=dt.date(2025, 3, 12))
        services.rectification_submit(finding=on_time, actor=operator_a, action_taken="a")
        services.rectification_submit(finding=late, actor=operator_a, action_taken="b")
    with time_machine.travel(dt.datetime(2025, 3, 10, 10, tzinfo=dt.UTC), tick=False):
        services.rectification_review(finding=on_time, actor=inspector, accept=True)
    with time_machine.travel(dt.datetime(2025, 3, 20, 10, tzinfo=dt.UTC), tick=False):
        services.rectification_review(finding=late, actor=inspector, accept=True)
    march = findings_due(start=dt.date(2025, 3, 1), end=dt.date(2025, 3, 31))
    assert march.count() == 2
    assert march.filter(closed_on_time=True).get() == on_time
    assert not findings_due(start=dt.date(2025, 4, 1), end=dt.date(2025, 4, 30)).exists()


# --- The nightly task ----------------------------------------------------------------------------


@pytest.fixture
def overdue_setup(institution_a, institution_b, inspector, operator_a, operator_b, with_emails):
    """Three findings due 2025-03-08 at A, one at B, one closed at A; frozen on 2025-03-01."""
    with time_machine.travel(dt.datetime(2025, 3, 1, 9, tzinfo=dt.UTC), tick=False):
        a = make_inspection(
            institution=institution_a,
            inspectors=[inspector],
            inspected_on=dt.date(2025, 3, 1),
            fail=(0, 1, 2, 3),
        )
        b = make_inspection(
            institution=institution_b,
            inspectors=[inspector],
            inspected_on=dt.date(2025, 3, 1),
            fail=(0,),
        )
        findings = [*a.findings.order_by("pk"), b.findings.get()]
        for finding in findings:
            services.finding_update(finding=finding, actor=inspector, deadline=dt.date(2025, 3, 8))
        closed = findings[0]
        services.rectification_submit(finding=closed, actor=operator_a, action_taken="done")
        services.rectification_review(finding=closed, actor=inspector, accept=True)
    return findings


def test_overdue_task_marks_each_once_and_notifies(
    overdue_setup, mailoutbox, django_capture_on_commit_callbacks
):
    # On the deadline day (18:00 in Shanghai) nothing is overdue: the deadline is inclusive.
    with time_machine.travel(dt.datetime(2025, 3, 8, 10, tzinfo=dt.UTC), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.mark_overdue_rectifications.apply().get() == 0
    assert not mailoutbox
    with time_machine.travel(dt.datetime(2025, 3, 8, 17, 30, tzinfo=dt.UTC), tick=False):
        # 01:30 on 9 March in Shanghai: the nightly run.
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.mark_overdue_rectifications.apply().get() == 4
        marked = Finding.objects.filter(overdue_notified_at__isnull=False)
        assert set(marked) == set(overdue_setup[1:])
        recipients = sorted(tuple(m.to) for m in mailoutbox)
        assert recipients == [
            ("bureau@example.org",),
            ("operator_a@example.org",),
            ("operator_b@example.org",),
        ]
        operator_mail = next(m for m in mailoutbox if m.to == ["operator_a@example.org"])
        assert "2025-03-08" in operator_mail.body
        assert operator_mail.subject.startswith("【整改逾期】甲托育中心")
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.mark_overdue_rectifications.apply().get() == 0
        assert not mailoutbox
    first_marks = dict(marked.values_list("pk", "overdue_notified_at"))
    with time_machine.travel(dt.datetime(2025, 3, 20, 17, 30, tzinfo=dt.UTC), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.mark_overdue_rectifications.apply().get() == 0
    assert dict(marked.values_list("pk", "overdue_notified_at")) == first_marks
    assert not mailoutbox
    assert (
        Finding.objects.get(pk=overdue_setup[1].pk)
        .history.filter(history_change_reason="overdue")
        .count()
        == 1
    )
