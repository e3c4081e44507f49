"""Families: guardians and children registered by their ID numbers, and children's enrolments at
institutions (which month's fee a voucher may pay depends on them)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from institutions.models import Institution
from institutions.services import dated_record_write, effective_day, first_recorded
from portal.personal_data import keyed_hash
from portal.validators import birth_date_from_resident_id, validate_resident_id

from ..models import Child, ChildRegistration, Enrolment, Guardian
from .common import VoucherError, _actor, _history


@transaction.atomic
def guardian_get_or_create(*, name: str, phone: str, id_number: str, actor=None) -> Guardian:
    number = validate_resident_id(id_number)
    guardian = Guardian.objects.filter(id_number_hash=keyed_hash(number)).first()
    if guardian is None:
        guardian = Guardian(name=name, phone=phone, id_number=number)
    else:
        guardian.name, guardian.phone = name, phone
    guardian.full_clean()
    _history(guardian, actor)
    guardian.save()
    return guardian


@transaction.atomic
def child_register(
    *,
    guardian: Guardian,
    name: str,
    id_number: str,
    hukou_township=None,
    has_residence_permit: bool = False,
    special_needs: bool = False,
    actor=None,
    effective_from: dt.date | None = None,
) -> Child:
    """Register a child, or update the one already registered with this ID number. The
    registered township is recorded from today for a new child, a change of it from
    `effective_from` (default today)."""
    number = validate_resident_id(id_number)
    child = Child.objects.filter(id_number_hash=keyed_hash(number)).first() or Child(
        id_number=number
    )
    is_new = child.pk is None
    previous = None if is_new else {"hukou_township": child.hukou_township}
    day = effective_day(None if is_new else effective_from)
    child.guardian = guardian
    child.name = name
    child.birth_date = birth_date_from_resident_id(number)
    child.hukou_township = hukou_township
    child.has_residence_permit = has_residence_permit
    child.special_needs = special_needs
    child.full_clean()
    _history(child, actor)
    child.save()
    if is_new or previous["hukou_township"] != child.hukou_township:
        current = dated_record_write(
            ChildRegistration,
            owner="child",
            of=child,
            day=day,
            values={"hukou_township": child.hukou_township},
            previous=previous,
            first_day=None if is_new else first_recorded(child),
            actor=actor,
        )
        if current["hukou_township"] != child.hukou_township:
            child.hukou_township = current["hukou_township"]
            child.save(update_fields=["hukou_township"])
    return child


@transaction.atomic
def enrolment_record(
    *,
    child: Child,
    institution: Institution,
    start: dt.date,
    end: dt.date | None = None,
    actor=None,
) -> Enrolment:
    overlapping = Enrolment.objects.filter(child=child, start__lte=end or dt.date.max).filter(
        Q(end__isnull=True) | Q(end__gte=start)
    )
    if overlapping.exists():
        raise VoucherError(_("该幼儿在此期间已有入托登记。"), code="enrolment_overlap")
    enrolment = Enrolment(
        child=child, institution=institution, start=start, end=end, recorded_by=_actor(actor)
    )
    enrolment.full_clean()
    _history(enrolment, actor)
    enrolment.save()
    return enrolment


@transaction.atomic
def enrolment_end(*, enrolment: Enrolment, end: dt.date, actor=None) -> Enrolment:
    enrolment.end = end
    enrolment.full_clean()
    _history(enrolment, actor)
    enrolment.save()
    return enrolment
