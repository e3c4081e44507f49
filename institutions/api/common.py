"""Pieces the registry's API shares: the write permission, service errors as 400s, the as-of day,
the masked ID number and fields scoped to what the caller may see."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import permissions, serializers
from rest_framework.settings import api_settings

from portal.api import RolePermission
from portal.personal_data import ResidentId
from portal.roles import can_write, scope, user_roles
from portal.validators import mask_resident_id, normalize_resident_id, validate_resident_id

WRITE_ACTIONS = frozenset({"create", "update", "partial_update"})


class RegistryPermission(RolePermission):
    """`RolePermission` with two rules of the registry on top.

    A write to one object is judged after the object has been looked up in the caller's scope:
    an object outside it is a 404 whatever the method (roles.py), and a 403 only ever concerns
    an object the caller may already see. Auditors and education staff never write, whatever
    other role they also hold (`roles.can_write`). Views may set `delete_roles`, narrower than
    `write_roles`.
    """

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return super().has_permission(request, view)
        if _names_one_object(view):
            # Reading is enough to reach the scoped lookup; has_object_permission then decides.
            return self._allowed(request, getattr(view, "read_roles", self.default_read_roles))
        return self._may_write(request, view)

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return self._may_write(request, view)

    def _may_write(self, request, view) -> bool:
        roles = getattr(view, "write_roles", self.default_write_roles)
        if request.method == "DELETE":
            roles = getattr(view, "delete_roles", roles)
        return self._allowed(request, roles) and can_write(request.user)

    @staticmethod
    def _allowed(request, roles) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        return bool(user.is_superuser or user_roles(user) & set(roles))


def _names_one_object(view) -> bool:
    lookup = getattr(view, "lookup_url_kwarg", None) or getattr(view, "lookup_field", "pk")
    return lookup in getattr(view, "kwargs", {})


def _field_errors(error: DjangoValidationError) -> dict:
    """Django's errors with their codes kept; the model's overall errors as non-field errors."""
    errors = serializers.as_serializer_error(error)
    if "__all__" in errors:
        errors[api_settings.NON_FIELD_ERRORS_KEY] = errors.pop("__all__")
    return errors


@contextmanager
def service_errors() -> Iterator[None]:
    """Run a service call; its domain errors become a 400 with field errors and codes.

    The project's exception handler also converts Django's ValidationError, but through
    `message_dict`, which drops the codes API clients branch on.
    """
    try:
        yield
    except DjangoValidationError as error:
        raise serializers.ValidationError(_field_errors(error)) from error
    except (ProtectedError, RestrictedError) as error:
        raise serializers.ValidationError(
            {
                api_settings.NON_FIELD_ERRORS_KEY: [
                    serializers.ErrorDetail(
                        str(_("该记录仍被其他记录引用，不能删除。")), code="protected"
                    )
                ]
            }
        ) from error


AS_OF_PARAMETER = OpenApiParameter(
    "as_of",
    OpenApiTypes.DATE,
    description="按该日（含）的状态返回各项登记信息，默认今天。/ Facts as they stood on this day.",
)


def as_of_from(request) -> dt.date:
    """The `?as_of=YYYY-MM-DD` day, today (local) when absent; a bad date is a 400."""
    raw = request.query_params.get("as_of") if request is not None else None
    if not raw:
        return timezone.localdate()
    try:
        return serializers.DateField(input_formats=["iso-8601"]).run_validation(raw)
    except serializers.ValidationError as error:
        raise serializers.ValidationError({"as_of": error.detail}) from error


def with_input_output(input_serializer, output_serializer, **extra) -> dict:
    """extend_schema_view arguments: writes take `input_serializer`, every answer is `output`."""
    return {
        "create": extend_schema(request=input_serializer, responses={201: output_serializer}),
        "update": extend_schema(request=input_serializer, responses={200: output_serializer}),
        "partial_update": extend_schema(
            request=input_serializer, responses={200: output_serializer}
        ),
        **extra,
    }


@extend_schema_field({"type": "string", "readOnly": True, "example": "330382********1234"})
class MaskedResidentIdField(serializers.Field):
    """The resident ID number as its mask, always: the plain number never leaves by the API."""

    def __init__(self, **kwargs) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value) -> str:
        if isinstance(value, ResidentId):
            return value.masked
        return mask_resident_id(value)


class MaskedInput(str):
    """A masked number sent back as it was shown: it can only mean "keep the stored one"."""


_MASK = re.compile(r"^[\dX]{6}\*+[\dX]{4}$")


@extend_schema_field(
    {
        "type": "string",
        "writeOnly": True,
        "description": "18位居民身份证号码，按原文提交、加密存储；返回时一律脱敏。"
        "修改时可原样提交脱敏号码以保留原值。",
    }
)
class ResidentIdInputField(serializers.CharField):
    """A resident ID number, written as plain text and checked (GB 11643)."""

    def __init__(self, **kwargs) -> None:
        kwargs["write_only"] = True
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> str:
        value = normalize_resident_id(super().to_internal_value(data))
        if _MASK.match(value):
            return MaskedInput(value)
        try:
            return validate_resident_id(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages, code=error.code) from None


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference limited to what the requesting user may see: anything else "does not exist".

    An operator naming another institution (or its staff member) gets the same 400 as for an
    id that exists nowhere, so the refusal confirms nothing.
    """

    def __init__(self, *, message: str, **kwargs) -> None:
        kwargs.setdefault("error_messages", {})["does_not_exist"] = message
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return scope(getattr(request, "user", None), super().get_queryset())


def named_choice_field(
    choices: type[models.TextChoices], component_name: str
) -> type[serializers.ChoiceField]:
    """A ChoiceField whose enum is one named schema component.

    drf-spectacular names enums by field name; three different `kind`s used by input and output
    serializers alike would collide (a warning, which fails the schema check).
    """
    field_class = type(f"{component_name}Field", (serializers.ChoiceField,), {})
    schema = {"type": "string", "enum": list(choices.values)}
    return extend_schema_field(schema, component_name=component_name)(field_class)


def scoped_queryset(model: type[models.Model]) -> Callable:
    """For django-filter: the choices of a reference filter are what the user may see."""

    def queryset(request):
        return scope(getattr(request, "user", None), model)

    return queryset
