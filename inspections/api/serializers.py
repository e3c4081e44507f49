"""Serializers of the inspections API: input and output shapes; rules live in the services."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from institutions.models import Institution
from portal.api.fields import MaskedResidentIdField, ResidentIdInputField
from portal.roles import scope

from ..models import (
    ChecklistItem,
    ChecklistTemplate,
    ConflictOfInterest,
    DrawAssignment,
    Finding,
    Incident,
    IncidentFollowUp,
    Inspection,
    InspectionPhoto,
    InspectionResult,
    RandomDraw,
    Rectification,
    RectificationEvidence,
    StaffCreditRecord,
)
from ..validators import validate_incident_time
from .common import (
    AreaField,
    DrawInstitutionKindField,
    FindingStateField,
    IncidentKindField,
    IncidentStateField,
    InspectionKindField,
    InspectionStateField,
    OutcomeField,
    ResultField,
    ReviewField,
    ScopedInstitutionField,
    SeverityField,
)


def _users():
    return get_user_model().objects.filter(is_active=True)


class ChecklistItemSerializer(serializers.ModelSerializer):
    area = AreaField(read_only=True)
    severity = SeverityField(read_only=True)

    class Meta:
        model = ChecklistItem
        fields = ["id", "area", "order", "text", "guidance", "weight", "severity"]


class ChecklistTemplateSerializer(serializers.ModelSerializer):
    kind = InspectionKindField(read_only=True)
    items = ChecklistItemSerializer(many=True, read_only=True)

    class Meta:
        model = ChecklistTemplate
        fields = ["id", "kind", "name", "basis", "is_active", "items"]


class PhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = InspectionPhoto
        fields = ["id", "url", "uploaded_at"]

    def get_url(self, photo) -> str:
        return reverse("v1:inspection-photo-file", args=[photo.pk])


class ResultSerializer(serializers.ModelSerializer):
    area = AreaField(read_only=True)
    severity = SeverityField(read_only=True)
    result = ResultField(read_only=True)
    photos = PhotoSerializer(many=True, read_only=True)

    class Meta:
        model = InspectionResult
        fields = ["id", "area", "order", "text", "weight", "severity", "result", "note", "photos"]


class InspectionSerializer(serializers.ModelSerializer):
    kind = InspectionKindField(read_only=True)
    state = InspectionStateField(read_only=True)
    outcome = OutcomeField(read_only=True)
    institution_name = serializers.CharField(source="institution.name", read_only=True)
    township = serializers.CharField(source="institution.township.name", read_only=True)
    inspectors = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    findings_count = serializers.IntegerField(read_only=True)
    open_findings_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Inspection
        fields = [
            "id",
            "institution",
            "institution_name",
            "township",
            "kind",
            "inspected_on",
            "inspectors",
            "joint_agencies",
            "draw_assignment",
            "state",
            "score",
            "outcome",
            "completed_at",
            "findings_count",
            "open_findings_count",
        ]


class InspectionDetailSerializer(InspectionSerializer):
    results = ResultSerializer(many=True, read_only=True)

    class Meta(InspectionSerializer.Meta):
        fields = [*InspectionSerializer.Meta.fields, "summary", "results"]


class InspectionInputSerializer(serializers.Serializer):
    institution = ScopedInstitutionField()
    kind = InspectionKindField()
    inspected_on = serializers.DateField()
    inspectors = serializers.PrimaryKeyRelatedField(many=True, queryset=_users())
    joint_agencies = serializers.CharField(required=False, allow_blank=True, max_length=200)


class InspectionUpdateSerializer(serializers.Serializer):
    inspected_on = serializers.DateField(required=False)
    inspectors = serializers.PrimaryKeyRelatedField(many=True, queryset=_users(), required=False)
    joint_agencies = serializers.CharField(required=False, allow_blank=True, max_length=200)
    summary = serializers.CharField(required=False, allow_blank=True)


class ResultInputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    result = ResultField(required=False)
    note = serializers.CharField(required=False, allow_blank=True)


class ResultsInputSerializer(serializers.Serializer):
    results = ResultInputSerializer(many=True)


class CompleteInputSerializer(serializers.Serializer):
    outcome = OutcomeField(required=False)
    summary = serializers.CharField(required=False, allow_blank=True)


class EvidenceSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = RectificationEvidence
        fields = ["id", "url", "uploaded_at"]

    def get_url(self, evidence) -> str:
        return reverse("v1:rectification-evidence-file", args=[evidence.pk])


class RectificationSerializer(serializers.ModelSerializer):
    review = ReviewField(read_only=True)
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = Rectification
        fields = [
            "id",
            "finding",
            "action_taken",
            "submitted_at",
            "review",
            "review_note",
            "reviewed_at",
            "evidence",
        ]


class FindingSerializer(serializers.ModelSerializer):
    area = AreaField(read_only=True)
    severity = SeverityField(read_only=True)
    state = FindingStateField(read_only=True)
    institution = serializers.IntegerField(source="inspection.institution_id", read_only=True)
    institution_name = serializers.CharField(source="inspection.institution.name", read_only=True)
    is_overdue = serializers.BooleanField(source="is_overdue_now", read_only=True)
    closed_on_time = serializers.BooleanField(read_only=True)
    rectifications = RectificationSerializer(many=True, read_only=True)

    class Meta:
        model = Finding
        fields = [
            "id",
            "inspection",
            "institution",
            "institution_name",
            "area",
            "title",
            "detail",
            "severity",
            "found_on",
            "deadline",
            "state",
            "is_overdue",
            "overdue_notified_at",
            "closed_on",
            "closed_on_time",
            "rectifications",
        ]


class FindingInputSerializer(serializers.Serializer):
    inspection = serializers.PrimaryKeyRelatedField(queryset=Inspection.objects.all())
    area = AreaField()
    title = serializers.CharField(max_length=300)
    severity = SeverityField()
    deadline = serializers.DateField(required=False)
    detail = serializers.CharField(required=False, allow_blank=True)

    def validate_inspection(self, inspection):
        request = self.context.get("request")
        if not scope(getattr(request, "user", None), Inspection).filter(pk=inspection.pk).exists():
            raise serializers.ValidationError(_("检查不存在。"), code="does_not_exist")
        return inspection


class FindingUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300, required=False)
    severity = SeverityField(required=False)
    deadline = serializers.DateField(required=False)
    detail = serializers.CharField(required=False, allow_blank=True)


class RectifyInputSerializer(serializers.Serializer):
    action_taken = serializers.CharField()
    evidence = serializers.ListField(
        child=serializers.FileField(), required=False, allow_empty=True
    )


class ReviewInputSerializer(serializers.Serializer):
    accept = serializers.BooleanField(
        help_text="true：验收通过并销号；false：退回重改（须填写 note）"
    )
    note = serializers.CharField(required=False, allow_blank=True)


class DrawAssignmentSerializer(serializers.ModelSerializer):
    inspectors = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    institution_name = serializers.CharField(source="institution.name", read_only=True)
    inspection = serializers.SerializerMethodField()

    class Meta:
        model = DrawAssignment
        fields = ["position", "institution", "institution_name", "inspectors", "inspection"]

    def get_inspection(self, assignment) -> int | None:
        inspection = getattr(assignment, "inspection", None)
        return inspection.pk if inspection else None


class RandomDrawSerializer(serializers.ModelSerializer):
    assignments = DrawAssignmentSerializer(many=True, read_only=True)
    institution_pool = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField()), read_only=True
    )
    inspector_pool = serializers.ListField(child=serializers.IntegerField(), read_only=True)
    conflicts = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField()), read_only=True
    )
    filters = serializers.DictField(read_only=True)

    class Meta:
        model = RandomDraw
        fields = [
            "id",
            "title",
            "drawn_on",
            "seed",
            "algorithm",
            "filters",
            "risk_weighted",
            "sample_size",
            "inspectors_per_institution",
            "institution_pool",
            "inspector_pool",
            "conflicts",
            "note",
            "created_at",
            "published_at",
            "assignments",
        ]


class DrawInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    drawn_on = serializers.DateField()
    sample_size = serializers.IntegerField(min_value=1, required=False)
    share = serializers.DecimalField(
        max_digits=5,
        decimal_places=4,
        min_value=0,
        max_value=1,
        required=False,
        help_text="抽取比例（0到1），未给 sample_size 时使用，向上取整",
    )
    inspectors_per_institution = serializers.IntegerField(min_value=2, default=2)
    township_ids = serializers.ListField(child=serializers.IntegerField(), required=False)
    kinds = serializers.ListField(child=DrawInstitutionKindField(), required=False)
    risky_only = serializers.BooleanField(default=False)
    risk_weighted = serializers.BooleanField(default=False)
    inspector_ids = serializers.ListField(child=serializers.IntegerField(), required=False)
    seed = serializers.IntegerField(min_value=0, max_value=2**62, required=False)
    note = serializers.CharField(required=False, allow_blank=True)


class ConflictSerializer(serializers.ModelSerializer):
    inspector = serializers.PrimaryKeyRelatedField(queryset=_users())
    institution = serializers.PrimaryKeyRelatedField(queryset=Institution.objects.all())

    class Meta:
        model = ConflictOfInterest
        fields = [
            "id",
            "inspector",
            "institution",
            "reason",
            "valid_from",
            "valid_to",
            "recorded_at",
        ]
        read_only_fields = ["recorded_at"]


class FollowUpSerializer(serializers.ModelSerializer):
    class Meta:
        model = IncidentFollowUp
        fields = ["id", "note", "closes", "author", "created_at"]


class IncidentSerializer(serializers.ModelSerializer):
    kind = IncidentKindField(read_only=True)
    state = IncidentStateField(read_only=True)
    institution_name = serializers.CharField(source="institution.name", read_only=True)
    follow_ups = FollowUpSerializer(many=True, read_only=True)

    class Meta:
        model = Incident
        fields = [
            "id",
            "institution",
            "institution_name",
            "kind",
            "occurred_at",
            "description",
            "children_affected",
            "immediate_action",
            "reported_by",
            "reported_at",
            "escalated_at",
            "state",
            "closed_at",
            "follow_ups",
        ]


class IncidentTimeField(serializers.DateTimeField):
    """When an incident happened (`validate_incident_time`), a correction included."""

    def to_internal_value(self, value) -> dt.datetime:
        moment = super().to_internal_value(value)
        try:
            return validate_incident_time(moment)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages, code=error.code) from None


class IncidentInputSerializer(serializers.Serializer):
    institution = ScopedInstitutionField()
    kind = IncidentKindField()
    occurred_at = IncidentTimeField()
    description = serializers.CharField()
    children_affected = serializers.IntegerField(min_value=0, default=0)
    immediate_action = serializers.CharField(required=False, allow_blank=True)


class IncidentUpdateSerializer(serializers.Serializer):
    kind = IncidentKindField(required=False)
    occurred_at = IncidentTimeField(required=False)
    description = serializers.CharField(required=False)
    children_affected = serializers.IntegerField(min_value=0, required=False)
    immediate_action = serializers.CharField(required=False, allow_blank=True)


class FollowUpInputSerializer(serializers.Serializer):
    note = serializers.CharField()
    close = serializers.BooleanField(default=False)


class StaffCreditRecordSerializer(serializers.ModelSerializer):
    id_number = MaskedResidentIdField()

    class Meta:
        model = StaffCreditRecord
        fields = [
            "id",
            "name",
            "id_number",
            "reason",
            "recorded_on",
            "valid_until",
            "staff",
            "finding",
            "recorded_at",
        ]


class StaffCreditRecordInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    id_number = ResidentIdInputField()
    reason = serializers.CharField()
    recorded_on = serializers.DateField()
    valid_until = serializers.DateField(required=False, allow_null=True)


class CoverageRowSerializer(serializers.Serializer):
    township = serializers.IntegerField()
    township_name = serializers.CharField()
    counted = serializers.IntegerField()
    patrol_done = serializers.IntegerField()
    guidance_done = serializers.IntegerField()
    annual_done = serializers.IntegerField()
