"""The vouchers admin: every model for bureau staff, writes through the services, the ledger
untouchable, personal fields masked, vouchers found by code."""

import datetime as dt

import pytest
import time_machine
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from vouchers import codes, services
from vouchers.models import (
    Child,
    Enrolment,
    Guardian,
    LedgerEntry,
    Redemption,
    Settlement,
    Voucher,
    VoucherApplication,
    VoucherBatch,
    VoucherMonth,
)

from .conftest import MARCH, make_child
from .helpers import TODAY, redeem

pytestmark = pytest.mark.django_db

MODELS = [
    Guardian,
    Child,
    VoucherBatch,
    VoucherApplication,
    Voucher,
    LedgerEntry,
    VoucherMonth,
    Enrolment,
    Redemption,
    Settlement,
]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def filled(voucher, inclusive_a, operator_a):
    redeem(voucher, inclusive_a, actor=operator_a)
    services.settlement_prepare(institution=inclusive_a, month=MARCH)
    return voucher


def admin_url(model, view="changelist", *args):
    return reverse(f"admin:vouchers_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("persona", ["bureau", "bureau_admin", "auditor"])
def test_every_voucher_model_is_listed_for_bureau_staff_and_auditors(
    client_as, request, persona, model, filled
):
    client = client_as(request.getfixturevalue(persona))
    assert client.get(admin_url(model)).status_code == 200
    obj = model.objects.first()
    assert client.get(admin_url(model, "change", obj.pk)).status_code == 200


@pytest.mark.parametrize("persona", ["bureau", "bureau_admin"])
def test_ledger_entries_cannot_be_added_changed_or_deleted(client_as, request, persona, filled):
    client = client_as(request.getfixturevalue(persona))
    entry = LedgerEntry.objects.first()
    assert client.get(admin_url(LedgerEntry, "add")).status_code == 403
    assert (
        client.post(admin_url(LedgerEntry, "change", entry.pk), {"amount": "1"}).status_code == 403
    )
    assert client.get(admin_url(LedgerEntry, "delete", entry.pk)).status_code == 403
    response = client.post(
        admin_url(LedgerEntry),
        {"action": "delete_selected", ACTION_CHECKBOX_NAME: [entry.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302)
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()
    from django.contrib import admin

    model_admin = admin.site._registry[LedgerEntry]
    user = request.getfixturevalue(persona)
    fake = type("Request", (), {"user": user})()
    assert not model_admin.has_add_permission(fake)
    assert not model_admin.has_change_permission(fake, entry)
    assert not model_admin.has_delete_permission(fake, entry)


@pytest.mark.parametrize("model", [Voucher, Redemption, Enrolment, Settlement, Guardian, Child])
def test_money_and_families_are_read_only_in_the_admin(client_as, bureau_admin, filled, model):
    obj = model.objects.first()
    client = client_as(bureau_admin)
    assert client.get(admin_url(model, "add")).status_code == 403
    assert client.post(admin_url(model, "change", obj.pk), {}).status_code == 403
    assert client.get(admin_url(model, "delete", obj.pk)).status_code == 403


def test_personal_fields_are_masked_in_the_lists(client_as, bureau, filled):
    child = filled.child
    guardian = child.guardian
    client = client_as(bureau)
    pages = [
        client.get(admin_url(model)).content.decode()
        for model in (Guardian, Child, VoucherApplication, Voucher, Enrolment, Redemption)
    ]
    html = "".join(pages)
    for secret in (
        child.id_number.reveal(),
        guardian.id_number.reveal(),
        guardian.phone.reveal(),
        child.name.reveal(),
        guardian.name.reveal(),
    ):
        assert secret not in html
    assert "王**" in html and str(child.id_number) in html


def test_a_full_id_number_finds_the_child_by_its_keyed_hash(client_as, bureau, filled, batch):
    make_child(6)
    number = filled.child.id_number.reveal()
    response = client_as(bureau).get(admin_url(Child), {"q": number})
    assert list(response.context["cl"].queryset) == [filled.child]
    applications = client_as(bureau).get(admin_url(VoucherApplication), {"q": number})
    assert list(applications.context["cl"].queryset) == [filled.application]


@pytest.mark.parametrize("typed", ["display", "lower", "plain"])
def test_vouchers_are_found_by_code(client_as, bureau, filled, batch, typed):
    other = services.application_approve(
        application=services.application_create(
            batch=batch, child=make_child(5), source="bureau", applied_on=dt.date(2025, 3, 1)
        ),
        actor=bureau,
    )
    code = {
        "display": codes.display(filled.code),
        "lower": codes.display(filled.code).lower(),
        "plain": filled.code,
    }[typed]
    response = client_as(bureau).get(admin_url(Voucher), {"q": code})
    listed = list(response.context["cl"].queryset)
    assert listed == [filled] and other not in listed


def test_approve_action_issues_vouchers_through_the_service(client_as, bureau, batch):
    applications = [
        services.application_create(
            batch=batch, child=make_child(n), source="bureau", applied_on=dt.date(2025, 3, 1)
        )
        for n in (1, 2)
    ]
    response = client_as(bureau).post(
        admin_url(VoucherApplication),
        {"action": "approve_selected", ACTION_CHECKBOX_NAME: [a.pk for a in applications]},
    )
    assert response.status_code == 302
    assert Voucher.objects.count() == 2
    assert LedgerEntry.objects.filter(kind="issue").count() == 2
    assert set(VoucherApplication.objects.values_list("decided_by", flat=True)) == {bureau.pk}
    batch.refresh_from_db()
    assert batch.issued_count == 2


def test_reject_action_asks_for_a_reason(client_as, bureau, batch):
    application = services.application_create(
        batch=batch, child=make_child(3), source="bureau", applied_on=dt.date(2025, 3, 1)
    )
    client = client_as(bureau)
    form = client.post(
        admin_url(VoucherApplication),
        {"action": "reject_selected", ACTION_CHECKBOX_NAME: [application.pk]},
    )
    assert form.status_code == 200 and "不通过原因" in form.content.decode()
    application.refresh_from_db()
    assert application.state == "pending"
    done = client.post(
        admin_url(VoucherApplication),
        {
            "action": "reject_selected",
            ACTION_CHECKBOX_NAME: [application.pk],
            "apply": "1",
            "reason": "户籍材料不符",
        },
    )
    assert done.status_code == 302
    application.refresh_from_db()
    assert (application.state, application.reject_reason) == ("rejected", "户籍材料不符")


def test_auditors_have_no_decision_actions(client_as, auditor, batch):
    application = services.application_create(
        batch=batch, child=make_child(4), source="bureau", applied_on=dt.date(2025, 3, 1)
    )
    client = client_as(auditor)
    page = client.get(admin_url(VoucherApplication))
    assert "approve_selected" not in page.content.decode()
    client.post(
        admin_url(VoucherApplication),
        {"action": "approve_selected", ACTION_CHECKBOX_NAME: [application.pk]},
    )
    application.refresh_from_db()
    assert application.state == "pending" and not Voucher.objects.exists()


def batch_form(**overrides) -> dict:
    data = {
        "name": "2025年第二批托育券",
        "face_value": "2000.00",
        "monthly_cap": "300.00",
        "quantity_cap": "50",
        "apply_from": "2025-06-01",
        "apply_until": "2025-06-30",
        "valid_from": "2025-07-01",
        "valid_until": "2026-06-30",
        "min_age_months": "0",
        "max_age_months": "35",
        "residence_rule": "hukou_or_permit",
        "inclusive_only": "on",
    }
    data.update(overrides)
    return data


def test_batches_are_created_and_edited_through_the_service(client_as, bureau, batch, child):
    client = client_as(bureau)
    assert client.post(admin_url(VoucherBatch, "add"), batch_form()).status_code == 302
    created = VoucherBatch.objects.get(name="2025年第二批托育券")
    assert created.history.first().history_user == bureau
    # An approval lands while the edit form is open: the edit must not overwrite the count.
    services.application_approve(
        application=services.application_create(
            batch=batch, child=child, source="bureau", applied_on=dt.date(2025, 3, 1)
        ),
        actor=bureau,
    )
    edit = batch_form(
        name=batch.name,
        quantity_cap="80",
        apply_from="2025-02-01",
        apply_until="2025-03-31",
        valid_from="2025-03-01",
        valid_until="2026-02-28",
    )
    assert client.post(admin_url(VoucherBatch, "change", batch.pk), edit).status_code == 302
    batch.refresh_from_db()
    assert (batch.quantity_cap, batch.issued_count) == (80, 1)


def test_a_cap_below_what_was_issued_is_refused(client_as, bureau, voucher, batch):
    edit = batch_form(
        name=batch.name,
        quantity_cap="0",
        apply_from="2025-02-01",
        apply_until="2025-03-31",
        valid_from="2025-03-01",
        valid_until="2026-02-28",
    )
    response = client_as(bureau).post(
        admin_url(VoucherBatch, "change", batch.pk), edit, follow=True
    )
    assert response.status_code == 200
    batch.refresh_from_db()
    assert (batch.quantity_cap, batch.issued_count) == (100, 1)
