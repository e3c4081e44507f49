"""What the task force's office keeps besides the tasks: the deliverables the plan names (§8), the
supervision rounds (督导) with their findings, the funds (§5) and the public-service catalogue
(目录清单, 一(五))."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from inspections.validators import EVIDENCE_MAX_BYTES, validate_evidence_file

from ..phases import Phase
from .tasks import Department, Task

MONEY = {"max_digits": 14, "decimal_places": 2}


def _deliverable_path(instance: Deliverable, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"programme/deliverables/{instance.pk or 'new'}.{suffix}"


class Deliverable(models.Model):
    """A document or body the plan names (plan.md §8). Owner and date: plan silent unless given."""

    class State(models.TextChoices):
        PENDING = "pending", _("未开始")
        DRAFTING = "drafting", _("推进中")
        DONE = "done", _("已完成")

    name = models.CharField(_("名称"), max_length=200, unique=True)
    source = models.CharField(_("方案出处"), max_length=40, blank=True)
    task = models.ForeignKey(
        Task,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliverables",
        verbose_name=_("所属任务"),
    )
    phase = models.CharField(_("阶段"), max_length=16, choices=Phase.choices, blank=True)
    owner = models.CharField(_("责任方"), max_length=100, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    due_date = models.DateField(_("计划日期"), null=True, blank=True, help_text=_("含当日。"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    file = models.FileField(
        _("成果文件"),
        upload_to=_deliverable_path,
        blank=True,
        validators=[validate_evidence_file],
        help_text=format_lazy(_("PDF 或照片，不超过{mb}MB。"), mb=EVIDENCE_MAX_BYTES // 2**20),
    )
    note = models.TextField(_("说明"), blank=True)

    history = HistoricalRecords()
    programme_record = True

    class Meta:
        verbose_name = _("成果")
        verbose_name_plural = _("成果")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="done") | Q(done_on__isnull=False),
                name="programme_deliverable_done_has_date",
                violation_error_message=_("已完成的成果须填写完成日期。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SupervisionRound(models.Model):
    """A round of supervision checks (督导检查) held by the office; closed by the office."""

    title = models.CharField(_("名称"), max_length=120)
    held_on = models.DateField(_("督导日期"))
    note = models.TextField(_("说明"), blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("关闭人"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("记录人"),
    )

    history = HistoricalRecords()
    programme_record = True

    class Meta:
        verbose_name = _("督导")
        verbose_name_plural = _("督导")
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True, closed_by__isnull=True)
                | Q(closed_at__isnull=False, closed_by__isnull=False),
                name="programme_round_closed_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on:%Y-%m-%d})"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class SupervisionFinding(models.Model):
    """A finding of a round about one task, and its follow-up."""

    round = models.ForeignKey(
        SupervisionRound, on_delete=models.CASCADE, related_name="findings", verbose_name=_("督导")
    )
    task = models.ForeignKey(
        Task, on_delete=models.PROTECT, related_name="findings", verbose_name=_("试点任务")
    )
    text = models.TextField(_("督导发现"))
    follow_up = models.TextField(_("跟进情况"), blank=True)
    resolved = models.BooleanField(_("已解决"), default=False)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    history = HistoricalRecords()
    programme_record = True

    class Meta:
        verbose_name = _("督导发现")
        verbose_name_plural = _("督导发现")
        ordering = ["round", "task__number", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolved=False) | ~Q(follow_up=""),
                name="programme_finding_resolved_has_follow_up",
                violation_error_message=_("标记为已解决前须填写跟进情况。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.task}"


class Fund(models.Model):
    """A source of money for the pilot (plan.md §5). Amounts and years: plan silent."""

    class Kind(models.TextChoices):
        CENTRAL_BUDGET = "central_budget", _("中央预算内投资")
        SPECIAL_BONDS = "special_bonds", _("地方专项债")
        LOCAL_FISCAL = "local_fiscal", _("地方财政投入")
        PROVINCIAL_SUBSIDY = "provincial_subsidy", _("省补资金")

    kind = models.CharField(_("资金来源"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=120, unique=True)
    purpose = models.TextField(_("用途（方案）"), blank=True)
    note = models.TextField(_("说明"), blank=True)

    history = HistoricalRecords()
    programme_record = True

    class Meta:
        verbose_name = _("资金")
        verbose_name_plural = _("资金")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class FundUse(models.TextChoices):
    """The provincial subsidy's six uses (plan.md §5); other funds book with no use."""

    INSTITUTION_AWARDS = "institution_awards", _("托育机构奖补")
    VOUCHERS = "vouchers", _("托育券发放")
    PUBLICITY = "publicity", _("托育服务宣传月系列活动")
    CENTRE_UPGRADE = "centre_upgrade", _("市托育综合中心提升工程")
    INCLUSIVE_CARE = "inclusive_care", _("“融合托育”")
    TRAINING = "training", _("人员培训")


class FundMonth(models.Model):
    """Budget and spending of a fund (and, for the provincial subsidy, one use) in one month.
    The vouchers use has no typed spending: it is read from the voucher ledger."""

    fund = models.ForeignKey(
        Fund, on_delete=models.PROTECT, related_name="months", verbose_name=_("资金")
    )
    use = models.CharField(_("用途"), max_length=20, choices=FundUse.choices, blank=True)
    period = models.DateField(_("月份"), help_text=_("该月第一天。"))
    budget = models.DecimalField(_("预算（元）"), **MONEY, null=True, blank=True)
    spent = models.DecimalField(_("支出（元）"), **MONEY, null=True, blank=True)

    history = HistoricalRecords()
    programme_record = True

    class Meta:
        verbose_name = _("资金月度数据")
        verbose_name_plural = _("资金月度数据")
        ordering = ["fund", "period", "use"]
        constraints = [
            models.UniqueConstraint(
                fields=["fund", "use", "period"], name="programme_fund_month_unique"
            ),
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget__gte=0),
                name="programme_fund_budget_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(spent__isnull=True) | Q(spent__gte=0),
                name="programme_fund_spent_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(use="vouchers") | Q(spent__isnull=True),
                name="programme_fund_vouchers_spent_from_ledger",
                violation_error_message=_("托育券支出从托育券流水读取，不能手工填写。"),
            ),
            models.CheckConstraint(
                condition=Q(period__day=1),
                name="programme_fund_month_first_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fund} {self.get_use_display()} {self.period:%Y-%m}"


class CatalogueItem(models.Model):
    """An item of the basic public-service catalogue (目录清单). The plan gives no items and no
    fields: these fields are the portal's choice. Only published items are shown to the public."""

    name = models.CharField(_("服务名称"), max_length=120, unique=True)
    eligibility = models.TextField(_("服务对象"), blank=True)
    content = models.TextField(_("服务内容"))
    standard = models.TextField(_("服务标准"), blank=True)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="catalogue_items",
        verbose_name=_("责任单位"),
    )
    how_to_apply = models.TextField(_("办理方式"), blank=True)
    fee = models.CharField(_("收费"), max_length=120, blank=True)
    portal_url = models.CharField(
        _("平台页面"),
        max_length=200,
        blank=True,
        help_text=_("本平台中办理该服务的页面路径，如 /tuoyuquan/。"),
    )
    is_demo = models.BooleanField(_("演示数据"), default=False)
    published = models.BooleanField(_("已发布"), default=False)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    updated_at = models.DateTimeField(_("最后修改"), auto_now=True)

    history = HistoricalRecords()
    programme_record = True

    class Meta:
        verbose_name = _("基本公共服务目录")
        verbose_name_plural = _("基本公共服务目录")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(portal_url="") | Q(portal_url__regex=r"^/([^/]|$)"),
                name="programme_catalogue_url_is_a_path",
                violation_error_message=_("平台页面须为本平台内的路径，以 / 开头。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name
