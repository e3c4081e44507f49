"""The bureau's admin: checklists are edited there (by bureau staff), the rest is read with its
history; every inspection model keeps its audit history."""

import pytest
from django.apps import apps
from django.urls import reverse

from inspections.models import ChecklistItem, ChecklistTemplate

from .factories import make_inspection

pytestmark = pytest.mark.django_db


def _inline_data(template, prefix="items"):
    items = list(template.items.order_by("order", "pk"))
    data = {
        "kind": template.kind,
        "name": template.name,
        "basis": template.basis,
        "is_active": "on",
        f"{prefix}-TOTAL_FORMS": str(len(items) + 1),
        f"{prefix}-INITIAL_FORMS": str(len(items)),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, item in enumerate(items):
        data.update(
            {
                f"{prefix}-{index}-id": str(item.pk),
                f"{prefix}-{index}-template": str(template.pk),
                f"{prefix}-{index}-order": str(item.order),
                f"{prefix}-{index}-area": item.area,
                f"{prefix}-{index}-text": item.text,
                f"{prefix}-{index}-weight": str(item.weight),
                f"{prefix}-{index}-severity": item.severity,
                f"{prefix}-{index}-guidance": item.guidance,
            }
        )
    new = len(items)
    data.update(
        {
            f"{prefix}-{new}-template": str(template.pk),
            f"{prefix}-{new}-order": "999",
            f"{prefix}-{new}-area": "records",
            f"{prefix}-{new}-text": "新增：消毒记录每日签字",
            f"{prefix}-{new}-weight": "2",
            f"{prefix}-{new}-severity": "low",
            f"{prefix}-{new}-guidance": "",
        }
    )
    return data


def test_bureau_staff_edit_a_checklist(client_as, bureau):
    template = ChecklistTemplate.objects.get(kind="patrol", is_active=True)
    url = reverse("admin:inspections_checklisttemplate_change", args=[template.pk])
    client = client_as(bureau)
    assert client.get(url).status_code == 200
    response = client.post(url, _inline_data(template))
    assert response.status_code == 302, response.context["errors"] if response.context else None
    item = ChecklistItem.objects.get(template=template, text="新增：消毒记录每日签字")
    assert item.history.first().history_user == bureau


def test_inspectors_read_checklists_but_do_not_edit(client_as, inspector):
    template = ChecklistTemplate.objects.get(kind="patrol", is_active=True)
    client = client_as(inspector)
    url = reverse("admin:inspections_checklisttemplate_change", args=[template.pk])
    assert client.get(url).status_code == 200
    client.post(url, _inline_data(template))
    assert not ChecklistItem.objects.filter(text="新增：消毒记录每日签字").exists()


def test_inspections_are_read_in_the_admin(client_as, bureau, institution_a, inspector):
    inspection = make_inspection(institution=institution_a, inspectors=[inspector], fail=(0,))
    client = client_as(bureau)
    assert client.get(reverse("admin:inspections_inspection_changelist")).status_code == 200
    page = client.get(reverse("admin:inspections_inspection_change", args=[inspection.pk]))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    history = client.get(reverse("admin:inspections_inspection_history", args=[inspection.pk]))
    assert history.status_code == 200


def test_credit_records_are_hidden_from_inspectors(client_as, inspector, bureau):
    url = reverse("admin:inspections_staffcreditrecord_changelist")
    assert client_as(inspector).get(url).status_code == 403
    assert client_as(bureau).get(url).status_code == 200


def test_every_model_keeps_history_and_says_how_it_reaches_an_institution():
    for model in apps.get_app_config("inspections").get_models():
        if model.__name__.startswith("Historical") or model._meta.auto_created:
            continue
        assert hasattr(model, "history"), model
        assert hasattr(model, "institution_path"), model


def test_a_findings_version_page_does_not_list_every_inspection_result(
    client_as, bureau, institution_a, inspector
):
    """The history's "view this version" page renders the admin form: related records are shown
    by number, not as a <select> of every inspection result in the city (which took ~45 s with
    the demo's 11,830 results)."""
    from inspections.models import Finding, InspectionResult

    for _ in range(3):
        make_inspection(institution=institution_a, inspectors=[inspector], fail=(0,))
    finding = Finding.objects.order_by("pk").first()
    version = finding.history.order_by("history_id").first()
    url = reverse("admin:inspections_finding_simple_history", args=[finding.pk, version.history_id])

    html = client_as(bureau).get(url).content.decode()

    assert InspectionResult.objects.count() > 30
    assert f'name="result" value="{finding.result_id}"' in html
    assert '<select name="result"' not in html and '<select name="inspection"' not in html
