"""Writes of the lecturer team. Each is one transaction with the acting user in the history."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import LecturerMember, check_members_on


def _as(record, actor) -> None:
    if getattr(actor, "is_authenticated", False):
        record._history_user = actor


@transaction.atomic
def member_save(*, member: LecturerMember, actor=None) -> LecturerMember:
    """Add or change a member. Dates that would leave a session outside the member's membership
    are refused (the sessions already led must stay within joined_on..left_on)."""
    member.full_clean()
    if member.pk is not None:
        outside = member.sessions.exclude(held_on__gte=member.joined_on)
        if member.left_on is not None:
            outside = outside | member.sessions.filter(held_on__gt=member.left_on)
        if outside.exists():
            raise ValidationError(_("此讲师已主讲的活动不在新的加入、退出日期之间。"))
    _as(member, actor)
    member.save()
    return member


@transaction.atomic
def session_lecturers_set(*, session, lecturers: Iterable[LecturerMember], actor=None) -> None:
    """Name the session's lecturers: members of the team on its day (a trigger holds it too)."""
    lecturers = list(lecturers)
    check_members_on(lecturers, session.held_on)
    _as(session, actor)
    session.lecturers.set(lecturers)
