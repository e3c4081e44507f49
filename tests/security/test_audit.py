"""Audit: every model of the portal keeps history (or says why not), and writes through the
services record who made them and when."""

import datetime as dt

import pytest
from django.apps import apps
from django.utils import timezone

from portal.roles import PORTAL_APPS
from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db


def test_every_portal_model_has_history_or_a_stated_exemption():
    walked, exempt = 0, []
    for model in apps.get_models():
        meta = model._meta
        if meta.app_label not in PORTAL_APPS or meta.auto_created:
            continue
        if meta.object_name.startswith("Historical"):
            continue
        walked += 1
        if getattr(model, "history_exempt", False):
            reason = getattr(model, "history_exempt_reason", "") or model.__doc__ or ""
            assert reason.strip(), f"{meta.label} is exempt from history without a reason"
            exempt.append(meta.label)
            continue
        assert hasattr(model, "history"), f"{meta.label} has no audit history"
        history = model.history.model
        for name in ("history_user", "history_date", "history_type"):
            assert history._meta.get_field(name), (meta.label, name)
    assert walked >= 40, walked


def test_service_writes_record_the_user_and_time(bureau, operator_a, institution_a, inspector):
    from inspections import services as inspections
    from inspections.models import ConflictOfInterest
    from institutions import services as registry

    started = timezone.now()
    staff = registry.staff_hire(
        institution=institution_a,
        actor=operator_a,
        name="张三",
        id_number="11010519491231002X",
        role="caregiver",
        hired_on=dt.date(2025, 1, 2),
    )
    registry.staff_update(staff=staff, actor=bureau, name="张三丰")
    conflict = inspections.conflict_save(
        conflict=ConflictOfInterest(
            inspector=inspector,
            institution=InstitutionFactory(),
            reason="亲属",
            valid_from=dt.date(2025, 1, 1),
        ),
        actor=bureau,
    )

    rows = list(staff.history.order_by("history_date"))
    assert [r.history_type for r in rows] == ["+", "~"]
    assert [r.history_user for r in rows] == [operator_a, bureau]
    assert all(r.history_date >= started for r in rows)
    assert conflict.history.get().history_user == bureau
