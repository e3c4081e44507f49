"""The inspections API: inspectors and bureau staff write; operators read their own and answer
rectifications; auditors and education staff only read; lists run a bounded number of queries."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from inspections.models import Finding, Inspection, StaffCreditRecord
from lequing_tuoyu.demo import make_resident_id
from tests.bulk import make_registry

from .factories import bulk_inspections, make_inspection, pdf_upload, png_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def at_a(institution_a, inspector):
    return make_inspection(institution=institution_a, inspectors=[inspector], fail=(0,))


@pytest.fixture
def at_b(institution_b, inspector):
    return make_inspection(institution=institution_b, inspectors=[inspector], fail=(0,))


def test_operator_reads_only_their_own(at_a, at_b, api_as, operator_a):
    api = api_as(operator_a)
    listing = api.get(reverse("v1:inspection-list"))
    assert listing.status_code == 200
    assert [row["id"] for row in listing.data["results"]] == [at_a.pk]
    assert api.get(reverse("v1:inspection-detail", args=[at_b.pk])).status_code == 404
    detail = api.get(reverse("v1:inspection-detail", args=[at_a.pk]))
    assert len(detail.data["results"]) == at_a.results.count()
    findings = api.get(reverse("v1:finding-list"))
    assert {row["inspection"] for row in findings.data["results"]} == {at_a.pk}


def test_inspector_creates_fills_and_completes(institution_a, api_as, inspector):
    api = api_as(inspector)
    created = api.post(
        reverse("v1:inspection-list"),
        {
            "institution": institution_a.pk,
            "kind": "patrol",
            "inspected_on": timezone.localdate().isoformat(),
            "inspectors": [inspector.pk],
        },
        format="json",
    )
    assert created.status_code == 201, created.data
    pk = created.data["id"]
    rows = created.data["results"]
    answers = [{"id": row["id"], "result": "pass"} for row in rows]
    answers[0] = {"id": rows[0]["id"], "result": "fail", "note": "通道堆放杂物"}
    saved = api.post(
        reverse("v1:inspection-results", args=[pk]), {"results": answers}, format="json"
    )
    assert saved.status_code == 200
    done = api.post(reverse("v1:inspection-complete", args=[pk]), {}, format="json")
    assert done.status_code == 200, done.data
    assert done.data["state"] == "completed"
    assert done.data["outcome"] == "rectify"
    assert Finding.objects.filter(inspection_id=pk).count() == 1


def test_spot_check_with_one_inspector_is_a_400_with_a_code(institution_a, api_as, inspector):
    response = api_as(inspector).post(
        reverse("v1:inspection-list"),
        {
            "institution": institution_a.pk,
            "kind": "spot_check",
            "inspected_on": timezone.localdate().isoformat(),
            "inspectors": [inspector.pk],
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.data["errors"]["inspectors"][0].code == "spot_check_two_inspectors"


def test_operators_and_read_only_roles_cannot_write_inspections(
    institution_a, at_a, api_as, operator_a, auditor, education
):
    body = {
        "institution": institution_a.pk,
        "kind": "patrol",
        "inspected_on": timezone.localdate().isoformat(),
        "inspectors": [operator_a.pk],
    }
    for user in (operator_a, auditor, education):
        api = api_as(user)
        assert api.post(reverse("v1:inspection-list"), body, format="json").status_code == 403
        assert api.post(reverse("v1:inspection-complete", args=[at_a.pk]), {}).status_code == 403
        assert api.get(reverse("v1:inspection-list")).status_code == 200


def test_operator_answers_with_evidence_and_cannot_close(
    at_a, at_b, api_as, operator_a, inspector, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    finding = at_a.findings.get()
    api = api_as(operator_a)
    answered = api.post(
        reverse("v1:finding-rectify", args=[finding.pk]),
        {"action_taken": "已清理通道", "evidence": [png_upload(), pdf_upload()]},
        format="multipart",
    )
    assert answered.status_code == 201, answered.data
    assert answered.data["state"] == "submitted"
    [rectification] = answered.data["rectifications"]
    assert len(rectification["evidence"]) == 2
    assert api.get(rectification["evidence"][0]["url"]).status_code == 200
    closing = api.post(
        reverse("v1:finding-review", args=[finding.pk]), {"accept": True}, format="json"
    )
    assert closing.status_code == 403
    other = at_b.findings.get()
    assert (
        api.post(
            reverse("v1:finding-rectify", args=[other.pk]),
            {"action_taken": "x"},
            format="multipart",
        ).status_code
        == 404
    )
    closed = api_as(inspector).post(
        reverse("v1:finding-review", args=[finding.pk]), {"accept": True}, format="json"
    )
    assert closed.status_code == 200
    assert closed.data["state"] == "closed"
    assert closed.data["closed_on_time"] is True


def test_an_operator_who_is_also_an_inspector_cannot_close_their_own(
    at_a, api_as, operator_a, inspector2, institution_a
):
    institution_a.operators.add(inspector2)
    finding = at_a.findings.get()
    api_as(operator_a).post(
        reverse("v1:finding-rectify", args=[finding.pk]), {"action_taken": "x"}, format="multipart"
    )
    response = api_as(inspector2).post(
        reverse("v1:finding-review", args=[finding.pk]), {"accept": True}, format="json"
    )
    assert response.status_code == 403
    assert Finding.objects.get(pk=finding.pk).state == Finding.State.SUBMITTED


def test_inspector_moves_a_deadline_and_sends_back(at_a, api_as, inspector, operator_a):
    finding = at_a.findings.get()
    later = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    moved = api_as(inspector).patch(
        reverse("v1:finding-detail", args=[finding.pk]), {"deadline": later}, format="json"
    )
    assert moved.status_code == 200
    assert moved.data["deadline"] == later
    api_as(operator_a).post(
        reverse("v1:finding-rectify", args=[finding.pk]), {"action_taken": "x"}, format="multipart"
    )
    refused = api_as(inspector).post(
        reverse("v1:finding-review", args=[finding.pk]), {"accept": False}, format="json"
    )
    assert refused.status_code == 400
    back = api_as(inspector).post(
        reverse("v1:finding-review", args=[finding.pk]),
        {"accept": False, "note": "照片不清楚"},
        format="json",
    )
    assert back.data["state"] == "returned"


def test_overdue_filter(at_a, api_as, inspector):
    finding = at_a.findings.get()
    Finding.objects.filter(pk=finding.pk).update(
        found_on=dt.date(2025, 1, 1), deadline=dt.date(2025, 1, 8)
    )
    api = api_as(inspector)
    overdue = api.get(reverse("v1:finding-list"), {"overdue": "true"})
    assert [row["id"] for row in overdue.data["results"]] == [finding.pk]
    assert overdue.data["results"][0]["is_overdue"] is True
    assert api.get(reverse("v1:finding-list"), {"overdue": "false"}).data["results"] == []


def test_draws_are_for_bureau_inspectors_and_auditors(
    institution_a, api_as, bureau, inspector, inspector2, auditor, operator_a
):
    created = api_as(bureau).post(
        reverse("v1:draw-list"),
        {"title": "抽查", "drawn_on": "2025-06-01", "sample_size": 1, "seed": 99},
        format="json",
    )
    assert created.status_code == 201, created.data
    assert created.data["seed"] == 99
    assert len(created.data["assignments"]) == 1
    pk = created.data["id"]
    assert api_as(inspector).post(reverse("v1:draw-publish", args=[pk])).status_code == 403
    assert api_as(bureau).post(reverse("v1:draw-publish", args=[pk])).status_code == 200
    assert api_as(auditor).get(reverse("v1:draw-list")).status_code == 200
    assert api_as(operator_a).get(reverse("v1:draw-list")).status_code == 403


def test_coverage_endpoint(at_a, api_as, bureau, operator_a):
    month = at_a.inspected_on.strftime("%Y-%m")
    response = api_as(bureau).get(reverse("v1:inspection-coverage"), {"month": month})
    assert response.status_code == 200
    row = next(r for r in response.data if r["township"] == at_a.institution.township_id)
    assert row["patrol_done"] >= 1
    assert api_as(operator_a).get(reverse("v1:inspection-coverage")).status_code == 403


def test_staff_credit_records_are_the_bureaus(api_as, bureau, operator_a, inspector):
    import random

    number = make_resident_id(random.Random(5), born=dt.date(1988, 8, 8))
    body = {"name": "赵某", "id_number": number, "reason": "虐待儿童", "recorded_on": "2025-01-02"}
    for user in (operator_a, inspector):
        assert (
            api_as(user)
            .post(reverse("v1:staff-credit-record-list"), body, format="json")
            .status_code
            == 403
        )
        assert api_as(user).get(reverse("v1:staff-credit-record-list")).status_code == 403
    created = api_as(bureau).post(reverse("v1:staff-credit-record-list"), body, format="json")
    assert created.status_code == 201
    assert created.data["id_number"] != number and "*" in created.data["id_number"]
    found = api_as(bureau).get(reverse("v1:staff-credit-record-list"), {"id_number": number})
    assert [row["id"] for row in found.data["results"]] == [StaffCreditRecord.objects.get().pk]


@pytest.mark.parametrize("count", [100, 1000])
def test_list_endpoints_run_a_bounded_number_of_queries(
    count, api_as, bureau, inspector, django_assert_max_num_queries
):
    institutions = make_registry(count)
    bulk_inspections(institutions, inspector=inspector, inspected_on=dt.date(2025, 4, 1))
    api = api_as(bureau)
    for name in ("v1:inspection-list", "v1:finding-list", "v1:incident-list", "v1:draw-list"):
        with django_assert_max_num_queries(8):
            response = api.get(reverse(name), {"page_size": 200})
        assert response.status_code == 200
    assert response.data["count"] == 0  # draws
    assert Inspection.objects.count() == count
