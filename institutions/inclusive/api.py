"""API of inclusive care (/api/v1/support-cases/ and /api/v1/support-reviews/). Scoped as the
pages are (portal.roles: the bureau, the institution's operators, the supporting facility's
users); every answer that shows a case writes its read to the access log, one insert per request.
The child's name and ID number leave only masked; the ID number comes in write-only."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from portal.api.errors import service_errors
from portal.api.fields import MaskedNameField, MaskedResidentIdField, ResidentIdInputField
from portal.api.permissions import RolePermission

from . import selectors, services
from .models import SupportCase, SupportCaseAccess, SupportReview
from .selectors import CASE_ROLES

API = SupportCaseAccess.Channel.API
LIST, DETAIL = SupportCaseAccess.Action.LIST, SupportCaseAccess.Action.DETAIL


class SupportCaseSerializer(serializers.ModelSerializer):
    child_name = MaskedNameField(label=_("幼儿姓名（脱敏）"))
    child_id_number = MaskedResidentIdField(label=_("幼儿身份证号码（脱敏）"))

    class Meta:
        model = SupportCase
        fields = [
            "id",
            "institution",
            "facility",
            "child_name",
            "child_birth_date",
            "child_id_number",
            "need",
            "plan",
            "opened_on",
            "closed_on",
        ]
        read_only_fields = fields


class SupportCaseInputSerializer(serializers.ModelSerializer):
    child_name = serializers.CharField(max_length=50, write_only=True, label=_("幼儿姓名"))
    child_id_number = ResidentIdInputField(required=False, label=_("幼儿身份证号码"))

    class Meta:
        model = SupportCase
        fields = [
            "institution",
            "facility",
            "child_name",
            "child_birth_date",
            "child_id_number",
            "need",
            "plan",
            "opened_on",
        ]


class SupportReviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = SupportReview
        fields = [
            "id",
            "case",
            "reviewed_on",
            "progress",
            "next_step",
            "next_review_by",
            "reviewer",
        ]
        read_only_fields = ["id", "reviewer"]
        # The browsable API's form takes the case's number: a select would list every case in
        # scope (masked name and need) without writing those reads to the access log.
        extra_kwargs = {"case": {"style": {"base_template": "input.html"}}}

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["case"].queryset = selectors.cases(request.user)
        return fields


class _AuditedReads:
    """list and retrieve write one access row per case shown (one insert). Signed in,
    `RolePermission`; the queryset is scoped by portal.roles (selectors.cases)."""

    permission_classes = [permissions.IsAuthenticated, RolePermission]

    def audited_cases(self, objects) -> list[int]:
        raise NotImplementedError

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        shown = getattr(self, "_shown", [])
        services.audit_reads(user=request.user, cases=shown, channel=API, action=LIST)
        return response

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        objects = page if page is not None else list(queryset)
        self._shown = self.audited_cases(objects)
        return page

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        services.audit_reads(
            user=request.user, cases=self.audited_cases([instance]), channel=API, action=DETAIL
        )
        return super().retrieve(request, *args, **kwargs)


class SupportCaseViewSet(
    _AuditedReads,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """融合托育帮扶个案."""

    queryset = SupportCase.objects.all()  # the model, for the schema; get_queryset scopes
    serializer_class = SupportCaseSerializer
    read_roles = CASE_ROLES
    write_roles = CASE_ROLES
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.cases(self.request.user).order_by("-opened_on", "-pk")

    def audited_cases(self, objects) -> list[int]:
        return [case.pk for case in objects]

    @extend_schema(request=SupportCaseInputSerializer, responses={201: SupportCaseSerializer})
    def create(self, request, *args, **kwargs) -> Response:
        data = SupportCaseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if not selectors.may_write(
            request.user, institution_id=values["institution"].pk, facility_id=values["facility"].pk
        ):
            raise PermissionDenied(_("您的账号不能为该机构登记个案。"))
        with service_errors():
            case = services.case_save(case=SupportCase(**values), actor=request.user)
        return Response(SupportCaseSerializer(case).data, status=status.HTTP_201_CREATED)


class SupportReviewViewSet(
    _AuditedReads,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """帮扶评估 of the cases the caller may see."""

    queryset = SupportReview.objects.all()  # the model, for the schema; get_queryset scopes
    serializer_class = SupportReviewSerializer
    read_roles = CASE_ROLES
    write_roles = CASE_ROLES
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return SupportReview.objects.filter(case__in=selectors.cases(self.request.user)).order_by(
            "-reviewed_on", "-pk"
        )

    def audited_cases(self, objects) -> list[int]:
        return list(dict.fromkeys(review.case_id for review in objects))

    def perform_create(self, serializer):
        data = serializer.validated_data
        with service_errors():
            serializer.instance = services.review_add(
                review=SupportReview(**data), actor=self.request.user
            )
