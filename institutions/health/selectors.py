"""Reads of the medical–childcare records: which facilities a user acts for, the three-level
network, and what the bureau has still to link."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from portal.dates import add_months, month_end
from portal.pages import bureau_acts
from portal.roles import Role, can_write, has_role, scope

from ..models import CareContract, Institution, InstructorAssignment, ParentingSession
from ..selectors import institutions_as_of
from .models import (
    ContractServiceMonth,
    GuidanceVisit,
    HealthFacility,
    ScreeningMonth,
    SessionAttendance,
)


def acting_facilities(user) -> QuerySet[HealthFacility]:
    """The facilities `user` may record for: every one for bureau staff who write, its own for a
    health facility's user; none for anyone else (read-only roles included)."""
    facilities = HealthFacility.objects.select_related("township")
    if bureau_acts(user):
        return facilities
    if has_role(user, Role.HEALTH_CENTRE) and can_write(user):
        return facilities.filter(users=user)
    return facilities.none()


def is_health_centre(user) -> bool:
    return has_role(user, Role.HEALTH_CENTRE)


def contracts_valid_on(day: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": day})
    )


def under_contract(*, institution_id: int, facility_id: int, day: dt.date) -> bool:
    """The institution has a "1+1" contract with the facility valid on `day` (both ends of the
    contract included)."""
    return (
        CareContract.objects.filter(institution_id=institution_id, facility_id=facility_id)
        .filter(contracts_valid_on(day))
        .exists()
    )


def guidance_instructors(*, institution_id: int, facility_id: int, day: dt.date) -> QuerySet:
    """Who may be a guidance visit's instructor: the institution's health instructor assigned
    at `day` (its latest InstructorAssignment effective on or before `day`; an empty one ends
    the assignment) and the facility's users."""
    assigned = (
        InstructorAssignment.objects.filter(institution_id=institution_id, effective_from__lte=day)
        .order_by("-effective_from")
        .values("instructor")[:1]
    )
    members = HealthFacility.users.through.objects.filter(healthfacility_id=facility_id)
    return get_user_model().objects.filter(
        Q(pk__in=members.values("user_id")) | Q(pk=Subquery(assigned))
    )


def instructor_candidates(facilities: QuerySet, institutions: QuerySet) -> QuerySet:
    """The users a form or the API offers as a guidance visit's instructor: the users of the
    facilities the signed-in user records for and every instructor ever assigned to the
    institutions it may record at. Which of them fits one visit (institution, facility, day) is
    `guidance_instructors`, checked by services.guidance_save."""
    members = HealthFacility.users.through.objects.filter(healthfacility__in=facilities)
    assigned = InstructorAssignment.objects.filter(
        institution__in=institutions, instructor__isnull=False
    )
    return get_user_model().objects.filter(
        Q(pk__in=members.values("user_id")) | Q(pk__in=assigned.values("instructor_id"))
    )


@dataclass
class NetworkNode:
    facility: HealthFacility
    institutions: list = field(default_factory=list)  # (institution, instructor or None)


@dataclass
class Network:
    county: list[HealthFacility]
    townships: list[NetworkNode]
    without_facility: list  # institutions under contract whose contract names no facility


def network_facilities(user, day: dt.date) -> QuerySet[HealthFacility]:
    """The township facilities `user` sees, in the network's order, each annotated
    `contracted`: its "1+1" contracts valid on `day` (the rows `network` lists under it)."""
    return (
        scope(user, HealthFacility.objects.filter(level=HealthFacility.Level.TOWNSHIP))
        .annotate(
            contracted=Count("care_contracts", filter=contracts_valid_on(day, "care_contracts__"))
        )
        .select_related("township")
    )


def network(user, day: dt.date, *, facilities=None) -> Network:
    """County → township facility → institutions (with today's "1+1" contracts), each
    institution with its health instructor at `day`; what `user` may see of it. `facilities`:
    the township facilities to draw (a page of `network_facilities`); all of them by default.
    Five queries whatever the number of facilities and contracts."""
    if facilities is None:
        facilities = network_facilities(user, day)
    nodes = {f.pk: NetworkNode(f) for f in facilities}
    county = scope(
        user,
        HealthFacility.objects.filter(level=HealthFacility.Level.COUNTY).select_related("township"),
    )
    contracts = (
        scope(
            user,
            CareContract.objects.filter(contracts_valid_on(day)).select_related(
                "institution__township"
            ),
        )
        .filter(Q(facility__in=list(nodes)) | Q(facility__isnull=True))
        .order_by("institution__township__sort_order", "institution__name")
    )
    contracts = list(contracts)
    institutions = institutions_as_of(
        day, Institution.objects.filter(pk__in={c.institution_id for c in contracts})
    ).values("pk", "instructor_user_id")
    instructor_of = {row["pk"]: row["instructor_user_id"] for row in institutions}
    users = get_user_model().objects.in_bulk({pk for pk in instructor_of.values() if pk})
    without: list = []
    for contract in contracts:
        pair = (contract.institution, users.get(instructor_of.get(contract.institution_id)))
        if contract.facility_id in nodes:
            nodes[contract.facility_id].institutions.append(pair)
        elif contract.facility_id is None:
            without.append((contract, pair[1]))
    return Network(county=list(county), townships=list(nodes.values()), without_facility=without)


def unlinked_contracts() -> QuerySet[CareContract]:
    return (
        CareContract.objects.filter(facility__isnull=True)
        .select_related("institution__township")
        .order_by("health_facility", "institution__name", "pk")
    )


def unlinked_sessions() -> QuerySet[ParentingSession]:
    return (
        ParentingSession.objects.filter(
            facility__isnull=True, organiser_kind=ParentingSession.OrganiserKind.HEALTH_CENTRE
        )
        .select_related("township")
        .order_by("organiser_name", "-held_on", "pk")
    )


def facility_session_summary(user) -> dict:
    """How many of the sessions `user` sees have an attendance list."""
    has_list = Exists(SessionAttendance.objects.filter(session=OuterRef("pk")))
    return scope(user, ParentingSession.objects.filter(facility__isnull=False)).aggregate(
        count=Count("pk"), listed=Count("pk", filter=Q(has_list))
    )


def facility_sessions(user) -> QuerySet[ParentingSession]:
    """Sessions organised by health facilities, as far as `user` sees them."""
    return (
        scope(user, ParentingSession.objects.filter(facility__isnull=False))
        .select_related("facility", "township", "community")
        .annotate(listed=Count("attendance"))
        .order_by("-held_on", "-pk")
    )


# --- A health facility's home (/wode/) --------------------------------------------------------------


@dataclass
class FacilityWork:
    """What waits for one facility's users: last month's screening figures and "1+1" services
    not yet entered, institutions under contract without a guidance visit this quarter, and this
    year's sessions without an attendance list."""

    facility: HealthFacility
    month: dt.date  # last month
    screening_missing: bool = True
    services_missing: list = field(default_factory=list)  # contracts valid in `month`
    without_guidance: list = field(default_factory=list)  # institutions under contract today
    sessions_without_list: int = 0


# What the home shows of a contract (a province's facility has over a thousand).
CONTRACT_FIELDS = ("pk", "facility", "institution__name")


def facility_work(user, *, today: dt.date) -> list[FacilityWork]:
    """One entry per facility `user` belongs to (a health facility's user); six queries whatever
    the number of facilities, contracts and sessions."""
    if not is_health_centre(user):
        return []
    facilities = list(HealthFacility.objects.filter(users=user).order_by("name", "pk"))
    if not facilities:
        return []
    ids = [f.pk for f in facilities]
    month = add_months(today.replace(day=1), -1)
    quarter = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    work = {f.pk: FacilityWork(facility=f, month=month) for f in facilities}
    for facility_id in ScreeningMonth.objects.filter(facility_id__in=ids, period=month).values_list(
        "facility_id", flat=True
    ):
        work[facility_id].screening_missing = False
    entered = set(
        ContractServiceMonth.objects.filter(contract__facility_id__in=ids, period=month)
        .order_by()  # not the model's ordering: it joins the institutions and townships
        .values_list("contract_id", flat=True)
    )
    last_month = CareContract.objects.filter(
        facility_id__in=ids, valid_from__lte=month_end(month)
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=month))
    for contract in (
        last_month.select_related("institution")
        .only(*CONTRACT_FIELDS)
        .order_by("institution__name")
    ):
        if contract.pk not in entered:
            work[contract.facility_id].services_missing.append(contract)
    visited = set(
        GuidanceVisit.objects.filter(
            facility_id__in=ids, visited_on__gte=quarter, visited_on__lte=today
        )
        .order_by()
        .values_list("facility_id", "institution_id")
    )
    current = CareContract.objects.filter(contracts_valid_on(today), facility_id__in=ids)
    for contract in (
        current.select_related("institution").only(*CONTRACT_FIELDS).order_by("institution__name")
    ):
        if (contract.facility_id, contract.institution_id) not in visited:
            work[contract.facility_id].without_guidance.append(contract.institution)
    has_list = Exists(SessionAttendance.objects.filter(session=OuterRef("pk")))
    for row in (
        ParentingSession.objects.filter(
            facility_id__in=ids, held_on__gte=today.replace(month=1, day=1), held_on__lte=today
        )
        .filter(~has_list)
        .values("facility_id")
        .annotate(n=Count("pk"))
    ):
        work[row["facility_id"]].sessions_without_list = row["n"]
    return list(work.values())
