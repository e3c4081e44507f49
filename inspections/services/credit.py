"""Staff credit records and the warning when a recorded person is registered again."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from institutions.models import StaffMember

from .. import notify
from ..models import (
    Finding,
    StaffCreditAlert,
    StaffCreditRecord,
)
from ..selectors import (
    credit_records_for,
)
from .common import (
    _require_bureau,
    _save,
)


@transaction.atomic
def staff_credit_record_save(*, record: StaffCreditRecord, actor) -> StaffCreditRecord:
    """Record (or correct) a disqualifying finding against a person (bureau staff)."""
    _require_bureau(actor)
    if record.pk is None:
        record.recorded_by = actor
    record.name = (record.name or "").strip()
    record.reason = (record.reason or "").strip()
    return _save(record, actor=actor, reason="recorded" if record.pk is None else "updated")


def staff_credit_record_create(
    *,
    actor,
    name: str,
    id_number: str,
    reason: str,
    recorded_on: dt.date,
    valid_until: dt.date | None = None,
    staff: StaffMember | None = None,
    finding: Finding | None = None,
) -> StaffCreditRecord:
    return staff_credit_record_save(
        record=StaffCreditRecord(
            name=name,
            id_number=id_number,
            reason=reason,
            recorded_on=recorded_on,
            valid_until=valid_until,
            staff=staff,
            finding=finding,
        ),
        actor=actor,
    )


def staff_hire_check(*, staff: StaffMember, actor=None) -> list[StaffCreditRecord]:
    """Warn the institution's operators and the bureau when a newly registered staff member has
    a credit record in force; returns those records (empty when none).

    The registry's `staff_hire` calls this after saving (see the report of the inspections
    issue). Each (record, staff) pair warns once: the alert row is claimed before the mail.
    """
    if not staff.pk or not staff.id_number_hash:
        return []
    records = list(credit_records_for(staff.id_number_hash))
    for record in records:
        try:
            with transaction.atomic():
                alert = StaffCreditAlert.objects.create(record=record, staff=staff)
        except IntegrityError:
            continue  # warned before for this registration
        alert_id = alert.pk
        transaction.on_commit(lambda alert_id=alert_id: notify.staff_credit_alert(alert_id))
    return records
