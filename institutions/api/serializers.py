"""Serializers of the registry's API: separate input and output where they differ.

Input serializers check the shape of a request and the rules that belong to one field; every
rule across rows (one record a day, periods that do not overlap, a person employed once at a
time) is the services' (institutions/services.py), so the API, the admin and the import say the
same thing. DRF's own uniqueness validators are therefore switched off (`validators = []`).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.api.fields import (
    MaskedInput,
    MaskedResidentIdField,
    ResidentIdEditField,
    ScopedPrimaryKeyRelatedField,
    enum_field,
)
from portal.personal_data import UNCHANGED
from portal.validators import validate_credit_code

from ..models import (
    ApprovedPlaces,
    CareContract,
    Certificate,
    Community,
    DemonstrationUnit,
    FeeStandard,
    IdlePremises,
    InclusiveRecognition,
    Institution,
    InstructorAssignment,
    PublicFeeStandard,
    StaffMember,
    StarRating,
    Township,
)

INSTITUTION_REFUSED = _("机构不存在，或您无权为该机构登记。")
STAFF_REFUSED = _("从业人员不存在，或您无权为其登记证书。")


def _institution_field(**kwargs) -> ScopedPrimaryKeyRelatedField:
    return ScopedPrimaryKeyRelatedField(
        queryset=Institution.objects.all(),
        message=INSTITUTION_REFUSED,
        label=_("机构"),
        **kwargs,
    )


# --- Townships and communities ----------------------------------------------------------------


class TownshipSerializer(serializers.ModelSerializer):
    class Meta:
        model = Township
        fields = ["id", "code", "name", "kind", "is_urban"]


class PublicFeeStandardSerializer(serializers.ModelSerializer):
    class Meta:
        model = PublicFeeStandard
        fields = [
            "id",
            "ownership",
            "class_type",
            "effective_from",
            "monthly_full_day",
            "monthly_half_day",
            "document",
        ]


class IdlePremisesSerializer(serializers.ModelSerializer):
    township_code = serializers.CharField(source="township.code", read_only=True)

    class Meta:
        model = IdlePremises
        fields = [
            "id",
            "name",
            "owner",
            "township",
            "township_code",
            "address",
            "floor_area",
            "contact_phone",
            "offered_on",
            "state",
            "institution",
            "matched_on",
            "rent_relief",
            "relief_from",
            "relief_to",
            "note",
        ]


class CommunitySerializer(serializers.ModelSerializer):
    township_code = serializers.CharField(source="township.code", read_only=True)

    class Meta:
        model = Community
        fields = [
            "id",
            "township",
            "township_code",
            "name",
            "residents",
            "is_new",
            "delivered_on",
            "planned_places",
            "delivered_places",
        ]
        validators: list = []


# --- Institutions -----------------------------------------------------------------------------


class PlacesSerializer(serializers.Serializer):
    """Approved places by class type on the as-of day (0 before the first record)."""

    infant = serializers.IntegerField(source="places_infant")
    toddler = serializers.IntegerField(source="places_toddler")
    older = serializers.IntegerField(source="places_older")
    mixed = serializers.IntegerField(source="places_mixed")
    total = serializers.IntegerField(source="places_total")


class InstitutionFactsSerializer(serializers.Serializer):
    """The dated facts as they stood on `as_of` (annotations of selectors.institutions_as_of)."""

    as_of = serializers.SerializerMethodField()
    is_counted = serializers.BooleanField(help_text=_("当日已备案且未停办，计入统计。"))
    places = PlacesSerializer(source="*")
    fee_full_day = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    fee_half_day = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    is_inclusive = serializers.BooleanField()
    stars = serializers.IntegerField(allow_null=True)
    has_panic_alarm = serializers.BooleanField()
    has_care_contract = serializers.BooleanField()
    is_demonstration = serializers.BooleanField(
        label=_("示范单位"), help_text=_("当日持有任一级别的示范单位认定。")
    )
    instructor = serializers.IntegerField(source="instructor_user_id", allow_null=True)
    care_staff_count = serializers.IntegerField()
    certified_care_staff_count = serializers.IntegerField()

    @extend_schema_field(OpenApiTypes.DATE)
    def get_as_of(self, institution: Institution) -> dt.date:
        return self.context["as_of"]


class InstitutionOutputSerializer(serializers.ModelSerializer):
    kind = enum_field(Institution.Kind, "InstitutionKindEnum", read_only=True, label=_("机构类型"))
    township_code = serializers.CharField(source="township.code", read_only=True)
    facts = InstitutionFactsSerializer(source="*", read_only=True)

    class Meta:
        model = Institution
        fields = [
            "id",
            "name",
            "credit_code",
            "credit_code_override_reason",
            "kind",
            "ownership",
            "township",
            "township_code",
            "community",
            "address",
            "latitude",
            "longitude",
            "contact_phone",
            "filing_number",
            "filed_on",
            "closed_on",
            "special_needs_care",
            "is_inclusive_kindergarten",
            "panic_alarm_installed_on",
            "panic_alarm_removed_on",
            "operators",
            "facts",
        ]
        read_only_fields = fields


class InstitutionInputSerializer(serializers.ModelSerializer):
    kind = enum_field(Institution.Kind, "InstitutionKindEnum", label=_("机构类型"))
    effective_from = serializers.DateField(
        required=False,
        write_only=True,
        label=_("变更生效日期"),
        help_text=_("机构类型、所属镇街、普惠性幼儿园的变更自该日起生效；默认今天，不能晚于今天。"),
    )
    # Declared, so DRF adds no uniqueness check of its own: the service reports it (one message).
    credit_code = serializers.CharField(
        max_length=18, required=False, allow_blank=True, label=_("统一社会信用代码")
    )
    operators = serializers.PrimaryKeyRelatedField(
        many=True,
        required=False,
        queryset=get_user_model().objects.filter(is_active=True),
        label=_("机构经办人"),
    )

    class Meta:
        model = Institution
        fields = [
            "name",
            "credit_code",
            "credit_code_override_reason",
            "kind",
            "ownership",
            "township",
            "community",
            "address",
            "latitude",
            "longitude",
            "contact_phone",
            "filing_number",
            "filed_on",
            "closed_on",
            "special_needs_care",
            "is_inclusive_kindergarten",
            "panic_alarm_installed_on",
            "panic_alarm_removed_on",
            "operators",
            "effective_from",
        ]
        validators: list = []

    def validate(self, attrs: dict) -> dict:
        # The model checks the code in clean(), as an error of the whole record; checked here
        # too, it is reported on its field with the validator's code (credit_code_check_digit).
        code = attrs.get("credit_code")
        if code:
            reason = attrs.get(
                "credit_code_override_reason",
                self.instance.credit_code_override_reason if self.instance else "",
            )
            try:
                attrs["credit_code"] = validate_credit_code(code, override_reason=reason)
            except DjangoValidationError as error:
                raise serializers.ValidationError(
                    {
                        "credit_code": [
                            serializers.ErrorDetail(m, code=error.code) for m in error.messages
                        ]
                    }
                ) from None
        return attrs


# --- Dated records ----------------------------------------------------------------------------
# One serializer each, for reading and writing alike: their fields are the model's.


class DatedFactSerializer(serializers.ModelSerializer):
    institution = _institution_field()

    class Meta:
        fields = ["id", "institution", "effective_from", "note"]
        validators: list = []


class ValidityPeriodSerializer(serializers.ModelSerializer):
    institution = _institution_field()

    class Meta:
        fields = ["id", "institution", "valid_from", "valid_to"]
        validators: list = []


class ApprovedPlacesSerializer(DatedFactSerializer):
    total = serializers.IntegerField(read_only=True, label=_("托位合计"))

    class Meta(DatedFactSerializer.Meta):
        model = ApprovedPlaces
        fields = [*DatedFactSerializer.Meta.fields, "infant", "toddler", "older", "mixed", "total"]


class FeeStandardSerializer(DatedFactSerializer):
    class Meta(DatedFactSerializer.Meta):
        model = FeeStandard
        fields = [*DatedFactSerializer.Meta.fields, "monthly_full_day", "monthly_half_day"]


class StarRatingSerializer(DatedFactSerializer):
    class Meta(DatedFactSerializer.Meta):
        model = StarRating
        fields = [*DatedFactSerializer.Meta.fields, "stars", "expires_on"]


class InstructorAssignmentSerializer(DatedFactSerializer):
    instructor = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True),
        allow_null=True,
        required=False,
        label=_("健康指导员"),
        help_text=_("留空表示自生效日期起不再指派。"),
    )

    class Meta(DatedFactSerializer.Meta):
        model = InstructorAssignment
        fields = [*DatedFactSerializer.Meta.fields, "instructor"]


class InclusiveRecognitionSerializer(ValidityPeriodSerializer):
    class Meta(ValidityPeriodSerializer.Meta):
        model = InclusiveRecognition
        fields = [*ValidityPeriodSerializer.Meta.fields, "document_number"]


class DemonstrationUnitSerializer(ValidityPeriodSerializer):
    class Meta(ValidityPeriodSerializer.Meta):
        model = DemonstrationUnit
        fields = [
            *ValidityPeriodSerializer.Meta.fields,
            "level",
            "title",
            "awarded_by",
            "document_number",
        ]


class CareContractSerializer(ValidityPeriodSerializer):
    class Meta(ValidityPeriodSerializer.Meta):
        model = CareContract
        fields = [*ValidityPeriodSerializer.Meta.fields, "health_facility", "facility"]


# --- Staff and certificates -------------------------------------------------------------------


class StaffOutputSerializer(serializers.ModelSerializer):
    institution_name = serializers.CharField(source="institution.name", read_only=True)
    id_number = MaskedResidentIdField(label=_("身份证号码（脱敏）"))

    class Meta:
        model = StaffMember
        fields = [
            "id",
            "institution",
            "institution_name",
            "name",
            "id_number",
            "role",
            "hired_on",
            "left_on",
        ]
        read_only_fields = fields


class StaffInputSerializer(serializers.ModelSerializer):
    institution = _institution_field(
        required=False, help_text=_("登记时必填；之后不能改为其他机构。")
    )
    id_number = ResidentIdEditField(required=False, label=_("身份证号码"))
    effective_from = serializers.DateField(
        required=False,
        write_only=True,
        label=_("岗位变更生效日期"),
        help_text=_("岗位变更自该日起生效；默认今天，不能晚于今天。"),
    )

    class Meta:
        model = StaffMember
        fields = [
            "institution",
            "name",
            "id_number",
            "role",
            "hired_on",
            "left_on",
            "effective_from",
        ]
        validators: list = []

    def validate_id_number(self, value: str):
        if not isinstance(value, MaskedInput):
            return value
        if self.instance is not None and value == self.instance.id_number.masked:
            return UNCHANGED
        raise serializers.ValidationError(
            _("请填写完整的18位身份证号码（脱敏号码只能原样提交，表示不修改）。"),
            code="resident_id_masked",
        )

    def validate(self, attrs: dict) -> dict:
        if attrs.get("id_number") is UNCHANGED:
            del attrs["id_number"]
        if self.instance is None:
            # Optional on update only; DRF's own "required" message and code on create.
            missing = {
                name: [
                    serializers.ErrorDetail(
                        str(self.fields[name].error_messages["required"]), code="required"
                    )
                ]
                for name in ("institution", "id_number")
                if name not in attrs
            }
            if missing:
                raise serializers.ValidationError(missing)
        elif "institution" in attrs and attrs["institution"].pk != self.instance.institution_id:
            # Employment is at one institution; someone who moves is hired again at the new one.
            raise serializers.ValidationError(
                {
                    "institution": [
                        serializers.ErrorDetail(
                            str(_("从业人员不能转到其他机构，请在新机构重新登记。")),
                            code="institution_immutable",
                        )
                    ]
                }
            )
        return attrs


class CertificateOutputSerializer(serializers.ModelSerializer):
    kind = enum_field(Certificate.Kind, "CertificateKindEnum", read_only=True, label=_("证书类型"))
    staff_name = serializers.CharField(read_only=True, label=_("姓名"))
    institution = serializers.IntegerField(source="institution_pk", read_only=True)

    class Meta:
        model = Certificate
        fields = [
            "id",
            "staff",
            "staff_name",
            "institution",
            "kind",
            "number",
            "issued_on",
            "expires_on",
        ]
        read_only_fields = fields


class CertificateInputSerializer(serializers.ModelSerializer):
    staff = ScopedPrimaryKeyRelatedField(
        queryset=StaffMember.objects.all(), message=STAFF_REFUSED, label=_("从业人员")
    )
    kind = enum_field(Certificate.Kind, "CertificateKindEnum", label=_("证书类型"))

    class Meta:
        model = Certificate
        fields = ["staff", "kind", "number", "issued_on", "expires_on"]
        validators: list = []
