"""Reads of the lecturer team."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Prefetch, Q, QuerySet

from portal.roles import Role, has_role, sees_every_institution

from ..reports.models import ParentingSession
from .models import LecturerMember, members_on


def reads_team(user) -> bool:
    """City-wide roles and health facilities' users read the team; nobody else."""
    return sees_every_institution(user) or has_role(user, Role.HEALTH_CENTRE)


def team_for(user) -> QuerySet:
    if not reads_team(user):
        return LecturerMember.objects.none()
    return LecturerMember.objects.select_related("facility")


def members_for_session(user, day: dt.date | None = None) -> QuerySet:
    """The lecturers a session form offers: members today (or on `day`) first; the form's
    clean() refuses those who were not members on the session's own day."""
    team = team_for(user)
    if day is not None:
        team = team.filter(members_on(day))
    return team.order_by("name", "pk")


def team_with_sessions(user, year: int) -> QuerySet:
    """The team, each member with their sessions held in `year` (two queries whatever the size)."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    in_year = Q(sessions__held_on__gte=start, sessions__held_on__lte=end)
    return (
        team_for(user)
        .annotate(sessions_in_year=Count("sessions", filter=in_year))
        .prefetch_related(
            Prefetch(
                "sessions",
                queryset=ParentingSession.objects.filter(held_on__gte=start, held_on__lte=end)
                .select_related("township", "community")
                .order_by("held_on", "pk"),
                to_attr="year_sessions",
            )
        )
        .order_by("name", "pk")
    )
