"""Dated records: every fact an indicator reads, with the day it starts to hold.

A dated fact (DatedFact and the records below with `effective_from`) applies from its effective
date until the next one's; a validity period (ValidityPeriod) from `valid_from` to `valid_to`,
both included. `selectors.institutions_as_of(D)` and the indicators read them as they stood on
a day, so a change dated after D never alters what D reads.

Besides the places, fees, ratings and recognitions (institutions.models), the facts dated here
are those the institution, the staff member and the community also hold as their current value:
an institution's kind, township, inclusive-kindergarten and inclusive-care flags
(InstitutionDetails), its one-click alarm (PanicAlarm), a staff member's role (StaffRoleRecord) and a community's new flag, residents
and delivered places (CommunityFacts). The services write the record and keep the current value
in step (services.py); nothing else writes them.

Registered under the `institutions` app (institutions/models.py imports this module), so this
module does not import institutions.models: its foreign keys name the registry's models.
"""

from __future__ import annotations

from django.contrib.postgres.fields import DateRangeField, RangeOperators
from django.db import models
from django.db.models import F, Func, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.constraints import PostgresExclusionConstraint

from .kinds import InstitutionKind, StaffRole

EFFECTIVE_HELP = _("当日起生效，直到下一条记录的生效日期。")


class DatedFact(models.Model):
    """A fact about an institution that applies from `effective_from` until the next one's."""

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE)
    effective_from = models.DateField(_("生效日期"), help_text=EFFECTIVE_HELP)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    institution_path = "institution"

    class Meta:
        abstract = True
        ordering = ["institution", "-effective_from"]


class ValidityPeriod(models.Model):
    """A fact valid from `valid_from` to `valid_to`, both included; no end means open-ended."""

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE)
    valid_from = models.DateField(_("有效期起"), help_text=_("含当日。"))
    valid_to = models.DateField(
        _("有效期止"), null=True, blank=True, help_text=_("含当日；留空表示长期有效。")
    )

    institution_path = "institution"

    class Meta:
        abstract = True
        ordering = ["institution", "-valid_from"]


class DateRangeInclusive(Func):
    """daterange(from, to, '[]'): both days included; a NULL end is open-ended."""

    function = "DATERANGE"
    output_field = DateRangeField()

    def __init__(self, start, end):
        super().__init__(start, end, models.Value("[]"))


def period_constraints(prefix: str, *, also: tuple[str, ...] = (), overlap_message=None) -> list:
    """A period's end not before its start, and no two periods of one institution (and of the
    same values of `also`, e.g. a recognition's level) that share a day."""
    return [
        models.CheckConstraint(
            condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
            name=f"{prefix}_valid_to_after_from",
            violation_error_message=_("有效期止不能早于有效期起。"),
        ),
        PostgresExclusionConstraint(
            name=f"{prefix}_no_overlap",
            expressions=[
                ("institution", RangeOperators.EQUAL),
                *((name, RangeOperators.EQUAL) for name in also),
                (DateRangeInclusive(F("valid_from"), F("valid_to")), RangeOperators.OVERLAPS),
            ],
            violation_error_message=overlap_message or _("与该机构已有记录的有效期重叠。"),
        ),
    ]


def one_per_day(owner: str, name: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(
        fields=[owner, "effective_from"],
        name=name,
        violation_error_message=_("同一天只能有一条记录。"),
    )


class InstitutionDetails(DatedFact):
    """An institution's kind, township, inclusive-kindergarten flag (K3, K7, every area) and
    whether it offers inclusive care for children with special needs (融合托育: the dashboard's
    and /ronghe/zhenjie/'s counts per township)."""

    kind = models.CharField(_("机构类型"), max_length=20, choices=InstitutionKind.choices)
    township = models.ForeignKey(
        "institutions.Township",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所属镇街"),
    )
    is_inclusive_kindergarten = models.BooleanField(_("普惠性幼儿园"), default=False)
    special_needs_care = models.BooleanField(_("提供融合托育"), default=False)

    history = HistoricalRecords()

    class Meta(DatedFact.Meta):
        verbose_name = _("机构类型与属地")
        verbose_name_plural = _("机构类型与属地")
        default_related_name = "details"
        constraints = [
            one_per_day("institution", "institution_details_one_per_day"),
            models.CheckConstraint(
                condition=Q(is_inclusive_kindergarten=False) | Q(kind="kindergarten"),
                name="institution_details_inclusive_is_kindergarten",
                violation_error_message=_("只有幼儿园可以标记为普惠性幼儿园。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution} {self.kind} ({self.effective_from})"


class PanicAlarm(ValidityPeriod):
    """一键式报警 in service from its installation (`valid_from`) to its last day (`valid_to`,
    the day before its removal), both included (K17)."""

    history = HistoricalRecords()

    class Meta(ValidityPeriod.Meta):
        verbose_name = _("一键式报警")
        verbose_name_plural = _("一键式报警")
        default_related_name = "panic_alarms"
        constraints = period_constraints("panic_alarm")

    def __str__(self) -> str:
        return f"{self.institution} 报警 {self.valid_from}–{self.valid_to or ''}"


class StaffRoleRecord(models.Model):
    """A staff member's role (岗位) from `effective_from` until the next record's (K5)."""

    staff = models.ForeignKey(
        "institutions.StaffMember",
        on_delete=models.CASCADE,
        related_name="roles",
        verbose_name=_("从业人员"),
    )
    effective_from = models.DateField(_("生效日期"), help_text=EFFECTIVE_HELP)
    role = models.CharField(_("岗位"), max_length=20, choices=StaffRole.choices)

    history = HistoricalRecords()
    institution_path = "staff__institution"

    class Meta:
        verbose_name = _("岗位记录")
        verbose_name_plural = _("岗位记录")
        ordering = ["staff", "-effective_from"]
        constraints = [one_per_day("staff", "staff_role_one_per_day")]

    def __str__(self) -> str:
        return f"{self.staff} {self.role} ({self.effective_from})"


class CommunityFacts(models.Model):
    """A community's new flag, residents and delivered places from `effective_from` (K10)."""

    community = models.ForeignKey(
        "institutions.Community",
        on_delete=models.CASCADE,
        related_name="facts",
        verbose_name=_("社区"),
    )
    effective_from = models.DateField(_("生效日期"), help_text=EFFECTIVE_HELP)
    is_new = models.BooleanField(_("新建小区"), default=False)
    residents = models.PositiveIntegerField(_("常住人口"))
    delivered_places = models.PositiveIntegerField(_("已建成托位数"), default=0)

    history = HistoricalRecords()
    scope_public = True

    class Meta:
        verbose_name = _("社区指标记录")
        verbose_name_plural = _("社区指标记录")
        ordering = ["community", "-effective_from"]
        constraints = [one_per_day("community", "community_facts_one_per_day")]

    def __str__(self) -> str:
        return f"{self.community} ({self.effective_from})"
