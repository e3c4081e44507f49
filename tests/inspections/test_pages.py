"""Signed-in pages: operators see only their own inspections and cannot close their findings;
the phone form works without JavaScript and saves drafts sent by its script."""

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from inspections.models import Finding, Inspection, InspectionPhoto
from tests.bulk import make_registry

from .factories import bulk_inspections, make_inspection, pdf_upload, png_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def at_a(institution_a, inspector):
    return make_inspection(institution=institution_a, inspectors=[inspector], fail=(0,))


@pytest.fixture
def at_b(institution_b, inspector):
    return make_inspection(institution=institution_b, inspectors=[inspector], fail=(0,))


@pytest.fixture
def draft(institution_a, inspector):
    """Today's patrol, nothing answered yet."""
    from inspections import services

    return services.inspection_create(
        institution=institution_a,
        kind="patrol",
        inspected_on=timezone.localdate(),
        inspectors=[inspector],
        actor=inspector,
    )


def test_operator_lists_only_their_own(at_a, at_b, client_as, operator_a):
    response = client_as(operator_a).get(reverse("inspections:inspection_list"))
    assert [i.pk for i in response.context["page"].object_list] == [at_a.pk]
    findings = client_as(operator_a).get(reverse("inspections:finding_list"))
    assert {f.inspection_id for f in findings.context["page"].object_list} == {at_a.pk}


def test_another_institutions_records_are_404(at_b, client_as, operator_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_as(operator_a)
    finding = at_b.findings.get()
    for url in (
        reverse("inspections:inspection_detail", args=[at_b.pk]),
        reverse("inspections:inspection_form", args=[at_b.pk]),
        reverse("inspections:finding_detail", args=[finding.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(
            reverse("inspections:inspection_draft", args=[at_b.pk]),
            "{}",
            content_type="application/json",
        ).status_code
        == 404
    )


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("inspections:inspection_list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("institutions:login"))


def test_phone_form_groups_items_by_area(draft, client_as, inspector):
    response = client_as(inspector).get(reverse("inspections:inspection_form", args=[draft.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert [g.label for g in response.context["groups"]][:2] == ["消防安全", "食品安全"]
    assert 'src="/static/js/inspection_form.js"' in html
    assert "<script>" not in html  # no inline script
    assert 'capture="environment"' in html


def test_phone_form_saves_and_completes_without_javascript(
    draft, client_as, inspector, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    rows = list(draft.results.order_by("order", "pk"))
    data = {f"result-{row.pk}": "pass" for row in rows}
    data[f"result-{rows[1].pk}"] = "fail"
    data[f"note-{rows[1].pk}"] = "灭火器过期"
    data[f"photo-{rows[1].pk}"] = png_upload()
    data["action"] = "save"
    url = reverse("inspections:inspection_form", args=[draft.pk])
    client = client_as(inspector)
    assert client.post(url, data).status_code == 302
    rows[1].refresh_from_db()
    assert (rows[1].result, rows[1].note) == ("fail", "灭火器过期")
    photo = InspectionPhoto.objects.get(result=rows[1])
    assert client.get(reverse("inspections:photo_file", args=[photo.pk])).status_code == 200
    data.pop(f"photo-{rows[1].pk}")
    data["action"] = "complete"
    response = client.post(url, data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == Inspection.State.COMPLETED
    assert draft.findings.get().title == rows[1].text


def test_complete_with_missing_answers_shows_the_form_again(draft, client_as, inspector):
    url = reverse("inspections:inspection_form", args=[draft.pk])
    response = client_as(inspector).post(url, {"action": "complete"})
    assert response.status_code == 400
    assert "未填写" in " ".join(response.context["errors"])


def test_draft_endpoint_saves_each_change(draft, client_as, inspector):
    row = draft.results.order_by("order").first()
    response = client_as(inspector).post(
        reverse("inspections:inspection_draft", args=[draft.pk]),
        json.dumps({"results": {str(row.pk): {"result": "fail", "note": "记录缺失"}}}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["answered"] == 1
    assert response.json()["failed"] == 1
    row.refresh_from_db()
    assert (row.result, row.note) == ("fail", "记录缺失")


def test_draft_endpoint_refuses_others(draft, client_as, inspector2, operator_a):
    row = draft.results.first()
    body = json.dumps({"results": {str(row.pk): {"result": "pass"}}})
    url = reverse("inspections:inspection_draft", args=[draft.pk])
    for user in (inspector2, operator_a):
        response = client_as(user).post(url, body, content_type="application/json")
        assert response.status_code == 403
    assert (
        client_as(inspector2).post(url, "not json", content_type="application/json").status_code
        == 400
    )


def test_operator_answers_with_evidence_and_cannot_close(
    at_a, client_as, operator_a, inspector, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    finding = at_a.findings.get()
    url = reverse("inspections:finding_detail", args=[finding.pk])
    client = client_as(operator_a)
    page = client.get(url)
    assert page.context["answer_form"] is not None
    assert page.context["review_form"] is None
    response = client.post(
        url,
        {"action": "answer", "action_taken": "已更换", "evidence": [png_upload(), pdf_upload()]},
    )
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.state == Finding.State.SUBMITTED
    assert client.post(url, {"action": "review", "decision": "accept"}).status_code == 403
    finding.refresh_from_db()
    assert finding.state == Finding.State.SUBMITTED
    evidence = finding.rectifications.get().evidence.first()
    assert client.get(reverse("inspections:evidence_file", args=[evidence.pk])).status_code == 200
    review = client_as(inspector).post(url, {"action": "review", "decision": "accept"})
    assert review.status_code == 302
    finding.refresh_from_db()
    assert finding.state == Finding.State.CLOSED


def test_evidence_is_not_served_to_another_operator(
    at_a, client_as, operator_a, operator_b, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    finding = at_a.findings.get()
    client_as(operator_a).post(
        reverse("inspections:finding_detail", args=[finding.pk]),
        {"action": "answer", "action_taken": "已更换", "evidence": [png_upload()]},
    )
    evidence = finding.rectifications.get().evidence.get()
    url = reverse("inspections:evidence_file", args=[evidence.pk])
    assert client_as(operator_b).get(url).status_code == 404
    assert (
        client_as(operator_b)
        .get(reverse("v1:rectification-evidence-file", args=[evidence.pk]))
        .status_code
        == 404
    )


def test_read_only_roles_cannot_write(draft, client_as, auditor, education):
    for user in (auditor, education):
        client = client_as(user)
        assert client.get(reverse("inspections:inspection_new")).status_code == 403
        assert (
            client.get(reverse("inspections:inspection_form", args=[draft.pk])).status_code == 403
        )
        assert client.get(reverse("inspections:inspection_list")).status_code == 200


def test_inspection_new_page(institution_a, client_as, inspector):
    response = client_as(inspector).post(
        reverse("inspections:inspection_new"),
        {
            "institution": institution_a.pk,
            "kind": "patrol",
            "inspected_on": timezone.localdate().isoformat(),
            "inspectors": [inspector.pk],
        },
    )
    inspection = Inspection.objects.get()
    assert response.url == reverse("inspections:inspection_form", args=[inspection.pk])


@pytest.mark.parametrize("count", [100, 1000])
def test_lists_run_a_bounded_number_of_queries(
    count, client_as, bureau, inspector, django_assert_max_num_queries
):
    institutions = make_registry(count)
    bulk_inspections(institutions, inspector=inspector, inspected_on=dt.date(2025, 4, 1))
    client = client_as(bureau)
    for name in ("inspection_list", "finding_list"):
        with django_assert_max_num_queries(9):
            response = client.get(reverse(f"inspections:{name}"))
        assert response.status_code == 200
        assert response.context["page"].paginator.count == count


def test_findings_open_on_the_unclosed_ones_overdue_first_and_the_filter_tells_states_apart(
    at_a, client_as, operator_a
):
    """未销号 (every state before closing) and 待整改 (the state open) are two choices; the list
    opens on 未销号 with the overdue findings on top."""
    today = timezone.localdate()
    first = at_a.findings.get()
    same = {"area": first.area, "severity": first.severity}
    closed = Finding.objects.create(
        inspection=at_a,
        title="已销号的问题",
        **same,
        deadline=today - dt.timedelta(days=30),
        state=Finding.State.CLOSED,
        closed_on=today,
        found_on=today - dt.timedelta(days=40),
    )
    Finding.objects.filter(pk=first.pk).update(deadline=today + dt.timedelta(days=5))
    overdue = Finding.objects.create(
        inspection=at_a,
        title="逾期的问题",
        **same,
        deadline=today - dt.timedelta(days=1),
        state=Finding.State.SUBMITTED,
        found_on=today - dt.timedelta(days=10),
    )
    client = client_as(operator_a)
    url = reverse("inspections:finding_list")
    listed = [f.pk for f in client.get(url).context["page"].object_list]
    assert listed == [overdue.pk, first.pk]  # not the closed one; the overdue one first
    html = client.get(url).content.decode()
    assert html.count('value="open"') == 1 and 'value="unclosed" selected' in html
    assert [f.pk for f in client.get(url, {"state": "open"}).context["page"].object_list] == [
        first.pk
    ]
    every = [f.pk for f in client.get(url, {"state": "all"}).context["page"].object_list]
    assert set(every) == {first.pk, overdue.pk, closed.pk}


def test_the_rest_all_pass_marks_only_what_is_unanswered(draft, client_as, inspector, operator_a):
    """其余全部合格: the answers sent with it are saved first, every item still unanswered becomes
    pass, and an item answered fail stays fail."""
    rows = list(draft.results.order_by("order", "pk"))
    url = reverse("inspections:inspection_form", args=[draft.pk])
    data = {f"result-{rows[0].pk}": "fail", f"note-{rows[0].pk}": "安全出口堵塞"}
    data[f"result-{rows[1].pk}"] = "na"
    data["action"] = "pass_rest"
    assert client_as(operator_a).post(url, data).status_code in (403, 404)
    assert not draft.results.exclude(result="").exists()
    response = client_as(inspector).post(url, data, follow=True)
    assert f"将其余 {len(rows) - 2} 项" in response.content.decode()
    results = dict(draft.results.values_list("pk", "result"))
    assert results[rows[0].pk] == "fail" and results[rows[1].pk] == "na"
    assert all(results[row.pk] == "pass" for row in rows[2:])
    assert "其余全部合格" not in response.content.decode()  # nothing left unanswered
    draft.refresh_from_db()
    assert draft.state == Inspection.State.DRAFT  # still a draft: the inspector completes it
