"""The OpenAPI schema: the schema class every API view uses (settings:
REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]), which documents the error answers, and the month query
parameter."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import permissions, serializers

from ..dates import MONTH_PATTERN


class ApiErrorSerializer(serializers.Serializer):
    """Every error answer (`errors.exception_handler`): a machine code, a readable message, and
    the field errors of a 400."""

    code = serializers.CharField()
    detail = serializers.CharField()
    errors = serializers.DictField(required=False)


def error_response(description) -> OpenApiResponse:
    """An error answer documented as `ApiError`, with what it means at this endpoint."""
    return OpenApiResponse(ApiErrorSerializer, description=str(description))


_ERROR_DESCRIPTIONS = {
    400: _(
        "请求有误（字段、筛选条件或分页参数不合规则），或不符合业务规则（如记录仍被引用不能删除）；errors 列出各字段的问题。"
    ),
    403: _("未登录，或当前角色无权执行此操作。"),
    404: _("记录不存在或不在您的权限范围内，或页码、导出格式不存在。"),
    429: _("请求过于频繁，请稍后再试。"),
}


class ErrorDocumentingAutoSchema(AutoSchema):
    """drf-spectacular's schema plus the error answers DRF gives every endpoint, so a client (and
    the fuzz run, tests/fuzz) knows them: 400 for every write and every read with query
    parameters, 403 where a login or role is needed, 404 where a path names a record or a list is
    paged, 429 everywhere (throttling), all as `ApiError`. Codes a view documents itself stay."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        parameters = operation.get("parameters", [])
        codes = {429}
        # Every write may be refused by the rules (a report not in a state to accept, a record
        # others still point at) with a 400, as may a read whose filters do not parse.
        if method != "GET" or any(p["in"] == "query" for p in parameters):
            codes.add(400)
        if not self._is_public():
            codes.add(403)
        # DRF answers an unknown `?format=` with a 404 as well.
        if any(p["in"] == "path" or p["name"] in ("page", "format") for p in parameters):
            codes.add(404)
        responses = operation["responses"]
        for code in sorted(codes):
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(
                    error_response(_ERROR_DESCRIPTIONS[code]),
                    str(code),
                    media_types=["application/json"],
                )
        return operation

    def _is_public(self) -> bool:
        classes = self.view.permission_classes
        return all(issubclass(cls, permissions.AllowAny) for cls in classes)


def month_parameter(name: str, *, required: bool = False, description: str = "YYYY-MM"):
    """A month in the query string, documented with the one month pattern (`dates.parse_month`
    reads it)."""
    return OpenApiParameter(
        name, OpenApiTypes.STR, required=required, description=description, pattern=MONTH_PATTERN
    )
