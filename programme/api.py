"""The programme's API (under /api/v1/): tasks, progress updates, funds and the catalogue, read by
the programme's readers (portal.roles.PROGRAMME_READERS) with the pages' scoping; progress is
written by the task's departments and the office, through the same service as the page."""

from __future__ import annotations

from django.db.models import Prefetch
from rest_framework import mixins, parsers, serializers, status, viewsets
from rest_framework.response import Response

from portal.api.errors import service_errors
from portal.api.permissions import BUREAU, ScopedQuerysetMixin
from portal.roles import PROGRAMME_READERS, Role

from . import services
from .funds import fund_overview
from .models import CatalogueItem, Fund, ProgressUpdate, Status, SubItem, Task


class SubItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = SubItem
        fields = [
            "id",
            "number",
            "title",
            "text",
            "status",
            "due_date",
            "owner",
            "phase",
            "indicators",
        ]


class TaskSerializer(serializers.ModelSerializer):
    lead = serializers.CharField(source="lead.name")
    co_responsible = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    sub_items = SubItemSerializer(many=True, read_only=True)

    class Meta:
        model = Task
        fields = [
            "id",
            "number",
            "title",
            "text",
            "lead",
            "co_responsible",
            "status",
            "due_date",
            "owner",
            "phase",
            "indicators",
            "sub_items",
        ]


class ProgressUpdateSerializer(serializers.ModelSerializer):
    department = serializers.CharField(source="department.name")
    task = serializers.IntegerField(source="task.number")
    sub_item = serializers.IntegerField(source="sub_item.number", allow_null=True)
    evidence = serializers.SerializerMethodField()

    class Meta:
        model = ProgressUpdate
        fields = [
            "id",
            "task",
            "sub_item",
            "department",
            "text",
            "status",
            "created_at",
            "evidence",
        ]

    def get_evidence(self, obj) -> list[int]:
        return [evidence.pk for evidence in obj.evidence.all()]


class ProgressInputSerializer(serializers.Serializer):
    task = serializers.IntegerField(help_text="任务序号 1-8")
    sub_item = serializers.IntegerField(required=False, allow_null=True, help_text="子项序号")
    text = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices, required=False, allow_blank=True)
    evidence = serializers.ListField(
        child=serializers.FileField(), required=False, help_text="佐证材料（JPEG、PNG、WebP、PDF）"
    )


class ProgrammeViewSet(ScopedQuerysetMixin, viewsets.GenericViewSet):
    read_roles = PROGRAMME_READERS
    write_roles = BUREAU


class TaskViewSet(ProgrammeViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """试点任务: the plan's eight tasks with their sub-items, departments and status."""

    queryset = (
        Task.objects.select_related("lead")
        .prefetch_related(
            "co_responsible", Prefetch("sub_items", SubItem.objects.order_by("number"))
        )
        .order_by("number")
    )
    serializer_class = TaskSerializer


class ProgressUpdateViewSet(ProgrammeViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """进展填报: read by the programme's readers; filed by a task's departments (lead,
    co-responsible or assigned to a sub-item) or by the office, for that task only."""

    queryset = ProgressUpdate.objects.select_related(
        "task", "sub_item", "department"
    ).prefetch_related("evidence")
    serializer_class = ProgressUpdateSerializer
    write_roles = frozenset(BUREAU | {Role.DEPARTMENT})
    parser_classes = [parsers.MultiPartParser, parsers.FormParser, parsers.JSONParser]

    def get_queryset(self):
        queryset = super().get_queryset()
        task = self.request.query_params.get("task")
        return queryset.filter(task__number=task) if task and task.isdigit() else queryset

    def create(self, request):
        data = ProgressInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        task = Task.objects.filter(number=values["task"]).first()
        if task is None:
            raise serializers.ValidationError({"task": ["没有该任务。"]})
        sub_item = None
        if values.get("sub_item"):
            sub_item = task.sub_items.filter(number=values["sub_item"]).first()
            if sub_item is None:
                raise serializers.ValidationError({"sub_item": ["该任务没有此子项。"]})
        with service_errors():
            update = services.progress_update_create(
                task=task,
                actor=request.user,
                text=values["text"],
                sub_item=sub_item,
                status=values.get("status", ""),
                files=values.get("evidence", []),
            )
        return Response(ProgressUpdateSerializer(update).data, status=status.HTTP_201_CREATED)


class FundSerializer(serializers.ModelSerializer):
    class Meta:
        model = Fund
        fields = ["id", "kind", "name", "purpose", "note"]


class FundViewSet(ProgrammeViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """资金: the plan's funds; a fund's detail has its monthly budget and spending per use, the
    vouchers use read from the voucher ledger."""

    queryset = Fund.objects.order_by("pk")
    serializer_class = FundSerializer

    def retrieve(self, request, *args, **kwargs):
        fund = self.get_object()
        overview = fund_overview(fund)
        payload = FundSerializer(fund).data
        payload["months"] = [
            {
                "period": f"{row.period:%Y-%m}",
                "use": row.use,
                "budget": row.budget,
                "spent": row.spent,
                "from_ledger": row.from_ledger,
            }
            for row in overview.rows
        ]
        payload["budget_total"] = overview.budget_total
        payload["spent_total"] = overview.spent_total
        return Response(payload)


class CatalogueItemSerializer(serializers.ModelSerializer):
    department = serializers.CharField(source="department.name", allow_null=True, default=None)

    class Meta:
        model = CatalogueItem
        fields = [
            "id",
            "name",
            "eligibility",
            "content",
            "standard",
            "department",
            "how_to_apply",
            "fee",
            "portal_url",
            "published",
            "is_demo",
            "updated_at",
        ]


class CatalogueViewSet(ProgrammeViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """基本公共服务目录: every item, published or not, for the programme's readers."""

    queryset = CatalogueItem.objects.select_related("department").order_by("order", "pk")
    serializer_class = CatalogueItemSerializer
