"""Serializers of the report API: one output shape per model, and the inputs each action takes."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from institutions.health.fields import MobilesListField
from institutions.lecturers.selectors import members_for_session
from institutions.models import Community, HealthFacility, Township
from portal.api.fields import MonthField
from portal.dates import deadline_as_datetime, due_on
from portal.roles import is_bureau

from .. import services
from ..models import MonthlyReport, ParentingSession
from .common import ReportableInstitutionField

# --- Monthly reports ---------------------------------------------------------------------------


class WarningSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    message = serializers.CharField(read_only=True)


@extend_schema_field(
    {"type": "string", "enum": MonthlyReport.State.values}, component_name="MonthlyReportState"
)
class ReportStateField(serializers.CharField):
    pass


class MonthlyReportSerializer(serializers.ModelSerializer):
    """A report as every caller sees it, with why it cannot be edited now (if it cannot)."""

    institution_name = serializers.CharField(source="institution.name", label=_("机构名称"))
    credit_code = serializers.CharField(
        source="institution.credit_code", label=_("统一社会信用代码")
    )
    township = serializers.IntegerField(source="institution.township_id", label=_("镇街"))
    township_name = serializers.CharField(source="institution.township.name", label=_("镇街"))
    period = MonthField(label=_("月份"))
    state = ReportStateField(label=_("状态"))
    state_display = serializers.CharField(source="get_state_display", label=_("状态"))
    enrolled_total = serializers.IntegerField(label=_("在托总人数"))
    warnings = WarningSerializer(many=True, label=_("预警"))
    due_on = serializers.SerializerMethodField(label=_("截止日期（含当日）"))
    is_on_time = serializers.SerializerMethodField(label=_("按时提交"))
    edit_block_reason = serializers.SerializerMethodField(label=_("不能修改的原因"))

    class Meta:
        model = MonthlyReport
        fields = [
            "id",
            "institution",
            "institution_name",
            "credit_code",
            "township",
            "township_name",
            "period",
            "state",
            "state_display",
            *services.EDITABLE_FIELDS,
            "enrolled_total",
            "registry_staff_on_duty",
            "registry_staff_certified",
            "warnings",
            "return_reason",
            "first_submitted_at",
            "submitted_at",
            "reviewed_at",
            "due_on",
            "is_on_time",
            "edit_block_reason",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.DATE)
    def get_due_on(self, report: MonthlyReport) -> dt.date:
        return due_on(report.period)

    @extend_schema_field({"type": "boolean", "nullable": True})
    def get_is_on_time(self, report: MonthlyReport) -> bool | None:
        """None until first submitted."""
        if report.first_submitted_at is None:
            return None
        return report.first_submitted_at <= deadline_as_datetime(report.period)

    @extend_schema_field(OpenApiTypes.STR)
    def get_edit_block_reason(self, report: MonthlyReport) -> str:
        today = self.context.get("today")
        if hasattr(report, "exception_until"):  # read by selectors.reports_with_exception
            return services.edit_block_reason_with_exception(
                report, exception_until=report.exception_until, today=today
            )
        return services.edit_block_reason(report, today=today)


class ReportStartSerializer(serializers.Serializer):
    institution = ReportableInstitutionField(label=_("机构"))
    period = MonthField(label=_("月份"))


class ReportFieldsSerializer(serializers.ModelSerializer):
    """The numbers an operator fills in; every one optional. Anything else is refused, not
    silently ignored, so a client never believes it changed the state or the institution."""

    class Meta:
        model = MonthlyReport
        fields = list(services.EDITABLE_FIELDS)
        extra_kwargs = {name: {"required": False} for name in services.EDITABLE_FIELDS}

    def validate(self, attrs: dict) -> dict:
        unknown = sorted(set(getattr(self, "initial_data", {}) or {}) - set(self.fields))
        if unknown:
            message = str(_("该字段不能在月报中填写或修改。"))
            raise serializers.ValidationError(
                {name: [ErrorDetail(message, code="readonly")] for name in unknown}
            )
        return attrs


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", label=_("原因（机构经办人可见）")
    )


class ReviewSerializer(serializers.Serializer):
    ACTIONS = (("accept", _("审核通过")), ("return", _("退回")))

    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), allow_empty=False, max_length=500
    )
    action = serializers.ChoiceField(choices=ACTIONS, label=_("操作"))
    reason = serializers.CharField(required=False, allow_blank=True, default="")

    def validate(self, attrs: dict) -> dict:
        # Checked once here so a blank reason is one 400, not one error per report; the message
        # is the service's own.
        if attrs["action"] == "return" and not attrs["reason"].strip():
            raise serializers.ValidationError(
                {"reason": [ErrorDetail(str(_("请填写原因，机构经办人会看到。")), code="required")]}
            )
        return attrs


class ReviewResultSerializer(serializers.Serializer):
    done = serializers.IntegerField(label=_("已处理"))
    errors = serializers.ListField(child=serializers.CharField(), label=_("未处理及原因"))
    not_found = serializers.ListField(child=serializers.IntegerField(), label=_("不存在的编号"))


# --- Parenting sessions ------------------------------------------------------------------------


@extend_schema_field(
    {"type": "string", "enum": ParentingSession.OrganiserKind.values},
    component_name="OrganiserKind",
)
class OrganiserKindField(serializers.ChoiceField):
    pass


class ParentingSessionSerializer(serializers.ModelSerializer):
    organiser_kind = OrganiserKindField(
        choices=ParentingSession.OrganiserKind.choices, label=_("组织方类型")
    )
    organiser_kind_display = serializers.CharField(source="get_organiser_kind_display")
    institution_name = serializers.CharField(
        source="institution.name", allow_null=True, label=_("组织机构")
    )
    facility_name = serializers.CharField(
        source="facility.name", allow_null=True, label=_("组织医疗卫生机构")
    )
    township_name = serializers.CharField(source="township.name", label=_("镇街"))
    community_name = serializers.CharField(
        source="community.name", allow_null=True, label=_("所在社区")
    )
    families_on_list = serializers.IntegerField(label=_("签到名单家庭数"))

    class Meta:
        model = ParentingSession
        fields = [
            "id",
            "held_on",
            "organiser_kind",
            "organiser_kind_display",
            "organiser_name",
            "institution",
            "institution_name",
            "facility",
            "facility_name",
            "township",
            "township_name",
            "venue",
            "community",
            "community_name",
            "topic",
            "families_reached",
            "families_on_list",
            "lecturers",
        ]
        read_only_fields = fields


class LecturerChoiceField(serializers.PrimaryKeyRelatedField):
    """A member of the lecturer team the caller may name (lecturers.selectors.members_for_session);
    whether they were a member on the session's day is the service's rule."""

    def get_queryset(self):
        request = self.context.get("request")
        return members_for_session(getattr(request, "user", None))


class ParentingSessionInputSerializer(serializers.ModelSerializer):
    """An institution's session takes its name and township from the institution unless given;
    a health centre's (bureau staff only) names its facility, whose name and township it takes.
    `mobiles` (optional, write-only) is the attendance list: the head count is then its length."""

    organiser_kind = OrganiserKindField(
        choices=ParentingSession.OrganiserKind.choices,
        default=ParentingSession.OrganiserKind.INSTITUTION,
        label=_("组织方类型"),
    )
    institution = ReportableInstitutionField(required=False, allow_null=True, label=_("组织机构"))
    organiser_name = serializers.CharField(
        required=False, allow_blank=True, max_length=200, label=_("组织方名称")
    )
    township = serializers.PrimaryKeyRelatedField(
        queryset=Township.objects.all(), required=False, label=_("镇街")
    )
    facility = serializers.PrimaryKeyRelatedField(
        queryset=HealthFacility.objects.all(),
        required=False,
        allow_null=True,
        label=_("组织医疗卫生机构"),
    )
    venue = serializers.ChoiceField(
        choices=ParentingSession.Venue.choices, required=False, allow_blank=True
    )
    community = serializers.PrimaryKeyRelatedField(
        queryset=Community.objects.all(), required=False, allow_null=True, label=_("所在社区")
    )
    families_reached = serializers.IntegerField(min_value=0, required=False)
    lecturers = LecturerChoiceField(many=True, required=False, label=_("主讲讲师"))
    mobiles = MobilesListField(required=False, write_only=True, label=_("签到家长手机号码"))

    class Meta:
        model = ParentingSession
        fields = [
            "held_on",
            "organiser_kind",
            "institution",
            "organiser_name",
            "township",
            "facility",
            "venue",
            "community",
            "topic",
            "families_reached",
            "lecturers",
            "mobiles",
        ]

    def validate(self, attrs: dict) -> dict:
        user = self.context["request"].user
        health_centre = attrs["organiser_kind"] == ParentingSession.OrganiserKind.HEALTH_CENTRE
        if health_centre and not is_bureau(user):
            raise serializers.ValidationError(
                {
                    "organiser_kind": [
                        ErrorDetail(
                            str(_("机构经办人只能填报本机构组织的活动。")), code="forbidden"
                        )
                    ]
                }
            )
        facility = attrs.get("facility")
        if health_centre:
            if facility is None:
                raise serializers.ValidationError(
                    {"facility": [_("请选择组织活动的卫生院或社区卫生服务中心。")]}
                )
            attrs["township"] = facility.township
            attrs["organiser_name"] = facility.name
        elif facility is not None:
            raise serializers.ValidationError(
                {"facility": [_("托育机构组织的活动不关联医疗卫生机构。")]}
            )
        institution = attrs.get("institution")
        if institution is not None:
            attrs.setdefault("township", institution.township)
            attrs["organiser_name"] = attrs.get("organiser_name") or institution.name
        if not attrs.get("mobiles") and attrs.get("families_reached") is None:
            raise serializers.ValidationError(
                {"families_reached": [_("请填写参与家庭数，或提供签到名单。")]}
            )
        attrs.setdefault("families_reached", 0)
        return attrs
