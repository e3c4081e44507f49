from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

MONEY = {"max_digits": 12, "decimal_places": 2}


class FeeStatement(models.Model):
    """入托缴费证明: the fees of `first_month` to `last_month` (first days) for one child at one
    institution, month by month in `lines` ({"month", "fee_due", "voucher_paid", "family_paid"},
    amounts as strings), with their totals."""

    child = models.ForeignKey(
        "vouchers.Child",
        on_delete=models.PROTECT,
        related_name="fee_statements",
        verbose_name=_("幼儿"),
    )
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="fee_statements",
        verbose_name=_("机构"),
    )
    first_month = models.DateField(_("起始月份"))
    last_month = models.DateField(_("截止月份"))
    # The child's masked name as printed (王**): the verification page shows no more than this.
    child_masked_name = models.CharField(_("幼儿姓名（脱敏）"), max_length=20)
    lines = models.JSONField(_("逐月明细"), default=list)
    total_due = models.DecimalField(_("应缴保育费合计（元）"), **MONEY)
    total_voucher = models.DecimalField(_("托育券抵扣合计（元）"), **MONEY)
    total_family = models.DecimalField(_("家庭实缴合计（元）"), **MONEY)
    code = models.CharField(_("验证码"), max_length=16, unique=True)
    issued_at = models.DateTimeField(_("开具时间"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("开具人"),
    )
    requested_by_family = models.BooleanField(_("家长自助开具"), default=False)
    revoked_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    revoke_reason = models.CharField(_("作废原因"), max_length=300, blank=True)

    history = HistoricalRecords(excluded_fields=["lines"])
    institution_path = "institution"
    family_path = "child__guardian__user"

    class Meta:
        verbose_name = _("入托缴费证明")
        verbose_name_plural = _("入托缴费证明")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_month__gte=F("first_month")),
                name="fee_statement_months_in_order",
            ),
            models.CheckConstraint(
                condition=Q(total_voucher__gte=0)
                & Q(total_family__gte=0)
                & Q(total_due=F("total_voucher") + F("total_family")),
                name="fee_statement_totals_add_up",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revoke_reason=""),
                name="fee_statement_revoked_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution} {self.first_month:%Y-%m}–{self.last_month:%Y-%m}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def month_lines(self) -> list[dict]:
        """The lines with amounts as Decimal, for templates."""
        return [
            {
                "month": line["month"],
                "fee_due": Decimal(line["fee_due"]),
                "voucher_paid": Decimal(line["voucher_paid"]),
                "family_paid": Decimal(line["family_paid"]),
            }
            for line in self.lines
        ]
