"""Every write to the registry. The admin, the operator pages, the API and the import call these.

Each function validates with the model's own rules (full_clean: field validators, clean(), and
the database constraints, exclusion constraints included), saves inside a transaction and records
who made the change in the audit history.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from portal.hooks import Hook
from portal.personal_data import keyed_hash

from .models import (
    ApprovedPlaces,
    CareContract,
    Certificate,
    Community,
    FeeStandard,
    InclusiveRecognition,
    Institution,
    InstructorAssignment,
    StaffMember,
    StarRating,
)

# Called by staff_save once a new staff member is saved, inside its transaction, with staff= and
# actor=. Inspections registers its staff credit check (someone with a disqualifying finding on
# record warns the operator and the bureau): InspectionsConfig.ready.
staff_hired = Hook("institutions.staff_hired", "A new staff member was saved (staff, actor).")

REGISTRY_RECORD_MODELS: tuple[type[models.Model], ...] = (
    Community,
    Institution,
    ApprovedPlaces,
    FeeStandard,
    StarRating,
    InstructorAssignment,
    InclusiveRecognition,
    CareContract,
    StaffMember,
    Certificate,
)


def _save(instance: models.Model, *, actor, exclude: list[str] | None = None):
    instance.full_clean(exclude=exclude)
    if actor is not None and getattr(actor, "is_authenticated", False):
        instance._history_user = actor
    instance.save()
    return instance


def _apply(instance: models.Model, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        setattr(instance, name, value)


@transaction.atomic
def registry_record_save(*, record: models.Model, actor=None) -> models.Model:
    """Create or update one registry record (institution, community, or a dated fact).

    The single entry point for records without rules beyond their model's: dated facts are
    checked by their constraints (one per day, periods that do not overlap, valid bounds).
    """
    if not isinstance(record, REGISTRY_RECORD_MODELS):
        raise TypeError(f"{type(record).__name__} is not a registry record")
    if isinstance(record, StaffMember):
        return staff_save(staff=record, actor=actor)
    return _save(record, actor=actor)


@transaction.atomic
def institution_create(*, actor=None, **fields) -> Institution:
    operators = fields.pop("operators", None)
    institution = _save(Institution(**fields), actor=actor)
    if operators is not None:
        institution.operators.set(operators)
    return institution


@transaction.atomic
def institution_update(*, institution: Institution, actor=None, **fields) -> Institution:
    operators = fields.pop("operators", None)
    _apply(institution, fields)
    _save(institution, actor=actor)
    if operators is not None:
        institution.operators.set(operators)
    return institution


def _check_not_employed_twice(staff: StaffMember) -> None:
    """Same rule as the exclusion constraint, in code, for a readable message on any database."""
    if not staff.id_number:
        return
    number = staff.id_number.reveal() if hasattr(staff.id_number, "reveal") else staff.id_number
    others = StaffMember.objects.filter(
        institution_id=staff.institution_id, id_number_hash=keyed_hash(number)
    ).exclude(pk=staff.pk)
    end = staff.left_on or dt.date.max
    overlapping = others.filter(hired_on__lt=end).filter(
        models.Q(left_on__isnull=True) | models.Q(left_on__gt=staff.hired_on)
    )
    if overlapping.exists():
        raise ValidationError(
            {
                "id_number": ValidationError(
                    _("此人在该机构的任职期间与已有记录重叠。"), code="staff_overlap"
                )
            }
        )


@transaction.atomic
def staff_save(*, staff: StaffMember, actor=None) -> StaffMember:
    """Hire or update a staff member. The same person cannot be employed twice at once."""
    staff.full_clean(validate_constraints=False)
    _check_not_employed_twice(staff)
    staff.validate_constraints()
    if actor is not None and getattr(actor, "is_authenticated", False):
        staff._history_user = actor
    is_new = staff.pk is None
    staff.save()
    if is_new:
        staff_hired(staff=staff, actor=actor)
    return staff


@transaction.atomic
def staff_hire(*, institution: Institution, actor=None, **fields) -> StaffMember:
    return staff_save(staff=StaffMember(institution=institution, **fields), actor=actor)


@transaction.atomic
def staff_update(*, staff: StaffMember, actor=None, **fields) -> StaffMember:
    _apply(staff, fields)
    return staff_save(staff=staff, actor=actor)


@transaction.atomic
def staff_leave(*, staff: StaffMember, left_on: dt.date, actor=None) -> StaffMember:
    return staff_update(staff=staff, left_on=left_on, actor=actor)


@transaction.atomic
def certificate_save(*, certificate: Certificate, actor=None) -> Certificate:
    return _save(certificate, actor=actor)


@transaction.atomic
def record_delete(*, record: models.Model, actor=None) -> None:
    """Delete a registry record; its history keeps the deletion and who made it."""
    if actor is not None and getattr(actor, "is_authenticated", False):
        record._history_user = actor
    record.delete()
