"""Reads of training records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from portal.roles import Role, can_write, has_role, is_bureau, scope, sees_every_institution

from ..models import StaffMember
from .models import TrainingAttendance, TrainingCourse, TrainingProvider


def training_hours(staff_ids: Iterable[int], year: int) -> dict[int, Decimal]:
    """Each staff member's training hours in calendar `year`, in one query: the hours attended of
    courses that ended in that year (a course spanning New Year counts in the year it ends).
    Staff members without attendance are absent from the answer (read with .get(pk, 0))."""
    rows = (
        TrainingAttendance.objects.filter(
            staff_id__in=list(staff_ids),
            course__ends_on__gte=dt.date(year, 1, 1),
            course__ends_on__lte=dt.date(year, 12, 31),
        )
        .values("staff_id")
        .annotate(total=Sum("hours"))
        .values_list("staff_id", "total")
    )
    return dict(rows)


# The calendar years whose training hours the pages and the API give: 2000 to next year.
FIRST_YEAR = 2000


def parse_year(text) -> int:
    """A calendar year from a query string (2000 to next year), or ValueError."""
    year = int(str(text).strip())
    if not FIRST_YEAR <= year <= timezone.localdate().year + 1:
        raise ValueError(text)
    return year


def staff_employed_in(user, year: int) -> QuerySet:
    """The staff `user` sees (operators: their own institutions'; city-wide roles: everyone's)
    employed on some day of calendar `year`, by institution and name: the rows of the hours page
    and of the API's hours."""
    return (
        scope(user, StaffMember)
        .filter(hired_on__lte=dt.date(year, 12, 31))
        .exclude(left_on__lte=dt.date(year, 1, 1))  # left_on is the first day no longer employed
        .select_related("institution")
        .order_by("institution__name", "name", "pk")
    )


def is_provider_user(user) -> bool:
    return has_role(user, Role.TRAINING_PROVIDER)


def reads_training(user) -> bool:
    """Who reads the training pages: city-wide roles, providers' users and operators."""
    return sees_every_institution(user) or has_role(user, Role.TRAINING_PROVIDER, Role.OPERATOR)


def courses_for(user) -> QuerySet:
    """The courses a page lists: every course for city-wide roles, the provider's own for its
    users, and for operators those open to a role their staff hold (or to every role)."""
    courses = scope(user, TrainingCourse).select_related("provider_org")
    if sees_every_institution(user) or is_provider_user(user):
        return courses
    roles = sorted(set(scope(user, StaffMember).values_list("role", flat=True).distinct()) - {None})
    return courses.filter(Q(open_to_roles=[]) | Q(open_to_roles__has_any_keys=roles))


def courses_with_counts(user) -> QuerySet:
    return courses_for(user).annotate(attendees=Count("attendance")).order_by("-starts_on", "pk")


def enters_attendance(user, course: TrainingCourse) -> bool:
    """The bureau for every course; a provider's users for their provider's courses."""
    if not can_write(user):
        return False
    if is_bureau(user):
        return True
    return (
        is_provider_user(user)
        and TrainingProvider.objects.filter(pk=course.provider_org_id, users=user).exists()
    )


def course_attendance(user, course: TrainingCourse) -> QuerySet:
    """A course's attendance as `user` sees it (operators: their own staff only)."""
    return (
        scope(user, TrainingAttendance)
        .filter(course=course)
        .select_related("staff__institution")
        .order_by("staff__institution__name", "staff__name", "pk")
    )


def providers_of(user) -> QuerySet:
    """The providers whose courses `user` may write: every one for the bureau, else their own."""
    if is_bureau(user):
        return TrainingProvider.objects.all()
    if not is_provider_user(user):
        return TrainingProvider.objects.none()  # anonymous (the API schema) and other roles
    return TrainingProvider.objects.filter(users=user)


def reads_staff_hours(user) -> bool:
    """Operators (their own staff) and city-wide roles read staff's training hours."""
    return sees_every_institution(user) or has_role(user, Role.OPERATOR)
