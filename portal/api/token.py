"""POST /api/v1/auth/token/: a username and password exchanged for an API token."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle


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
