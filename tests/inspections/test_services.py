"""Inspections: starting, filling, completing; failed items become findings with deadlines."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from inspections import services
from inspections.models import (
    SEVERITY_DEADLINE_DAYS,
    ChecklistTemplate,
    Finding,
    Inspection,
    InspectionKind,
    Severity,
)
from inspections.validators import PHOTO_MAX_BYTES
from tests.factories import InstructorAssignmentFactory

from .factories import make_inspection, png_upload

pytestmark = pytest.mark.django_db


def test_every_kind_has_a_seeded_checklist_grouped_by_area():
    for kind in InspectionKind.values:
        template = ChecklistTemplate.objects.get(kind=kind, is_active=True)
        areas = set(template.items.values_list("area", flat=True))
        assert len(areas) >= 4, kind
        assert template.items.filter(weight__gt=1).exists()


def test_create_copies_the_active_checklist(institution_a, inspector):
    inspection = services.inspection_create(
        institution=institution_a,
        kind=InspectionKind.PATROL,
        inspected_on=timezone.localdate(),
        inspectors=[inspector],
        actor=inspector,
    )
    template = ChecklistTemplate.objects.get(kind="patrol", is_active=True)
    assert inspection.template == template
    assert inspection.results.count() == template.items.count()
    assert not inspection.results.exclude(result="").exists()
    assert inspection.history.exists()


def test_editing_the_template_later_keeps_past_wording(institution_a, inspector):
    inspection = make_inspection(institution=institution_a, inspectors=[inspector], fail=(0,))
    first = inspection.results.order_by("order").first()
    item = first.item
    item.text = "改过的检查内容"
    item.save()
    first.refresh_from_db()
    assert first.text != "改过的检查内容"
    assert inspection.findings.get().title == first.text


def test_spot_check_needs_two_inspectors(institution_a, inspector, inspector2):
    with pytest.raises(ValidationError) as error:
        services.inspection_create(
            institution=institution_a,
            kind=InspectionKind.SPOT_CHECK,
            inspected_on=timezone.localdate(),
            inspectors=[inspector],
            actor=inspector,
        )
    assert error.value.error_dict["inspectors"][0].code == "spot_check_two_inspectors"
    inspection = services.inspection_create(
        institution=institution_a,
        kind=InspectionKind.SPOT_CHECK,
        inspected_on=timezone.localdate(),
        inspectors=[inspector, inspector2],
        actor=inspector,
    )
    assert inspection.inspectors.count() == 2


def test_spot_check_refuses_the_institutions_own_health_instructor(
    institution_a, inspector, inspector2, inspector3
):
    InstructorAssignmentFactory(
        institution=institution_a, instructor=inspector, effective_from=dt.date(2024, 1, 1)
    )
    with pytest.raises(ValidationError) as error:
        services.inspection_create(
            institution=institution_a,
            kind=InspectionKind.SPOT_CHECK,
            inspected_on=timezone.localdate(),
            inspectors=[inspector, inspector2],
            actor=inspector2,
        )
    assert error.value.error_dict["inspectors"][0].code == "conflict_of_interest"
    # A patrol is exactly the instructor's job.
    services.inspection_create(
        institution=institution_a,
        kind=InspectionKind.PATROL,
        inspected_on=timezone.localdate(),
        inspectors=[inspector],
        actor=inspector,
    )


def test_only_the_inspections_inspectors_or_bureau_fill_it(
    institution_a, inspector, inspector2, bureau, operator_a, auditor
):
    inspection = make_inspection(institution=institution_a, inspectors=[inspector], complete=False)
    row = inspection.results.first()
    change = {row.pk: {"result": "pass", "note": ""}}
    for outsider in (inspector2, operator_a, auditor):
        with pytest.raises(services.NotAllowed):
            services.inspection_save_results(inspection=inspection, actor=outsider, results=change)
    services.inspection_save_results(inspection=inspection, actor=bureau, results=change)


def test_operators_cannot_start_inspections(institution_a, operator_a):
    with pytest.raises(services.NotAllowed):
        services.inspection_create(
            institution=institution_a,
            kind=InspectionKind.PATROL,
            inspected_on=timezone.localdate(),
            inspectors=[operator_a],
            actor=operator_a,
        )


def test_complete_refuses_unanswered_items(institution_a, inspector):
    inspection = services.inspection_create(
        institution=institution_a,
        kind=InspectionKind.PATROL,
        inspected_on=timezone.localdate(),
        inspectors=[inspector],
        actor=inspector,
    )
    with pytest.raises(ValidationError) as error:
        services.inspection_complete(inspection=inspection, actor=inspector)
    assert error.value.code == "incomplete"


def test_failed_items_become_findings_with_severity_deadlines(institution_a, inspector):
    day = timezone.localdate() - dt.timedelta(days=2)
    inspection = make_inspection(
        institution=institution_a, inspectors=[inspector], inspected_on=day, fail=(0, 1, 2, 3)
    )
    findings = list(inspection.findings.select_related("result"))
    assert len(findings) == 4
    for finding in findings:
        assert finding.result.result == "fail"
        assert finding.title == finding.result.text
        assert finding.detail == "发现问题"
        assert finding.found_on == day
        assert finding.deadline == day + dt.timedelta(days=SEVERITY_DEADLINE_DAYS[finding.severity])
        assert finding.state == Finding.State.OPEN
    assert SEVERITY_DEADLINE_DAYS == {Severity.HIGH: 7, Severity.MEDIUM: 15, Severity.LOW: 30}


def test_score_is_weighted_and_outcome_follows_it(institution_a, inspector):
    clean = make_inspection(institution=institution_a, inspectors=[inspector])
    assert clean.score == Decimal("100.00")
    assert clean.outcome == Inspection.Outcome.PASS
    one = make_inspection(institution=institution_a, inspectors=[inspector], fail=(0,))
    rows = list(one.results.all())
    total = sum(r.weight for r in rows)
    failed = next(r for r in rows if r.result == "fail").weight
    expected = (Decimal(100) * (total - failed) / total).quantize(Decimal("0.01"))
    assert one.score == expected
    assert one.outcome == Inspection.Outcome.PASS_WITH_RECTIFICATION
    many = make_inspection(institution=institution_a, inspectors=[inspector], fail=tuple(range(12)))
    assert many.score < 60
    assert many.outcome == Inspection.Outcome.FAIL


def test_outcome_pass_is_refused_with_failed_items(institution_a, inspector):
    inspection = make_inspection(
        institution=institution_a, inspectors=[inspector], fail=(0,), complete=False
    )
    with pytest.raises(ValidationError):
        services.inspection_complete(inspection=inspection, actor=inspector, outcome="pass")


def test_completed_inspection_is_locked(institution_a, inspector):
    inspection = make_inspection(institution=institution_a, inspectors=[inspector])
    row = inspection.results.first()
    with pytest.raises(ValidationError) as error:
        services.inspection_save_results(
            inspection=inspection, actor=inspector, results={row.pk: {"result": "fail"}}
        )
    assert error.value.code == "inspection_completed"


def test_future_inspection_cannot_be_completed(institution_a, inspector):
    inspection = make_inspection(
        institution=institution_a,
        inspectors=[inspector],
        inspected_on=timezone.localdate() + dt.timedelta(days=3),
        complete=False,
    )
    with pytest.raises(ValidationError):
        services.inspection_complete(inspection=inspection, actor=inspector)


def test_photo_upload_checks_type_and_size(institution_a, inspector, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    inspection = make_inspection(institution=institution_a, inspectors=[inspector], complete=False)
    row = inspection.results.first()
    photo = services.inspection_add_photo(result=row, file=png_upload(), actor=inspector)
    assert photo.file.name.endswith(".png")
    assert "site" not in photo.file.name  # the uploaded name is not kept
    fake = SimpleUploadedFile("x.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    with pytest.raises(ValidationError):
        services.inspection_add_photo(result=row, file=fake, actor=inspector)
    big = SimpleUploadedFile("big.png", b"\x89PNG\r\n\x1a\n" + b"0" * PHOTO_MAX_BYTES, "image/png")
    with pytest.raises(ValidationError) as error:
        services.inspection_add_photo(result=row, file=big, actor=inspector)
    assert error.value.code == "file_too_large"


def test_database_refuses_a_completed_inspection_without_score(institution_a, inspector):
    inspection = make_inspection(institution=institution_a, inspectors=[inspector], complete=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        Inspection.objects.filter(pk=inspection.pk).update(state="completed")


def test_database_refuses_a_deadline_before_the_finding(institution_a, inspector):
    inspection = make_inspection(institution=institution_a, inspectors=[inspector], fail=(0,))
    finding = inspection.findings.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Finding.objects.filter(pk=finding.pk).update(
            deadline=finding.found_on - dt.timedelta(days=1)
        )


def test_one_active_checklist_per_kind():
    with pytest.raises(IntegrityError), transaction.atomic():
        ChecklistTemplate.objects.create(kind="patrol", name="第二份", is_active=True)
