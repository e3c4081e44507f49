"""Writes of training records. Each is one transaction with the acting user in the history; the
admin, the import and the API call these."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import TrainingAttendance, TrainingCourse, TrainingProvider


def _as(record, actor) -> None:
    if getattr(actor, "is_authenticated", False):
        record._history_user = actor


@transaction.atomic
def course_save(*, course: TrainingCourse, actor=None) -> TrainingCourse:
    """Add or change a course. Its hours cannot fall below an attendance's (the model's rules;
    a database trigger holds it too). A course of a provider with users carries its name."""
    if course.provider_org_id and not (course.provider or "").strip():
        course.provider = course.provider_org.name
    course.full_clean()
    if course.pk is not None:
        above = course.attendance.filter(hours__gt=course.hours)
        if above.exists():
            raise ValidationError({"hours": _("已有参训学时超过该学时的记录，不能调低。")})
    _as(course, actor)
    course.save()
    return course


@transaction.atomic
def attendance_save(*, attendance: TrainingAttendance, actor=None) -> TrainingAttendance:
    """Record a staff member's attendance of a course (one per course and person)."""
    attendance.full_clean()
    _as(attendance, actor)
    attendance.save()
    return attendance


@transaction.atomic
def record_delete(*, record, actor=None) -> None:
    _as(record, actor)
    record.delete()


@transaction.atomic
def provider_save(*, provider: TrainingProvider, actor=None) -> TrainingProvider:
    provider.name = (provider.name or "").strip()
    provider.full_clean()
    _as(provider, actor)
    provider.save()
    return provider
