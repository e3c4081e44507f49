"""The star-rating API (read only; writes go through the pages and ratings.services): criteria
sets for the registry's readers (city-wide roles and operators), applications with their scores
scoped as the pages (operators their own institutions', city-wide roles all)."""

from __future__ import annotations

from rest_framework import serializers, viewsets

from portal.api.permissions import READERS, ScopedQuerysetMixin

from .models import ApplicationScore, CriteriaSet, Criterion, RatingApplication, StarThreshold


class CriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Criterion
        fields = ["id", "order", "text", "max_score"]


class ThresholdSerializer(serializers.ModelSerializer):
    class Meta:
        model = StarThreshold
        fields = ["stars", "min_score"]


class CriteriaSetSerializer(serializers.ModelSerializer):
    criteria = CriterionSerializer(many=True, read_only=True)
    thresholds = ThresholdSerializer(many=True, read_only=True)

    class Meta:
        model = CriteriaSet
        fields = ["id", "name", "valid_from", "note", "criteria", "thresholds"]


class ScoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApplicationScore
        fields = ["criterion", "self_score", "self_note", "review_score", "review_note"]


class ApplicationSerializer(serializers.ModelSerializer):
    scores = ScoreSerializer(many=True, read_only=True)
    evidence_count = serializers.SerializerMethodField()

    class Meta:
        model = RatingApplication
        fields = [
            "id",
            "institution",
            "criteria_set",
            "stars_applied",
            "state",
            "note",
            "submitted_at",
            "returned_note",
            "reviewed_at",
            "review_total",
            "review_note",
            "decided_on",
            "stars_granted",
            "decision_note",
            "star_rating",
            "scores",
            "evidence_count",
        ]

    def get_evidence_count(self, obj) -> int:
        return len(obj.evidence.all())


class CriteriaSetViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    """评定标准: items, maximum scores and the total each star level needs."""

    queryset = CriteriaSet.objects.prefetch_related("criteria", "thresholds")
    serializer_class = CriteriaSetSerializer
    read_roles = READERS


class RatingApplicationViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    """星级评定申请 with the self-assessment and review scores; operators see their own."""

    queryset = RatingApplication.objects.prefetch_related("scores", "evidence")
    serializer_class = ApplicationSerializer
    filterset_fields = ["institution", "state"]
    read_roles = READERS
