"""Every API error as JSON `{code, detail, errors}`: DRF's exception handler
(settings: REST_FRAMEWORK["EXCEPTION_HANDLER"]), the project's 404/400 handlers for /api/ URLs
(lequing_tuoyu/urls.py), and `service_errors`, the one place a service's refusal becomes an
answer."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from types import MappingProxyType

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from rest_framework import exceptions, serializers
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

NOT_FOUND = _("未找到该记录，或您无权查看。")


def _first_code(codes) -> str:
    if isinstance(codes, dict):
        return _first_code(next(iter(codes.values()), "invalid"))
    if isinstance(codes, list):
        return _first_code(codes[0]) if codes else "invalid"
    return str(codes)


def exception_handler(exc, context):
    """Every error as JSON: a machine `code`, a readable `detail`, and field `errors` if any."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(NOT_FOUND)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "code": _first_code(exc.get_codes()),
            "detail": str(_("提交的数据有误，请按提示修改。")),
            "errors": exc.detail,
        }
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        response.data = {"code": _first_code(exc.get_codes()), "detail": str(detail)}
    return response


def page_not_found(request, exception):
    """`handler404`: a URL under /api/ that matches no route (an id with a dot in it, say)
    answers JSON like every other API error; any other URL gets the portal's page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "not_found", "detail": str(NOT_FOUND)}, status=404)
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


def field_errors(error: DjangoValidationError) -> dict:
    """A service's ValidationError as DRF field errors, every message with its code.

    A message without a code of its own takes the code given to the whole error (the services
    write `ValidationError({...}, code=...)`, and Django keeps that code only in `args`), else
    "invalid". The model's overall errors become non-field errors.
    """
    code = getattr(error, "code", None) or (error.args[1] if len(error.args) > 1 else None)

    def details(errors) -> list[serializers.ErrorDetail]:
        return [
            serializers.ErrorDetail(
                str(e.message % e.params if e.params else e.message),
                code=e.code or code or "invalid",
            )
            for e in errors
        ]

    if not hasattr(error, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: details(error.error_list)}
    return {
        (api_settings.NON_FIELD_ERRORS_KEY if name == NON_FIELD_ERRORS else name): details(errors)
        for name, errors in error.error_dict.items()
    }


Answer = Callable[[Exception], exceptions.APIException]


@contextmanager
def service_errors(answers: Mapping[type[Exception], Answer] = MappingProxyType({})) -> Iterator:
    """Run a service call; what it refuses becomes an API error.

    `answers` maps an app's own refusals (subclasses of ValidationError that mean more than bad
    input, e.g. a 403 or a 422) to the API error that answers them; they are looked at first.
    Any other ValidationError is a 400 with field errors and their codes (`field_errors`: the
    exception handler would convert it through `message_dict`, which drops the codes API clients
    branch on), and a record others still point at a 400 `protected`.
    """
    try:
        yield
    except Exception as error:
        for kind, answer in answers.items():
            if isinstance(error, kind):
                raise answer(error) from error
        if isinstance(error, DjangoValidationError):
            raise serializers.ValidationError(field_errors(error)) from error
        if isinstance(error, ProtectedError | RestrictedError):
            protected = serializers.ErrorDetail(
                str(_("该记录仍被其他记录引用，不能删除。")), code="protected"
            )
            raise serializers.ValidationError(
                {api_settings.NON_FIELD_ERRORS_KEY: [protected]}
            ) from error
        raise
