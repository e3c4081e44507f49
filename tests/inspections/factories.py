"""How to make inspection test data: through the services (as the pages and API do), or in bulk
for query-count tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from inspections import services
from inspections.models import (
    ChecklistTemplate,
    Finding,
    Inspection,
    InspectionKind,
    InspectionResult,
    default_deadline,
)

# A PNG and a PDF small enough to upload, with real signatures.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png_upload(name: str = "site.png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, PNG, content_type="image/png")


def pdf_upload(name: str = "evidence.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def make_inspection(
    *,
    institution,
    inspectors,
    kind: str = InspectionKind.PATROL,
    inspected_on: dt.date | None = None,
    fail: tuple[int, ...] = (),
    complete: bool = True,
    actor=None,
) -> Inspection:
    """An inspection through the services: every item passed except those at the `fail`
    positions (0-based, in form order); completed unless `complete=False`."""
    inspectors = list(inspectors)
    actor = actor or inspectors[0]
    inspection = services.inspection_create(
        institution=institution,
        kind=kind,
        inspected_on=inspected_on or timezone.localdate() - dt.timedelta(days=1),
        inspectors=inspectors,
        actor=actor,
    )
    rows = list(inspection.results.order_by("order", "pk"))
    answers = {
        row.pk: {
            "result": "fail" if index in fail else "pass",
            "note": "发现问题" if index in fail else "",
        }
        for index, row in enumerate(rows)
    }
    services.inspection_save_results(inspection=inspection, actor=actor, results=answers)
    if complete:
        services.inspection_complete(inspection=inspection, actor=actor)
    inspection.refresh_from_db()
    return inspection


def bulk_inspections(
    institutions,
    *,
    inspector,
    kind: str = InspectionKind.ANNUAL,
    inspected_on: dt.date,
    findings: int = 1,
) -> list[Inspection]:
    """One completed inspection per institution, with two results and `findings` findings
    each, written in bulk (for query-count tests of pages that list many)."""
    template = ChecklistTemplate.objects.get(kind=kind, is_active=True)
    items = list(template.items.order_by("order")[:2])
    inspections = Inspection.objects.bulk_create(
        Inspection(
            institution=institution,
            kind=kind,
            template=template,
            inspected_on=inspected_on,
            state=Inspection.State.COMPLETED,
            score=50,
            outcome=Inspection.Outcome.FAIL,
            completed_at=timezone.now(),
        )
        for institution in institutions
    )
    Through = Inspection.inspectors.through
    Through.objects.bulk_create(
        Through(inspection_id=inspection.pk, user_id=inspector.pk) for inspection in inspections
    )
    results = InspectionResult.objects.bulk_create(
        InspectionResult(
            inspection=inspection,
            item=item,
            area=item.area,
            order=item.order,
            text=item.text,
            weight=item.weight,
            severity=item.severity,
            result=InspectionResult.Result.FAIL,
            note="保育员王小明（13812345678）未在岗",
        )
        for inspection in inspections
        for item in items
    )
    Finding.objects.bulk_create(
        Finding(
            inspection_id=result.inspection_id,
            result=result,
            area=result.area,
            title=result.text,
            detail=result.note,
            severity=result.severity,
            found_on=inspected_on,
            deadline=default_deadline(inspected_on, result.severity),
        )
        for number, result in enumerate(results)
        if number % 2 < findings
    )
    return inspections
