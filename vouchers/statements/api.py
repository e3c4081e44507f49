"""Fee statements in the API (read only): the same scoping as the pages. The bureau and auditors
read every institution's, operators their own institutions'; a statement outside the caller's
scope is a 404. Issuing and revoking stay on the pages (vouchers/statements/views.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, serializers, viewsets

from portal.api.fields import MonthField
from portal.roles import scope

from ..api.common import VoucherViewSetMixin
from .models import FeeStatement
from .services import display_statement_code


class FeeStatementSerializer(serializers.ModelSerializer):
    institution_name = serializers.CharField(source="institution.name", read_only=True)
    first_month = MonthField(label=_("起始月份"))
    last_month = MonthField(label=_("截止月份"))
    code = serializers.SerializerMethodField(label=_("验证码"))
    revoked = serializers.BooleanField(source="is_revoked", read_only=True, label=_("已作废"))

    class Meta:
        model = FeeStatement
        fields = [
            "id",
            "institution",
            "institution_name",
            "child_masked_name",
            "first_month",
            "last_month",
            "lines",
            "total_due",
            "total_voucher",
            "total_family",
            "code",
            "issued_at",
            "requested_by_family",
            "revoked",
            "revoked_at",
            "revoke_reason",
        ]
        read_only_fields = fields

    def get_code(self, statement: FeeStatement) -> str:
        return display_statement_code(statement.code)


class FeeStatementViewSet(
    VoucherViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """入托缴费证明: statements issued, newest first; `?institution=` narrows to one."""

    serializer_class = FeeStatementSerializer
    filterset_fields = ["institution", "requested_by_family"]
    ordering = ["-issued_at", "-pk"]

    def get_queryset(self):
        return scope(self.request.user, FeeStatement.objects.select_related("institution"))
