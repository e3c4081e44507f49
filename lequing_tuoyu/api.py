"""Shared API pieces: the role permission, the scoping mixin and the token exchange."""

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle

from .roles import BUREAU_ROLES, CITY_WIDE_ROLES, Role, scope, user_roles


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
