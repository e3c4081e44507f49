"""Pieces the inspections API shares: roles per endpoint, the permission, the scoped viewset,
service errors as 403/400, named enum fields and the scoped institution field."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, permissions, serializers, viewsets
from rest_framework.settings import api_settings

from institutions.models import Institution
from portal.api import ErrorDocumentingAutoSchema, RolePermission
from portal.personal_data import ResidentId
from portal.roles import (
    BUREAU_ROLES,
    CITY_WIDE_ROLES,
    Role,
    can_write,
    scope,
    user_roles,
)
from portal.validators import mask_resident_id

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

READERS = frozenset(CITY_WIDE_ROLES | {Role.OPERATOR})
INSPECTORS = frozenset(BUREAU_ROLES | {Role.INSPECTOR})
BUREAU = frozenset(BUREAU_ROLES)
OPERATORS = frozenset({Role.OPERATOR})
REPORTERS = frozenset(BUREAU_ROLES | {Role.INSPECTOR, Role.OPERATOR})
DRAW_READERS = frozenset(BUREAU_ROLES | {Role.INSPECTOR, Role.AUDITOR})
BUREAU_READERS = frozenset(BUREAU_ROLES | {Role.AUDITOR})


class InspectionPermission(RolePermission):
    """Reads for `read_roles`; writes for `write_roles`, or `action_roles[action]` when set.

    A write to one object needs only read access to reach the scoped lookup (404 outside the
    scope); `has_object_permission` then decides (403). Read-only roles never write.
    """

    def _write_roles(self, view) -> frozenset:
        roles = getattr(view, "action_roles", {}).get(getattr(view, "action", None))
        return roles if roles is not None else getattr(view, "write_roles", BUREAU)

    def _allowed(self, request, roles) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        return bool(user.is_superuser or user_roles(user) & set(roles))

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return self._allowed(request, getattr(view, "read_roles", READERS))
        lookup = getattr(view, "lookup_url_kwarg", None) or getattr(view, "lookup_field", "pk")
        if lookup in getattr(view, "kwargs", {}):
            return self._allowed(request, getattr(view, "read_roles", READERS))
        return self._allowed(request, self._write_roles(view)) and can_write(request.user)

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return self._allowed(request, self._write_roles(view)) and can_write(request.user)


class ScopedViewSet(viewsets.GenericViewSet):
    permission_classes = [permissions.IsAuthenticated, InspectionPermission]
    schema = ErrorDocumentingAutoSchema()
    read_roles = READERS
    write_roles = INSPECTORS
    action_roles: dict = {}

    def get_queryset(self):
        return scope(self.request.user, super().get_queryset())


@contextmanager
def service_errors() -> Iterator[None]:
    """A service's refusal as a 403, its domain errors as a 400 with field errors and codes."""
    try:
        yield
    except services.NotAllowed as error:
        raise exceptions.PermissionDenied(
            detail=" ".join(error.messages), code=error.code or "not_allowed"
        ) from error
    except DjangoValidationError as error:
        errors = serializers.as_serializer_error(error)
        if "__all__" in errors:
            errors[api_settings.NON_FIELD_ERRORS_KEY] = errors.pop("__all__")
        raise serializers.ValidationError(errors) from error


def named_choice_field(choices, component_name: str, *, blank: bool = False):
    """A ChoiceField whose enum is one named schema component (several fields here are called
    `kind` or `state` with different choices; unnamed they would collide)."""
    values = list(choices.values) + ([""] if blank else [])
    field_class = type(f"{component_name}Field", (serializers.ChoiceField,), {})
    schema = {"type": "string", "enum": values}
    decorated = extend_schema_field(schema, component_name=component_name)(field_class)

    def make(**kwargs):
        kwargs.setdefault("choices", [(v, v) for v in values])
        if blank:
            kwargs.setdefault("allow_blank", True)
        return decorated(**kwargs)

    return make


InspectionKindField = named_choice_field(InspectionKind, "InspectionKindEnum")
InspectionStateField = named_choice_field(Inspection.State, "InspectionStateEnum")
OutcomeField = named_choice_field(Inspection.Outcome, "InspectionOutcomeEnum", blank=True)
ResultField = named_choice_field(InspectionResult.Result, "InspectionResultEnum", blank=True)
SeverityField = named_choice_field(Severity, "FindingSeverityEnum")
AreaField = named_choice_field(Area, "ChecklistAreaEnum")
FindingStateField = named_choice_field(Finding.State, "FindingStateEnum")
ReviewField = named_choice_field(Rectification.Review, "RectificationReviewEnum")
IncidentKindField = named_choice_field(Incident.Kind, "IncidentKindEnum")
IncidentStateField = named_choice_field(Incident.State, "IncidentStateEnum")
DrawInstitutionKindField = named_choice_field(Institution.Kind, "DrawInstitutionKindEnum")


@extend_schema_field(OpenApiTypes.INT)
class ScopedInstitutionField(serializers.PrimaryKeyRelatedField):
    """An institution the caller may see; anything else "does not exist" (confirms nothing)."""

    default_error_messages = {"does_not_exist": _("机构不存在，或您无权为该机构登记。")}

    def get_queryset(self):
        request = self.context.get("request")
        return scope(getattr(request, "user", None), Institution)


def _users():
    return get_user_model().objects.filter(is_active=True)


@extend_schema_field({"type": "string", "readOnly": True, "example": "330382********1234"})
class MaskedIdField(serializers.Field):
    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value) -> str:
        return value.masked if isinstance(value, ResidentId) else mask_resident_id(value)
