"""Childcare vouchers (托育券): batches, applications, vouchers, the ledger, enrolments,
redemptions and settlements; the families (guardians, children) are in children.py.

Money is Decimal yuan with two places. Invariants that matter are database constraints as well as
checks in vouchers/services/: a balance never below zero, a batch never above its quota, a
month's use never above the monthly cap, one voucher per child per batch, a ledger that is only
ever appended to.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import DateRangeField, RangeOperators
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Func, Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from institutions.models import Institution
from portal.constraints import PostgresExclusionConstraint

from . import codes
from .children import Child, ChildRegistration, Guardian  # noqa: F401  (vouchers.models names them too)
from .validators import PROOF_MAX_BYTES, proof_path, validate_proof_file

MONEY = {"max_digits": 12, "decimal_places": 2}
ZERO = Decimal("0.00")


class VoucherBatch(models.Model):
    """发放批次: a round of vouchers, limited in time (限时) and in quantity (限量)."""

    class Residence(models.TextChoices):
        HUKOU = "hukou", _("仅乐清户籍")
        HUKOU_OR_PERMIT = "hukou_or_permit", _("乐清户籍或持乐清居住证")
        ANY = "any", _("不限")

    name = models.CharField(_("批次名称"), max_length=100, unique=True)
    face_value = models.DecimalField(_("面额（元）"), **MONEY, validators=[MinValueValidator(1)])
    quantity_cap = models.PositiveIntegerField(_("发放数量上限"))
    issued_count = models.PositiveIntegerField(_("已发放数量"), default=0, editable=False)
    apply_from = models.DateField(_("申请开始日期"), help_text=_("含当日。"))
    apply_until = models.DateField(_("申请截止日期"), help_text=_("含当日。"))
    valid_from = models.DateField(_("有效期起"), help_text=_("含当日。"))
    valid_until = models.DateField(_("有效期止"), help_text=_("含当日；之后余额作废。"))
    monthly_cap = models.DecimalField(
        _("每月抵扣上限（元）"), **MONEY, validators=[MinValueValidator(1)]
    )
    min_age_months = models.PositiveSmallIntegerField(_("申请时最小月龄"), default=0)
    max_age_months = models.PositiveSmallIntegerField(
        _("申请时最大月龄"), default=35, help_text=_("含；35表示未满3周岁。")
    )
    residence_rule = models.CharField(
        _("户籍要求"), max_length=20, choices=Residence.choices, default=Residence.HUKOU_OR_PERMIT
    )
    inclusive_only = models.BooleanField(_("仅限普惠机构抵扣"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    history = HistoricalRecords()
    scope_public = True

    class Meta:
        verbose_name = _("托育券发放批次")
        verbose_name_plural = _("托育券发放批次")
        ordering = ["-apply_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(issued_count__lte=F("quantity_cap")),
                name="voucher_batch_quota_never_exceeded",
                violation_error_message=_("已发放数量不能超过发放上限。"),
            ),
            models.CheckConstraint(
                condition=Q(apply_until__gte=F("apply_from")) & Q(valid_until__gte=F("valid_from")),
                name="voucher_batch_dates_in_order",
                violation_error_message=_("截止日期不能早于开始日期。"),
            ),
            models.CheckConstraint(
                condition=Q(max_age_months__gte=F("min_age_months")),
                name="voucher_batch_age_range",
                violation_error_message=_("最大月龄不能小于最小月龄。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def quota_left(self) -> int:
        return self.quantity_cap - self.issued_count


class VoucherApplication(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已通过")
        REJECTED = "rejected", _("未通过")

    class Source(models.TextChoices):
        BUREAU = "bureau", _("卫健局录入")
        OPERATOR = "operator", _("机构代为申请")
        IMPORT = "import", _("批量导入")
        PUBLIC = "public", _("家长网上申请")

    batch = models.ForeignKey(
        VoucherBatch, on_delete=models.PROTECT, related_name="applications", verbose_name=_("批次")
    )
    child = models.ForeignKey(
        Child, on_delete=models.PROTECT, related_name="applications", verbose_name=_("幼儿")
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="voucher_applications",
        verbose_name=_("代为申请机构"),
    )
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices)
    state = models.CharField(
        _("状态"), max_length=20, choices=State.choices, default=State.PENDING, db_index=True
    )
    applied_on = models.DateField(_("申请日期"))
    eligible = models.BooleanField(_("符合条件"), default=False)
    eligibility_notes = models.JSONField(_("资格审查意见"), default=list, blank=True)
    reject_reason = models.CharField(_("不通过原因"), max_length=300, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    # Online applications only: the number a family follows the application by, and when they
    # agreed to the use of the details they gave (the form's consent, in plain words).
    reference = models.CharField(
        _("申请编号"), max_length=20, unique=True, null=True, blank=True, editable=False
    )
    consent_at = models.DateTimeField(_("同意使用信息时间"), null=True, blank=True, editable=False)
    proof = models.FileField(
        _("证明材料"),
        upload_to=proof_path,
        blank=True,
        validators=[validate_proof_file],
        help_text=format_lazy(
            _("户口簿或居住证的照片或PDF，不超过{mb}MB（可不上传，审核时可能要求补交）。"),
            mb=PROOF_MAX_BYTES // 2**20,
        ),
    )

    history = HistoricalRecords()
    institution_path = "institution"
    family_path = "child__guardian__user"

    class Meta:
        verbose_name = _("托育券申请")
        verbose_name_plural = _("托育券申请")
        ordering = ["-applied_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "child"],
                name="voucher_application_one_per_child_per_batch",
                violation_error_message=_("该幼儿已申请过本批次托育券。"),
            ),
            # An online application always has its reference and the family's consent.
            models.CheckConstraint(
                condition=~Q(source="public")
                | (Q(reference__isnull=False) & Q(consent_at__isnull=False)),
                name="voucher_application_public_has_reference_and_consent",
                violation_error_message=_("网上申请须有申请编号和同意记录。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch} · {self.child}"


class Voucher(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("有效")
        EXPIRED = "expired", _("已过期")
        VOID = "void", _("已作废")

    code = models.CharField(_("券码"), max_length=12, unique=True)
    batch = models.ForeignKey(
        VoucherBatch, on_delete=models.PROTECT, related_name="vouchers", verbose_name=_("批次")
    )
    child = models.ForeignKey(
        Child, on_delete=models.PROTECT, related_name="vouchers", verbose_name=_("幼儿")
    )
    application = models.OneToOneField(
        VoucherApplication, on_delete=models.PROTECT, related_name="voucher", verbose_name=_("申请")
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    face_value = models.DecimalField(_("面额（元）"), **MONEY)
    # The ledger's sum, kept here so reads are fast; the database refuses a negative one and the
    # nightly reconciliation compares it with the ledger.
    balance = models.DecimalField(_("余额（元）"), **MONEY)
    monthly_cap = models.DecimalField(_("每月抵扣上限（元）"), **MONEY)
    valid_from = models.DateField(_("有效期起"))
    valid_until = models.DateField(_("有效期止"))
    issued_at = models.DateTimeField(_("发放时间"), auto_now_add=True)

    history = HistoricalRecords()
    family_path = "child__guardian__user"

    class Meta:
        verbose_name = _("托育券")
        verbose_name_plural = _("托育券")
        ordering = ["-issued_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(balance__gte=0),
                name="voucher_balance_never_negative",
                violation_error_message=_("托育券余额不能为负数。"),
            ),
            models.UniqueConstraint(
                fields=["batch", "child"],
                name="voucher_one_per_child_per_batch",
                violation_error_message=_("该幼儿已有本批次托育券。"),
            ),
        ]

    def __str__(self) -> str:
        return codes.display(self.code)


class LedgerEntry(models.Model):
    """One movement of a voucher's value. Append-only: never updated, never deleted."""

    class Kind(models.TextChoices):
        ISSUE = "issue", _("发放")
        REDEMPTION = "redemption", _("抵扣")
        REVERSAL = "reversal", _("冲正")
        EXPIRY = "expiry", _("过期作废")
        ADJUSTMENT = "adjustment", _("调整")

    voucher = models.ForeignKey(
        Voucher, on_delete=models.PROTECT, related_name="ledger", verbose_name=_("托育券")
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    amount = models.DecimalField(_("金额（元）"), **MONEY, help_text=_("增加为正，减少为负。"))
    balance_after = models.DecimalField(_("变动后余额（元）"), **MONEY)
    redemption = models.ForeignKey(
        "Redemption",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
        verbose_name=_("抵扣记录"),
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("原因"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    # The ledger is its own audit trail: rows never change, so a history table would repeat it.
    history_exempt = True
    family_path = "voucher__child__guardian__user"

    class Meta:
        verbose_name = _("托育券流水")
        verbose_name_plural = _("托育券流水")
        ordering = ["voucher", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(balance_after__gte=0),
                name="ledger_balance_after_never_negative",
            ),
            models.CheckConstraint(
                condition=(Q(kind="issue") & Q(amount__gt=0))
                | (Q(kind="redemption") & Q(amount__lt=0))
                | (Q(kind="reversal") & Q(amount__gt=0))
                | (Q(kind="expiry") & Q(amount__lt=0))
                | (Q(kind="adjustment") & ~Q(amount=0)),
                name="ledger_amount_sign_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("ledger entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("ledger entries are append-only")


class VoucherMonth(models.Model):
    """How much of a voucher's monthly cap is used for one fee month."""

    voucher = models.ForeignKey(
        Voucher, on_delete=models.PROTECT, related_name="months", verbose_name=_("托育券")
    )
    fee_month = models.DateField(_("费用月份"), help_text=_("该月第一天。"))
    used = models.DecimalField(_("已抵扣（元）"), **MONEY, default=ZERO)
    cap = models.DecimalField(_("当月上限（元）"), **MONEY)

    history_exempt = True  # derived from redemptions, which keep their own history
    family_path = "voucher__child__guardian__user"

    class Meta:
        verbose_name = _("托育券月度用量")
        verbose_name_plural = _("托育券月度用量")
        constraints = [
            models.UniqueConstraint(fields=["voucher", "fee_month"], name="voucher_month_unique"),
            models.CheckConstraint(
                condition=Q(used__gte=0) & Q(used__lte=F("cap")),
                name="voucher_month_within_cap",
                violation_error_message=_("超过当月抵扣上限。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.voucher} {self.fee_month:%Y-%m}"


class Enrolment(models.Model):
    """A voucher child attends an institution from `start` to `end` (both included)."""

    child = models.ForeignKey(
        Child, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("幼儿")
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="voucher_enrolments",
        verbose_name=_("机构"),
    )
    start = models.DateField(_("入托日期"), help_text=_("含当日。"))
    end = models.DateField(
        _("离托日期"), null=True, blank=True, help_text=_("含当日；留空表示在托。")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()
    institution_path = "institution"
    family_path = "child__guardian__user"

    class Meta:
        verbose_name = _("入托登记")
        verbose_name_plural = _("入托登记")
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                name="enrolment_end_after_start",
                violation_error_message=_("离托日期不能早于入托日期。"),
            ),
            PostgresExclusionConstraint(
                name="enrolment_one_institution_at_a_time",
                expressions=[
                    ("child", RangeOperators.EQUAL),
                    (
                        Func(
                            F("start"),
                            F("end"),
                            models.Value("[]"),
                            function="DATERANGE",
                            output_field=DateRangeField(),
                        ),
                        RangeOperators.OVERLAPS,
                    ),
                ],
                violation_error_message=_("该幼儿在此期间已在其他机构入托。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child} @ {self.institution}"


class Settlement(models.Model):
    """结算: what the bureau pays an institution for one fee month's redemptions."""

    class State(models.TextChoices):
        DRAFT = "draft", _("待机构确认")
        CONFIRMED = "confirmed", _("机构已确认")
        APPROVED = "approved", _("卫健局已审核")
        PAID = "paid", _("已支付")

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="settlements", verbose_name=_("机构")
    )
    month = models.DateField(_("费用月份"), help_text=_("该月第一天。"))
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.DRAFT)
    total = models.DecimalField(_("结算金额（元）"), **MONEY, default=ZERO)
    line_count = models.PositiveIntegerField(_("笔数"), default=0)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    paid_at = models.DateTimeField(_("支付时间"), null=True, blank=True)
    payment_reference = models.CharField(_("支付凭证号"), max_length=100, blank=True)
    return_reason = models.TextField(
        _("退回原因"),
        blank=True,
        max_length=300,
        help_text=_("卫健局退回机构重新确认时填写；机构重新确认后清空（历史中保留）。"),
    )

    history = HistoricalRecords()
    institution_path = "institution"

    class Meta:
        verbose_name = _("结算")
        verbose_name_plural = _("结算")
        ordering = ["-month", "institution"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "month"],
                name="settlement_one_per_institution_and_month",
                violation_error_message=_("该机构本月已有结算单。"),
            ),
            models.CheckConstraint(condition=Q(total__gte=0), name="settlement_total_not_negative"),
            models.CheckConstraint(
                condition=~Q(state="paid") | ~Q(payment_reference=""),
                name="settlement_paid_has_reference",
                violation_error_message=_("已支付的结算单必须有支付凭证号。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution} {self.month:%Y-%m}"

    @property
    def is_locked(self) -> bool:
        return self.state in (self.State.APPROVED, self.State.PAID)


class Redemption(models.Model):
    """抵扣: an institution uses a voucher against one month's fee."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("有效")
        REVERSED = "reversed", _("已冲正")

    voucher = models.ForeignKey(
        Voucher, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("托育券")
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("机构")
    )
    fee_month = models.DateField(_("费用月份"), help_text=_("该月第一天。"))
    amount = models.DecimalField(_("抵扣金额（元）"), **MONEY)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    idempotency_key = models.CharField(_("幂等键"), max_length=100)
    request_fingerprint = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("抵扣时间"), auto_now_add=True)
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reversed_at = models.DateTimeField(_("冲正时间"), null=True, blank=True)
    reversal_reason = models.CharField(_("冲正原因"), max_length=300, blank=True)
    settlement = models.ForeignKey(
        Settlement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="redemptions",
        verbose_name=_("结算单"),
    )

    history = HistoricalRecords()
    institution_path = "institution"
    family_path = "voucher__child__guardian__user"

    class Meta:
        verbose_name = _("托育券抵扣")
        verbose_name_plural = _("托育券抵扣")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="redemption_amount_positive"),
            models.UniqueConstraint(
                fields=["institution", "idempotency_key"], name="redemption_idempotency_key_unique"
            ),
            models.CheckConstraint(
                condition=Q(status="active") | Q(reversed_at__isnull=False),
                name="redemption_reversed_has_time",
            ),
        ]
        indexes = [models.Index(fields=["institution", "fee_month"])]

    def __str__(self) -> str:
        return f"{self.voucher} {self.fee_month:%Y-%m} {self.amount}"


# Fee statements live in their own package; importing the model here registers it with the app.
from .statements.models import FeeStatement  # noqa: E402, F401
