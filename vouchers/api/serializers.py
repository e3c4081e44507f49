"""Serializers of the voucher API: input and output apart, every field named.

Personal data (names, phones, ID numbers) leaves only as masks (`MaskedNameField`,
`MaskedResidentIdField`); ID numbers come in write-only. Rules across rows are the services'
(vouchers/services/), so the API, the pages and the import refuse the same things with the
same codes.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from institutions.models import Institution, Township
from portal.api.fields import (
    MaskedNameField,
    MaskedResidentIdField,
    MonthField,
    ResidentIdInputField,
    enum_field,
)
from portal.validators import PhoneValidator

from ..models import (
    Child,
    Enrolment,
    LedgerEntry,
    Redemption,
    Settlement,
    Voucher,
    VoucherApplication,
    VoucherBatch,
)
from .common import OwnInstitutionField


def _money(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=12, decimal_places=2, **kwargs)


# --- Redemptions -------------------------------------------------------------------------------


class RedemptionCreateSerializer(serializers.Serializer):
    voucher_code = serializers.CharField(
        max_length=40, label=_("券码"), help_text=_("可含空格和“-”，不区分大小写。")
    )
    fee_month = MonthField(label=_("费用月份"))
    amount = _money(min_value=Decimal("0.01"), label=_("抵扣金额（元）"))
    institution = OwnInstitutionField(
        required=False,
        label=_("机构"),
        help_text=_("关联多个机构的经办人必填；只关联一个机构时可省略。"),
    )


class RedemptionCreatedSerializer(serializers.ModelSerializer):
    """The answer to a redemption, and to every replay of it: the same figures each time."""

    voucher_code = serializers.CharField(source="voucher.code", read_only=True)
    fee_month = MonthField(read_only=True)
    amount = _money(read_only=True)
    balance_after = _money(read_only=True, help_text=_("本笔抵扣后的余额。"))
    institution = serializers.IntegerField(source="institution_id", read_only=True)

    class Meta:
        model = Redemption
        fields = ["id", "voucher_code", "fee_month", "amount", "balance_after", "institution"]
        read_only_fields = fields


class RedemptionSerializer(serializers.ModelSerializer):
    voucher_code = serializers.CharField(source="voucher.code", read_only=True)
    child_name = MaskedNameField(source="voucher.child.name", label=_("幼儿姓名（脱敏）"))
    institution = serializers.IntegerField(source="institution_id", read_only=True)
    institution_name = serializers.CharField(source="institution.name", read_only=True)
    fee_month = MonthField(read_only=True)
    amount = _money(read_only=True)
    balance_after = _money(read_only=True, allow_null=True)
    status = enum_field(Redemption.Status, "RedemptionStatus", read_only=True)
    settlement = serializers.IntegerField(source="settlement_id", read_only=True, allow_null=True)

    class Meta:
        model = Redemption
        fields = [
            "id",
            "voucher_code",
            "child_name",
            "institution",
            "institution_name",
            "fee_month",
            "amount",
            "balance_after",
            "status",
            "created_at",
            "reversed_at",
            "reversal_reason",
            "settlement",
        ]
        read_only_fields = fields


class VoucherReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, allow_blank=True, label=_("原因"))


# --- Vouchers and their ledger -----------------------------------------------------------------


class VoucherDetailSerializer(serializers.ModelSerializer):
    """One voucher by its code: the figures an institution needs, nothing personal."""

    status = enum_field(Voucher.Status, "VoucherStatus", read_only=True)
    balance = _money(read_only=True)
    monthly_cap = _money(read_only=True)

    class Meta:
        model = Voucher
        fields = ["code", "status", "balance", "valid_from", "valid_until", "monthly_cap"]
        read_only_fields = fields


class VoucherSummarySerializer(VoucherDetailSerializer):
    batch_name = serializers.CharField(source="batch.name", read_only=True)
    child_name = MaskedNameField(source="child.name", label=_("幼儿姓名（脱敏）"))
    child_id_number = MaskedResidentIdField(
        source="child.id_number", label=_("幼儿身份证号码（脱敏）")
    )
    face_value = _money(read_only=True)

    class Meta(VoucherDetailSerializer.Meta):
        fields = [
            "id",
            *VoucherDetailSerializer.Meta.fields,
            "batch",
            "batch_name",
            "child",
            "child_name",
            "child_id_number",
            "face_value",
            "issued_at",
        ]
        read_only_fields = fields


class LedgerEntrySerializer(serializers.ModelSerializer):
    kind = enum_field(LedgerEntry.Kind, "LedgerKind", read_only=True)
    amount = _money(read_only=True)
    balance_after = _money(read_only=True)
    institution = serializers.IntegerField(source="institution_id", read_only=True, allow_null=True)
    institution_name = serializers.CharField(
        source="institution.name", read_only=True, allow_null=True, default=None
    )
    redemption = serializers.IntegerField(source="redemption_id", read_only=True, allow_null=True)

    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "kind",
            "amount",
            "balance_after",
            "institution",
            "institution_name",
            "redemption",
            "reason",
            "created_at",
        ]
        read_only_fields = fields


class AdjustmentSerializer(serializers.Serializer):
    amount = _money(
        label=_("调整金额（元）"), help_text=_("增加为正，减少为负；调整后余额不能为负。")
    )
    reason = serializers.CharField(max_length=300, allow_blank=True, label=_("调整原因"))


# --- Batches -----------------------------------------------------------------------------------


class VoucherBatchSerializer(serializers.ModelSerializer):
    # Declared, so DRF adds no uniqueness check of its own: the service reports it (one message).
    name = serializers.CharField(max_length=100, label=_("批次名称"))
    residence_rule = enum_field(
        VoucherBatch.Residence, "VoucherResidenceRule", required=False, label=_("户籍要求")
    )
    face_value = _money(min_value=Decimal("1"), label=_("面额（元）"))
    monthly_cap = _money(min_value=Decimal("1"), label=_("每月抵扣上限（元）"))
    quota_left = serializers.IntegerField(read_only=True, label=_("剩余数量"))

    class Meta:
        model = VoucherBatch
        fields = [
            "id",
            "name",
            "face_value",
            "quantity_cap",
            "issued_count",
            "quota_left",
            "apply_from",
            "apply_until",
            "valid_from",
            "valid_until",
            "monthly_cap",
            "min_age_months",
            "max_age_months",
            "residence_rule",
            "inclusive_only",
            "created_at",
        ]
        read_only_fields = ["id", "issued_count", "quota_left", "created_at"]
        validators: list = []


# --- Applications ------------------------------------------------------------------------------


class GuardianDataSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50, label=_("监护人姓名"))
    phone = serializers.CharField(max_length=20, label=_("联系电话"), validators=[PhoneValidator()])
    id_number = ResidentIdInputField(label=_("监护人身份证号码"))


class ChildDataSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50, label=_("幼儿姓名"))
    id_number = ResidentIdInputField(label=_("幼儿身份证号码"))
    hukou_township = serializers.PrimaryKeyRelatedField(
        queryset=Township.objects.all(),
        required=False,
        allow_null=True,
        label=_("户籍所在镇街"),
        help_text=_("非乐清户籍留空。"),
    )
    has_residence_permit = serializers.BooleanField(default=False, label=_("持乐清居住证"))
    special_needs = serializers.BooleanField(default=False, label=_("特殊需要儿童"))
    guardian = GuardianDataSerializer(label=_("监护人"))


class VoucherApplicationCreateSerializer(serializers.Serializer):
    batch = serializers.PrimaryKeyRelatedField(queryset=VoucherBatch.objects.all(), label=_("批次"))
    child = serializers.PrimaryKeyRelatedField(
        queryset=Child.objects.all(),
        required=False,
        label=_("幼儿"),
        help_text=_("已登记的幼儿；与 child_data 二选一。"),
    )
    child_data = ChildDataSerializer(
        required=False, help_text=_("新登记（或按身份证号码更新）的幼儿及其监护人。")
    )
    applied_on = serializers.DateField(
        required=False, label=_("申请日期"), help_text=_("默认今天。")
    )

    def validate(self, attrs: dict) -> dict:
        if ("child" in attrs) == ("child_data" in attrs):
            raise serializers.ValidationError(
                _("请填写 child（已登记幼儿）或 child_data（新登记幼儿）其中之一。"),
                code="child_required",
            )
        return attrs


class VoucherApplicationSerializer(serializers.ModelSerializer):
    batch_name = serializers.CharField(source="batch.name", read_only=True)
    child_name = MaskedNameField(source="child.name", label=_("幼儿姓名（脱敏）"))
    child_id_number = MaskedResidentIdField(
        source="child.id_number", label=_("幼儿身份证号码（脱敏）")
    )
    source = enum_field(VoucherApplication.Source, "VoucherApplicationSource", read_only=True)
    state = enum_field(VoucherApplication.State, "VoucherApplicationState", read_only=True)
    eligibility_notes = serializers.ListField(child=serializers.CharField(), read_only=True)
    voucher_code = serializers.CharField(
        source="voucher.code", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = VoucherApplication
        fields = [
            "id",
            "batch",
            "batch_name",
            "child",
            "child_name",
            "child_id_number",
            "institution",
            "source",
            "state",
            "applied_on",
            "eligible",
            "eligibility_notes",
            "reject_reason",
            "decided_at",
            "voucher_code",
        ]
        read_only_fields = fields


class VoucherApplicationDecideSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=1, max_length=500
    )
    approve = serializers.BooleanField(help_text=_("true 通过并发券；false 不通过（须填写原因）。"))
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class VoucherApplicationDecisionSerializer(serializers.Serializer):
    decided = serializers.IntegerField(help_text=_("已审核的申请数。"))
    errors = serializers.ListField(
        child=serializers.CharField(), help_text=_("未能审核的申请及原因。")
    )


# --- Enrolments --------------------------------------------------------------------------------


class VoucherEnrolmentSerializer(serializers.ModelSerializer):
    institution = serializers.IntegerField(source="institution_id", read_only=True)
    institution_name = serializers.CharField(source="institution.name", read_only=True)
    child = serializers.IntegerField(source="child_id", read_only=True)
    child_name = MaskedNameField(source="child.name", label=_("幼儿姓名（脱敏）"))
    child_id_number = MaskedResidentIdField(
        source="child.id_number", label=_("幼儿身份证号码（脱敏）")
    )

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "institution",
            "institution_name",
            "child",
            "child_name",
            "child_id_number",
            "start",
            "end",
        ]
        read_only_fields = fields


class VoucherEnrolmentCreateSerializer(serializers.Serializer):
    child_id_number = ResidentIdInputField(label=_("幼儿身份证号码"))
    voucher_code = serializers.CharField(
        max_length=40, label=_("券码"), help_text=_("该幼儿任一张托育券的券码。")
    )
    institution = OwnInstitutionField(
        required=False,
        label=_("机构"),
        help_text=_("关联多个机构的经办人及卫健局工作人员必填。"),
    )
    start = serializers.DateField(label=_("入托日期"), help_text=_("含当日。"))
    end = serializers.DateField(
        required=False, allow_null=True, label=_("离托日期"), help_text=_("含当日；留空表示在托。")
    )


class VoucherEnrolmentEndSerializer(serializers.Serializer):
    end = serializers.DateField(label=_("离托日期"), help_text=_("含当日。"))


# --- Settlements -------------------------------------------------------------------------------


class VoucherSettlementSerializer(serializers.ModelSerializer):
    institution = serializers.IntegerField(source="institution_id", read_only=True)
    institution_name = serializers.CharField(source="institution.name", read_only=True)
    month = MonthField(read_only=True)
    state = enum_field(Settlement.State, "SettlementState", read_only=True)
    total = _money(read_only=True)

    class Meta:
        model = Settlement
        fields = [
            "id",
            "institution",
            "institution_name",
            "month",
            "state",
            "total",
            "line_count",
            "confirmed_at",
            "approved_at",
            "paid_at",
            "payment_reference",
        ]
        read_only_fields = fields


class VoucherSettlementPrepareSerializer(serializers.Serializer):
    institution = serializers.PrimaryKeyRelatedField(
        queryset=Institution.objects.all(), label=_("机构")
    )
    month = MonthField(label=_("费用月份"))


class VoucherSettlementPaySerializer(serializers.Serializer):
    payment_reference = serializers.CharField(
        max_length=100, allow_blank=True, label=_("支付凭证号")
    )


# --- Families ----------------------------------------------------------------------------------


class PublicVoucherBalanceRequestSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=64, label=_("券码"))
    id_last6 = serializers.CharField(
        max_length=32, label=_("幼儿身份证号码后六位"), help_text=_("最后一位是X的，请输入X。")
    )


class PublicVoucherHistoryItemSerializer(serializers.Serializer):
    date = serializers.DateField()
    institution = serializers.CharField(allow_null=True, help_text=_("机构名称；发放等为空。"))
    amount = _money(help_text=_("增加为正，减少为负。"))
    kind = enum_field(LedgerEntry.Kind, "LedgerKind")


class PublicVoucherBalanceSerializer(serializers.Serializer):
    status = enum_field(Voucher.Status, "VoucherStatus")
    balance = _money()
    valid_until = serializers.DateField()
    month_remaining = _money(help_text=_("本月还可抵扣的金额：每月上限减本月已抵扣，不超过余额。"))
    history = PublicVoucherHistoryItemSerializer(many=True, help_text=_("收支记录，最新的在前。"))
