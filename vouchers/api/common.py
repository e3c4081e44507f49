"""What only the voucher API has: its readers, its permission and viewset mixin, voucher rules as
409/422 answers, and the institution an operator acts for. The rest (roles, service errors,
fields) comes from portal/api."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, permissions, serializers
from rest_framework.exceptions import ErrorDetail

from institutions.models import Institution
from portal.api import errors
from portal.api.permissions import BUREAU, RolePermission
from portal.api.schema import error_response
from portal.roles import Role, user_roles

from ..services import VoucherError

# Who reads voucher records: the bureau, auditors, and operators (their own institutions').
READERS = frozenset(BUREAU | {Role.AUDITOR, Role.OPERATOR})
BUREAU_READERS = frozenset(BUREAU | {Role.AUDITOR})


# --- Permission --------------------------------------------------------------------------------


class VoucherPermission(RolePermission):
    """`RolePermission` (roles per action, read-only roles never write; an object outside the
    caller's scope is a 404 from the querysets, never a 403), read by the voucher readers
    unless a view says otherwise."""

    default_read_roles = READERS


class VoucherViewSetMixin:
    """Signed in, and the roles of `VoucherPermission`; views set the roles."""

    permission_classes = [permissions.IsAuthenticated, VoucherPermission]
    read_roles = READERS
    write_roles = BUREAU
    action_roles: dict = {}


# --- Voucher rules as answers ------------------------------------------------------------------


_ERROR_DESCRIPTIONS = {
    400: _("请求格式有误（字段错误、缺少 Idempotency-Key 等）。"),
    403: _("当前角色无权执行此操作。"),
    404: _("记录不存在，或不在您的权限范围内。"),
    409: _("余额不足（code = insufficient_balance）。"),
    422: _("不符合托育券规则，code 为规则名称。"),
    429: _("请求过于频繁。"),
}


def api_errors(*status_codes: int) -> dict:
    """extend_schema responses for the error answers an endpoint gives."""
    return {code: error_response(_ERROR_DESCRIPTIONS[code]) for code in status_codes}


class RuleBroken(exceptions.APIException):
    """A voucher rule refused the request: 422 with the rule's code."""

    status_code = 422
    default_code = "rule_broken"
    default_detail = _("该操作不符合托育券规则。")


class InsufficientBalance(RuleBroken):
    status_code = 409
    default_code = "insufficient_balance"


def rule_error(error: VoucherError) -> RuleBroken:
    code = error.code or RuleBroken.default_code
    error_class = InsufficientBalance if code == "insufficient_balance" else RuleBroken
    return error_class(detail="".join(error.messages), code=code)


def voucher_errors():
    """Run a service: a broken voucher rule answers 409 (insufficient balance) or 422 with its
    code; any other error as portal answers it (400 with field errors and codes)."""
    return errors.service_errors({VoucherError: rule_error})


# --- The institution acted for -----------------------------------------------------------------


@extend_schema_field(OpenApiTypes.INT)
class OwnInstitutionField(serializers.PrimaryKeyRelatedField):
    """An institution the caller may act for; any other is refused exactly like an id that
    exists nowhere, so the refusal confirms nothing."""

    default_error_messages = {"does_not_exist": _("机构不存在，或您无权为该机构办理。")}

    def get_queryset(self) -> QuerySet[Institution]:
        request = self.context.get("request")
        return acting_institutions(getattr(request, "user", None))


def acting_institutions(user) -> QuerySet[Institution]:
    """Operators act for the institutions they are linked to; the bureau for any."""
    if user is None or not user.is_authenticated:
        return Institution.objects.none()
    if user.is_superuser or user_roles(user) & BUREAU:
        return Institution.objects.all()
    return Institution.objects.filter(operators=user)


def institution_for(user, chosen: Institution | None) -> Institution:
    """The institution named in the request, or the caller's only one."""
    if chosen is not None:
        return chosen
    # Unordered: the model's default order (by township) would join a table for nothing.
    linked = list(Institution.objects.filter(operators=user).only("pk", "name").order_by()[:2])
    if len(linked) == 1:
        return linked[0]
    raise serializers.ValidationError(
        {
            "institution": [
                ErrorDetail(
                    str(_("您关联了多个机构（或未关联机构），请指定机构。")),
                    code="institution_required",
                )
            ]
        }
    )
