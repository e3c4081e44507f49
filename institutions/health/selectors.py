"""Reads of the medical–childcare records: which facilities a user acts for, the three-level
network, and what the bureau has still to link."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from portal.pages import bureau_acts
from portal.roles import Role, can_write, has_role, scope

from ..models import CareContract, Institution, ParentingSession
from ..selectors import institutions_as_of
from .models import HealthFacility, SessionAttendance


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


def contracts_valid_on(day: dt.date) -> Q:
    return Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))


@dataclass
class NetworkNode:
    facility: HealthFacility
    institutions: list = field(default_factory=list)  # (institution, instructor or None)


@dataclass
class Network:
    county: list[HealthFacility]
    townships: list[NetworkNode]
    without_facility: list  # institutions under contract whose contract names no facility


def network(user, day: dt.date) -> Network:
    """County → township facility → institutions (with today's "1+1" contracts), each
    institution with its health instructor at `day`; what `user` may see of it."""
    facilities = scope(user, HealthFacility.objects.select_related("township"))
    contracts = scope(
        user,
        CareContract.objects.filter(contracts_valid_on(day)).select_related("institution"),
    ).order_by("institution__township__sort_order", "institution__name")
    institutions = institutions_as_of(
        day, Institution.objects.filter(pk__in=contracts.values("institution"))
    ).values("pk", "instructor_user_id")
    instructor_of = {row["pk"]: row["instructor_user_id"] for row in institutions}
    users = get_user_model().objects.in_bulk({pk for pk in instructor_of.values() if pk})
    nodes = {f.pk: NetworkNode(f) for f in facilities if f.level == HealthFacility.Level.TOWNSHIP}
    without: list = []
    for contract in contracts:
        pair = (contract.institution, users.get(instructor_of.get(contract.institution_id)))
        if contract.facility_id in nodes:
            nodes[contract.facility_id].institutions.append(pair)
        elif contract.facility_id is None:
            without.append((contract, pair[1]))
    return Network(
        county=[f for f in facilities if f.level == HealthFacility.Level.COUNTY],
        townships=list(nodes.values()),
        without_facility=without,
    )


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
