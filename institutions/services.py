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
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.hooks import Hook
from portal.personal_data import keyed_hash

from .models import (
    ApprovedPlaces,
    CareContract,
    Certificate,
    Community,
    CommunityFacts,
    DemonstrationUnit,
    FeeStandard,
    IdlePremises,
    InclusiveRecognition,
    Institution,
    InstitutionDetails,
    InstructorAssignment,
    PanicAlarm,
    StaffMember,
    StaffRoleRecord,
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
    DemonstrationUnit,
    CareContract,
    StaffMember,
    Certificate,
    IdlePremises,
)
# The facts an institution, a community and a staff member hold as their current value and the
# dated record (institutions.dated) that keeps them with their dates; the indicators read the
# records. A write of a changed value writes the record, effective from the day given (default
# today), and keeps the current value that of the record in force today.
INSTITUTION_DETAILS = ("kind", "township", "is_inclusive_kindergarten", "special_needs_care")
COMMUNITY_FACTS = ("is_new", "residents", "delivered_places")
ALARM_DATES = ("panic_alarm_installed_on", "panic_alarm_removed_on")


def _save(instance: models.Model, *, actor, exclude: list[str] | None = None):
    instance.full_clean(exclude=exclude)
    if actor is not None and getattr(actor, "is_authenticated", False):
        instance._history_user = actor
    instance.save()
    return instance


def _apply(instance: models.Model, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        setattr(instance, name, value)


def effective_day(effective_from: dt.date | None) -> dt.date:
    """The day a change takes effect: today unless given; never after today (a dated record
    states what holds, and the current value is today's)."""
    today = timezone.localdate()
    if effective_from is None:
        return today
    if effective_from > today:
        raise ValidationError(
            {"effective_from": ValidationError(_("生效日期不能晚于今天。"), code="future")}
        )
    return effective_from


def first_recorded(instance: models.Model) -> dt.date | None:
    """The day `instance` was first recorded (its first history row), if it has history."""
    first = instance.history.aggregate(first=Min("history_date"))["first"]
    return timezone.localtime(first).date() if first else None


def dated_record_write(
    model: type[models.Model],
    *,
    owner: str,
    of: models.Model,
    day: dt.date,
    values: dict[str, Any],
    previous: dict[str, Any] | None = None,
    first_day: dt.date | None = None,
    actor=None,
) -> dict[str, Any]:
    """Record `values` of `of` (linked by `owner`) from `day`, replacing that day's record. When
    `of` has no record on or before `day`, what the days before read is recorded first (its
    first record's values, else `previous`), from `first_day` (the filing, hiring or
    first-recorded day; the day before `day` if none is earlier), so that a change never
    alters a day before it. Returns the values in force today (the latest record on or before
    today, else the first)."""
    records = model.objects.filter(**{owner: of})
    if not records.filter(effective_from__lte=day).exists():
        # Whatever a day before `day` read (the first record's values, else `previous`, the
        # values held without records) it goes on reading: recorded from `first_day`, or
        # (unknown, or not before the change) the day before the change.
        first = records.order_by("effective_from").first()
        held = previous if first is None else {name: getattr(first, name) for name in values}
        if held is not None:
            start = first_day if first_day and first_day < day else day - dt.timedelta(days=1)
            _save(model(**{owner: of, "effective_from": start, **held}), actor=actor)
    record = records.filter(effective_from=day).first() or model(
        **{owner: of, "effective_from": day}
    )
    _apply(record, values)
    _save(record, actor=actor)
    today = timezone.localdate()
    current = (
        records.filter(effective_from__lte=today).order_by("-effective_from").first()
        or records.order_by("effective_from").first()
    )
    return {name: getattr(current, name) for name in values}


def _changed(stored: models.Model, names, instance: models.Model) -> bool:
    """Whether `instance` holds other values of `names` than `stored`, the row saved before."""
    return any(_value(stored, name) != _value(instance, name) for name in names)


def _value(instance: models.Model, name: str):
    field = instance._meta.get_field(name)
    return getattr(instance, field.attname)


def _values(instance: models.Model, names) -> dict[str, Any]:
    return {name: getattr(instance, name) for name in names}


@transaction.atomic
def registry_record_save(
    *, record: models.Model, actor=None, effective_from: dt.date | None = None
) -> models.Model:
    """Create or update one registry record (institution, community, or a dated fact).

    The single entry point for records without rules beyond their model's: dated facts are
    checked by their constraints (one per day, periods that do not overlap, valid bounds).
    An institution, a community or a staff member goes through its own service, which dates
    the facts the indicators read.
    """
    if not isinstance(record, REGISTRY_RECORD_MODELS):
        raise TypeError(f"{type(record).__name__} is not a registry record")
    if isinstance(record, StaffMember):
        return staff_save(staff=record, actor=actor, effective_from=effective_from)
    if isinstance(record, Community):
        return community_save(community=record, actor=actor, effective_from=effective_from)
    if isinstance(record, Institution) and record.pk is None:
        return _institution_created(_save(record, actor=actor), actor=actor)
    if isinstance(record, Institution):
        return _institution_saved(record, {}, actor=actor, effective_from=effective_from)
    return _save(record, actor=actor)


def _institution_created(institution: Institution, *, actor) -> Institution:
    """The first records of a new institution's dated facts: from its filing date, else
    today."""
    day = institution.filed_on or timezone.localdate()
    dated_record_write(
        InstitutionDetails,
        owner="institution",
        of=institution,
        day=day,
        values=_values(institution, INSTITUTION_DETAILS),
        actor=actor,
    )
    _alarm_sync(institution, day=timezone.localdate(), actor=actor)
    return institution


def _institution_saved(
    institution: Institution, fields: dict, *, actor, effective_from: dt.date | None
) -> Institution:
    """Apply `fields` to a stored institution (whose instance may hold changes already),
    dating the changed details and alarm."""
    day = effective_day(effective_from)
    stored = Institution.objects.get(pk=institution.pk)
    _apply(institution, fields)
    details_changed = _changed(stored, INSTITUTION_DETAILS, institution)
    alarm_changed = _changed(stored, ALARM_DATES, institution)
    previous = _values(stored, INSTITUTION_DETAILS)
    _save(institution, actor=actor)
    if details_changed:
        current = dated_record_write(
            InstitutionDetails,
            owner="institution",
            of=institution,
            day=day,
            values=_values(institution, INSTITUTION_DETAILS),
            previous=previous,
            first_day=institution.filed_on or first_recorded(institution),
            actor=actor,
        )
        if current != _values(institution, INSTITUTION_DETAILS):
            _apply(institution, current)
            _save(institution, actor=actor)
    if alarm_changed:
        _alarm_sync(institution, day=day, actor=actor)
    return institution


def _alarm_sync(institution: Institution, *, day: dt.date, actor) -> None:
    """Keep the alarm's periods in step with its current dates: the latest period is the one
    the dates describe (a new installation after it ended is a new period). Clearing the
    installation date ends the period in service the day before `day`."""
    installed, removed = institution.panic_alarm_installed_on, institution.panic_alarm_removed_on
    latest = PanicAlarm.objects.filter(institution=institution).order_by("-valid_from").first()
    last_day = removed - dt.timedelta(days=1) if removed else None
    if installed is None:
        if latest is not None and latest.valid_to is None:
            latest.valid_to = day - dt.timedelta(days=1)
            if latest.valid_to < latest.valid_from:
                return record_delete(record=latest, actor=actor)
            _save(latest, actor=actor)
        return None
    if latest is None or (latest.valid_to is not None and installed > latest.valid_to):
        latest = PanicAlarm(institution=institution)
    latest.valid_from, latest.valid_to = installed, last_day
    _save(latest, actor=actor)
    return None


@transaction.atomic
def institution_create(*, actor=None, **fields) -> Institution:
    operators = fields.pop("operators", None)
    institution = _save(Institution(**fields), actor=actor)
    _institution_created(institution, actor=actor)
    if operators is not None:
        institution.operators.set(operators)
    return institution


@transaction.atomic
def institution_update(
    *, institution: Institution, actor=None, effective_from: dt.date | None = None, **fields
) -> Institution:
    """Update an institution; a change of its kind, township, inclusive-kindergarten flag or
    inclusive-care flag (INSTITUTION_DETAILS) is recorded from `effective_from` (default today),
    a change of its alarm's dates in its alarm periods."""
    operators = fields.pop("operators", None)
    _institution_saved(institution, fields, actor=actor, effective_from=effective_from)
    if operators is not None:
        institution.operators.set(operators)
    return institution


@transaction.atomic
def community_save(
    *, community: Community, actor=None, effective_from: dt.date | None = None, **fields
) -> Community:
    """Create or update a community; its new flag, residents and delivered places are recorded
    from `effective_from` (default today; a new community's from today)."""
    if community.pk is None:
        _apply(community, fields)
        _save(community, actor=actor)
        dated_record_write(
            CommunityFacts,
            owner="community",
            of=community,
            day=timezone.localdate(),
            values=_values(community, COMMUNITY_FACTS),
            actor=actor,
        )
        return community
    day = effective_day(effective_from)
    stored = Community.objects.get(pk=community.pk)
    _apply(community, fields)
    changed = _changed(stored, COMMUNITY_FACTS, community)
    previous = _values(stored, COMMUNITY_FACTS)
    _save(community, actor=actor)
    if changed:
        current = dated_record_write(
            CommunityFacts,
            owner="community",
            of=community,
            day=day,
            values=_values(community, COMMUNITY_FACTS),
            previous=previous,
            first_day=first_recorded(community),
            actor=actor,
        )
        if current != _values(community, COMMUNITY_FACTS):
            _apply(community, current)
            _save(community, actor=actor)
    return community


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
def staff_save(
    *, staff: StaffMember, actor=None, effective_from: dt.date | None = None
) -> StaffMember:
    """Hire or update a staff member. The same person cannot be employed twice at once. The role
    is recorded from the hiring day, a change of role from `effective_from` (default today)."""
    staff.full_clean(validate_constraints=False)
    _check_not_employed_twice(staff)
    staff.validate_constraints()
    if actor is not None and getattr(actor, "is_authenticated", False):
        staff._history_user = actor
    is_new = staff.pk is None
    stored = None if is_new else StaffMember.objects.filter(pk=staff.pk).first()
    day = staff.hired_on if is_new else effective_day(effective_from)
    staff.save()
    if is_new:
        dated_record_write(
            StaffRoleRecord,
            owner="staff",
            of=staff,
            day=day,
            values={"role": staff.role},
            actor=actor,
        )
        staff_hired(staff=staff, actor=actor)
    elif stored is not None and stored.role != staff.role:
        current = dated_record_write(
            StaffRoleRecord,
            owner="staff",
            of=staff,
            day=max(day, staff.hired_on),
            values={"role": staff.role},
            previous={"role": stored.role},
            first_day=stored.hired_on,
            actor=actor,
        )
        if current["role"] != staff.role:
            staff.role = current["role"]
            staff.save(update_fields=["role"])
    return staff


@transaction.atomic
def staff_hire(*, institution: Institution, actor=None, **fields) -> StaffMember:
    return staff_save(staff=StaffMember(institution=institution, **fields), actor=actor)


@transaction.atomic
def staff_update(
    *, staff: StaffMember, actor=None, effective_from: dt.date | None = None, **fields
) -> StaffMember:
    _apply(staff, fields)
    return staff_save(staff=staff, actor=actor, effective_from=effective_from)


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
