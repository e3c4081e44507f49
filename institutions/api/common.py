"""What only the registry's API has: its permission (a write judged on the object), the as-of
day and the input/output schema of its endpoints. The rest comes from portal/api."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers

from portal.api.permissions import RolePermission

WRITE_ACTIONS = frozenset({"create", "update", "partial_update"})


class RegistryPermission(RolePermission):
    """`RolePermission`, with a write to one object judged after the object has been looked up
    in the caller's scope: an object outside it is a 404 whatever the method (roles.py), and a
    403 only ever concerns an object the caller may already see. Views may keep `destroy` to
    fewer roles with `action_roles`."""

    judge_writes_on_object = True


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
