"""Shared API pieces: the role permission, the scoping mixin, the token exchange, the schema
class that documents the error answers, and JSON 404/400 handlers for /api/ URLs."""

from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle

from .roles import BUREAU_ROLES, CITY_WIDE_ROLES, Role, scope, user_roles


def page_not_found(request, exception):
    """`handler404`: a URL under /api/ that matches no route (an id with a dot in it, say)
    answers JSON like every other API error; any other URL gets the portal's page."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": "not_found", "detail": str(_("未找到该记录，或您无权查看。"))}, status=404
        )
    return defaults.page_not_found(request, exception)


def bad_request(request, exception):
    """`handler400`: a request Django refuses before any view sees it (more form fields than
    DATA_UPLOAD_MAX_NUMBER_FIELDS, a body over the size limit) answers JSON under /api/."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {
                "code": "bad_request",
                "detail": str(_("请求无法处理：字段过多、内容过大或格式有误。")),
            },
            status=400,
        )
    return defaults.bad_request(request, exception)


class ApiErrorSerializer(serializers.Serializer):
    """Every error answer (`portal.rest.exception_handler`): a machine code, a readable
    message, and the field errors of a 400."""

    code = serializers.CharField()
    detail = serializers.CharField()
    errors = serializers.DictField(required=False)


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
                    OpenApiResponse(ApiErrorSerializer, description=str(_ERROR_DESCRIPTIONS[code])),
                    str(code),
                    media_types=["application/json"],
                )
        return operation

    def _is_public(self) -> bool:
        classes = self.view.permission_classes
        return all(issubclass(cls, permissions.AllowAny) for cls in classes)


class RolePermission(permissions.BasePermission):
    """Reads for `read_roles`, writes for `write_roles` (views may narrow both).

    Object-level visibility is the queryset's job (`ScopedQuerysetMixin`): an object outside the
    user's scope is a 404, never a 403.
    """

    default_read_roles = frozenset(CITY_WIDE_ROLES | {Role.OPERATOR})
    default_write_roles = frozenset(BUREAU_ROLES)

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        if user.is_superuser:
            return True
        if request.method in permissions.SAFE_METHODS:
            allowed = getattr(view, "read_roles", self.default_read_roles)
        else:
            allowed = getattr(view, "write_roles", self.default_write_roles)
        return bool(user_roles(user) & set(allowed))


class ScopedQuerysetMixin:
    """`get_queryset` limited by `roles.scope` for the requesting user."""

    permission_classes = [permissions.IsAuthenticated, RolePermission]
    schema = ErrorDocumentingAutoSchema()

    def get_queryset(self):
        return scope(self.request.user, super().get_queryset())


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()


class LockoutAwareTokenSerializer(AuthTokenSerializer):
    """Authenticates with Django's own request, so django-axes can count failures and its
    middleware can answer a locked-out client."""

    def validate(self, attrs):
        request = self.context.get("request")
        self.context["request"] = getattr(request, "_request", request)
        try:
            return super().validate(attrs)
        finally:
            self.context["request"] = request


class TokenView(ObtainAuthToken):
    """Exchange a username and password for an API token."""

    renderer_classes = api_settings.DEFAULT_RENDERER_CLASSES
    serializer_class = LockoutAwareTokenSerializer
    schema = ErrorDocumentingAutoSchema()
    # Password guessing is slowed per address on top of the login lockout.
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: TokenResponseSerializer},
        summary="获取 API 令牌 / Obtain an API token",
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)
