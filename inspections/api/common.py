"""What only the inspections API has: its role sets, its permission (a write judged on the
object), the scoped viewset, a service's refusal as a 403, its named enums and the institution
field. The rest comes from portal/api."""

from __future__ import annotations

from functools import partial

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, permissions, viewsets

from institutions.models import Institution
from portal.api import errors
from portal.api.fields import ScopedPrimaryKeyRelatedField, enum_field
from portal.api.permissions import READERS, RolePermission, ScopedQuerysetMixin
from portal.roles import BUREAU_ROLES, Role

from .. import services
from ..models import (
    Area,
    Finding,
    Incident,
    Inspection,
    InspectionKind,
    InspectionResult,
    Rectification,
    Severity,
)

INSPECTORS = frozenset(BUREAU_ROLES | {Role.INSPECTOR})
REPORTERS = frozenset(BUREAU_ROLES | {Role.INSPECTOR, Role.OPERATOR})
DRAW_READERS = frozenset(BUREAU_ROLES | {Role.INSPECTOR, Role.AUDITOR})
BUREAU_READERS = frozenset(BUREAU_ROLES | {Role.AUDITOR})


class InspectionPermission(RolePermission):
    """`RolePermission`, with a write to one object judged after the scoped lookup (404 outside
    the scope, then 403 for a role that may not make it)."""

    judge_writes_on_object = True


class ScopedViewSet(ScopedQuerysetMixin, viewsets.GenericViewSet):
    permission_classes = [permissions.IsAuthenticated, InspectionPermission]
    read_roles = READERS
    write_roles = INSPECTORS
    action_roles: dict = {}


def _refused(error: services.NotAllowed) -> exceptions.PermissionDenied:
    return exceptions.PermissionDenied(
        detail=" ".join(error.messages), code=error.code or "not_allowed"
    )


def service_errors():
    """A service's refusal (`services.NotAllowed`) as a 403; its other errors as portal answers
    them (400 with field errors and codes)."""
    return errors.service_errors({services.NotAllowed: _refused})


InspectionKindField = partial(enum_field, InspectionKind, "InspectionKindEnum")
InspectionStateField = partial(enum_field, Inspection.State, "InspectionStateEnum")
OutcomeField = partial(enum_field, Inspection.Outcome, "InspectionOutcomeEnum", blank=True)
ResultField = partial(enum_field, InspectionResult.Result, "InspectionResultEnum", blank=True)
SeverityField = partial(enum_field, Severity, "FindingSeverityEnum")
AreaField = partial(enum_field, Area, "ChecklistAreaEnum")
FindingStateField = partial(enum_field, Finding.State, "FindingStateEnum")
ReviewField = partial(enum_field, Rectification.Review, "RectificationReviewEnum")
IncidentKindField = partial(enum_field, Incident.Kind, "IncidentKindEnum")
IncidentStateField = partial(enum_field, Incident.State, "IncidentStateEnum")
DrawInstitutionKindField = partial(enum_field, Institution.Kind, "DrawInstitutionKindEnum")


@extend_schema_field(OpenApiTypes.INT)
class ScopedInstitutionField(ScopedPrimaryKeyRelatedField):
    """An institution the caller may see; anything else "does not exist" (confirms nothing)."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("queryset", Institution.objects.all())
        super().__init__(message=_("机构不存在，或您无权为该机构登记。"), **kwargs)
