"""What task 3 (推进托幼一体化, lead 市教育局) needs the education bureau to write: its
kindergartens' childcare-class places (核定托位 by class type, dated). Written through the
registry's own service (institutions.services.registry_record_save), so the registry's rules,
constraints and history apply exactly as when the health bureau writes them."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from institutions.models import ApprovedPlaces, Institution
from institutions.services import registry_record_save
from portal.roles import Role, User, can_write, has_role

from .models import Task
from .selectors import department_ids_of
from .services import office_acts

INTEGRATION_TASK = 3  # 三（三）推进托幼一体化深度发展


def may_write_kindergarten_places(user: User | None) -> bool:
    """The office, or a user of task 3's lead department (the education bureau): a department
    user, or an education-bureau user (教育局, read-only everywhere else) who is a member of that
    department. This is the one write the plan gives the education bureau; auditors never write."""
    if office_acts(user):
        return True
    if user is None or not getattr(user, "is_active", False) or has_role(user, Role.AUDITOR):
        return False
    if not (
        (can_write(user) and has_role(user, Role.DEPARTMENT)) or has_role(user, Role.EDUCATION)
    ):
        return False
    lead = Task.objects.filter(number=INTEGRATION_TASK).values_list("lead_id", flat=True).first()
    return lead is not None and lead in department_ids_of(user)


def kindergartens() -> QuerySet[Institution]:
    """Kindergartens (托幼一体) with their approved places, newest first."""
    return (
        Institution.objects.filter(kind=Institution.Kind.KINDERGARTEN)
        .select_related("township")
        .prefetch_related(
            Prefetch("approved_places", ApprovedPlaces.objects.order_by("-effective_from"))
        )
        .order_by("township__sort_order", "name", "pk")
    )


@transaction.atomic
def kindergarten_places_record(
    *,
    institution: Institution,
    actor: User,
    effective_from: dt.date,
    infant: int,
    toddler: int,
    older: int,
    mixed: int,
    note: str = "",
) -> ApprovedPlaces:
    if not may_write_kindergarten_places(actor):
        raise PermissionDenied(_("只有专班办公室和任务三的牵头单位可以填报幼儿园托班托位。"))
    if institution.kind != Institution.Kind.KINDERGARTEN:
        raise PermissionDenied(_("只能填报幼儿园的托班托位。"))
    record = ApprovedPlaces(
        institution=institution,
        effective_from=effective_from,
        infant=infant,
        toddler=toddler,
        older=older,
        mixed=mixed,
        note=note,
    )
    return registry_record_save(record=record, actor=actor)
