"""Writes of the medical–childcare records. Each is one transaction; the views, the API and the
admin call these, and check who may act for which facility before they do (selectors.py)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.personal_data import keyed_hash

from ..lecturers.services import session_lecturers_set
from ..models import CareContract, ParentingSession
from . import selectors
from .matching import match, name_index
from .models import (
    ContractServiceMonth,
    GuidanceVisit,
    HealthFacility,
    ScreeningMonth,
    SessionAttendance,
)
from .validators import parse_mobiles, validate_topics


def _as(record, actor) -> None:
    if getattr(actor, "is_authenticated", False):
        record._history_user = actor


def family_key(mobile: str) -> str:
    """A family's key on attendance lists: the keyed hash of the parent's mobile number."""
    return keyed_hash(mobile)


@transaction.atomic
def attendance_replace(*, session: ParentingSession, mobiles, actor=None) -> int:
    """Replace the session's attendance list with the families of `mobiles` (validated, one
    family per number); the head count becomes the list's length. An empty list removes the
    list (the session then counts by its head count). Returns the number of families."""
    numbers = parse_mobiles(mobiles)
    session = ParentingSession.objects.select_for_update().get(pk=session.pk)
    session.attendance.all().delete()
    SessionAttendance.objects.bulk_create(
        SessionAttendance(session=session, family_hash=family_key(number)) for number in numbers
    )
    if numbers and session.families_reached != len(numbers):
        session.families_reached = len(numbers)
        _as(session, actor)
        session.save(update_fields=["families_reached"])
    return len(numbers)


@transaction.atomic
def health_session_save(
    *,
    session: ParentingSession,
    facility: HealthFacility,
    mobiles=None,
    lecturers=None,
    actor=None,
) -> ParentingSession:
    """A session organised by `facility`: its name and township are the facility's unless the
    session says where it was held; `mobiles` (when given) is its attendance list."""
    session.organiser_kind = ParentingSession.OrganiserKind.HEALTH_CENTRE
    session.facility = facility
    session.organiser_name = facility.name
    session.institution = None
    if session.township_id is None:
        session.township_id = facility.township_id
    if session.community_id and session.community.township_id != session.township_id:
        raise ValidationError({"community": _("所选社区不在该镇街。")})
    if session.held_on and session.held_on > timezone.localdate():
        raise ValidationError({"held_on": _("活动日期不能晚于今天。")})
    if session.pk is None and getattr(actor, "is_authenticated", False):
        session.created_by = actor
    numbers = parse_mobiles(mobiles) if mobiles else []
    if numbers:
        session.families_reached = len(numbers)
    session.full_clean()
    _as(session, actor)
    session.save()
    if numbers:
        attendance_replace(session=session, mobiles=numbers, actor=actor)
    if lecturers is not None:
        session_lecturers_set(session=session, lecturers=lecturers, actor=actor)
    return session


@transaction.atomic
def contract_link(*, contract: CareContract, facility: HealthFacility, actor=None) -> CareContract:
    contract = CareContract.objects.select_for_update().get(pk=contract.pk)
    contract.facility = facility
    _as(contract, actor)
    contract.save(update_fields=["facility"])
    return contract


@transaction.atomic
def session_link(
    *, session: ParentingSession, facility: HealthFacility, actor=None
) -> ParentingSession:
    session = ParentingSession.objects.select_for_update().get(pk=session.pk)
    if session.organiser_kind != ParentingSession.OrganiserKind.HEALTH_CENTRE:
        raise ValidationError(_("只有卫生院或社区卫生服务中心组织的活动可以关联医疗卫生机构。"))
    session.facility = facility
    _as(session, actor)
    session.save(update_fields=["facility"])
    return session


@transaction.atomic
def link_by_name(*, actor=None) -> tuple[int, int]:
    """Link every unlinked contract and health-centre session whose free text names exactly one
    facility (matching.py, the rule of the data migration). Returns (contracts, sessions)."""
    index = name_index(HealthFacility.objects.values_list("pk", "name"))
    facilities = HealthFacility.objects.in_bulk()
    counts = [0, 0]
    contracts = CareContract.objects.select_for_update().filter(facility__isnull=True)
    for contract in contracts:
        found = match(contract.health_facility, index)
        if found:
            contract.facility = facilities[found]
            _as(contract, actor)
            contract.save(update_fields=["facility"])
            counts[0] += 1
    sessions = ParentingSession.objects.select_for_update().filter(
        facility__isnull=True, organiser_kind=ParentingSession.OrganiserKind.HEALTH_CENTRE
    )
    for session in sessions:
        found = match(session.organiser_name, index)
        if found:
            session.facility = facilities[found]
            _as(session, actor)
            session.save(update_fields=["facility"])
            counts[1] += 1
    return counts[0], counts[1]


def guidance_check(visit: GuidanceVisit) -> None:
    """The rules of a guidance visit across records (what full_clean cannot see): the
    institution is under a "1+1" contract with the facility valid on the visit's day (both ends
    of the contract included), and the instructor is the institution's health instructor
    assigned at that day or one of the facility's users (selectors.guidance_instructors)."""
    if not (visit.institution_id and visit.facility_id and visit.visited_on):
        return  # full_clean names what is missing
    errors = {}
    if not selectors.under_contract(
        institution_id=visit.institution_id, facility_id=visit.facility_id, day=visit.visited_on
    ):
        errors["facility"] = ValidationError(
            _("指导日期当天，该托育机构与所选医疗卫生机构没有有效的“1+1”签约。"),
            code="no_contract",
        )
    if visit.instructor_id is None:
        errors["instructor"] = ValidationError(_("请选择健康指导员。"), code="required")
    elif (
        not selectors.guidance_instructors(
            institution_id=visit.institution_id,
            facility_id=visit.facility_id,
            day=visit.visited_on,
        )
        .filter(pk=visit.instructor_id)
        .exists()
    ):
        errors["instructor"] = ValidationError(
            _("健康指导员须为该托育机构在指导日期的健康指导员，或所选医疗卫生机构的用户。"),
            code="not_instructor",
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def guidance_save(*, visit: GuidanceVisit, actor=None) -> GuidanceVisit:
    """Record a guidance visit. `created_by` is who keys it (`actor`); the instructor is who
    gave the guidance (guidance_check)."""
    visit.topics = validate_topics(visit.topics)
    if visit.visited_on and visit.visited_on > timezone.localdate():
        raise ValidationError({"visited_on": _("指导日期不能晚于今天。")})
    guidance_check(visit)
    if visit.pk is None and getattr(actor, "is_authenticated", False):
        visit.created_by = actor
    visit.full_clean()
    _as(visit, actor)
    visit.save()
    return visit


@transaction.atomic
def screening_save(
    *, facility: HealthFacility, period: dt.date, figures: dict, actor=None
) -> ScreeningMonth:
    """The facility's figures for the month of `period` (one row per facility and month: a
    second entry corrects the first). Counts only, each non-negative; home visits need no
    positive case in the same month (a visit may follow a case found in an earlier month)."""
    period = period.replace(day=1)
    if period > timezone.localdate().replace(day=1):
        raise ValidationError({"period": _("不能填报未来月份的数据。")})
    row = (
        ScreeningMonth.objects.select_for_update().filter(facility=facility, period=period).first()
    )
    if row is None:
        row = ScreeningMonth(facility=facility, period=period)
        if getattr(actor, "is_authenticated", False):
            row.created_by = actor
    for name in ("development_screenings", "risk_assessments", "positive_cases", "home_visits"):
        setattr(row, name, figures.get(name, 0))
    row.full_clean(validate_unique=False)
    _as(row, actor)
    row.save()
    return row


CONTRACT_SERVICE_FIGURES = ("health_education", "vaccination_checks", "growth_monitoring")


@transaction.atomic
def contract_service_save(
    *, contract: CareContract, period: dt.date, figures: dict, notes: str = "", actor=None
) -> ContractServiceMonth:
    """What was delivered under `contract` in the month of `period` (one row per contract and
    month: a second entry corrects the first). The contract must be valid in that month and
    linked to a facility."""
    period = period.replace(day=1)
    if period > timezone.localdate().replace(day=1):
        raise ValidationError({"period": _("不能填报未来月份的数据。")})
    month_end = (period.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(1)
    if contract.facility_id is None:
        raise ValidationError({"contract": _("该签约尚未关联医疗卫生机构。")})
    if contract.valid_from > month_end or (contract.valid_to and contract.valid_to < period):
        raise ValidationError({"period": _("该月不在签约有效期内。")})
    row = (
        ContractServiceMonth.objects.select_for_update()
        .filter(contract=contract, period=period)
        .first()
    )
    if row is None:
        row = ContractServiceMonth(contract=contract, period=period)
        if getattr(actor, "is_authenticated", False):
            row.created_by = actor
    for name in CONTRACT_SERVICE_FIGURES:
        setattr(row, name, figures.get(name, 0))
    row.notes = (notes or "").strip()
    row.full_clean(validate_unique=False)
    _as(row, actor)
    row.save()
    return row


__all__ = [
    "attendance_replace",
    "contract_link",
    "contract_service_save",
    "family_key",
    "guidance_check",
    "guidance_save",
    "health_session_save",
    "link_by_name",
    "screening_save",
    "session_link",
]
