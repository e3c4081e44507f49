"""Incidents (强制报告) with a follow-up trail; suspected harm to a child can never be deleted (a
PostgreSQL trigger, migration 0002, backs the services, the admin and the API)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from institutions.models import Institution


class Incident(models.Model):
    class Kind(models.TextChoices):
        INJURY = "injury", _("意外伤害")
        ILLNESS_OUTBREAK = "illness_outbreak", _("传染病或群体性疾病")
        SUSPECTED_HARM = "suspected_harm", _("疑似虐待或忽视儿童")
        FIRE = "fire", _("火灾")
        FOOD_SAFETY = "food_safety", _("食品安全事件")
        OTHER = "other", _("其他")

    class State(models.TextChoices):
        OPEN = "open", _("处置中")
        CLOSED = "closed", _("已结案")

    # Escalated to the bureau at once and never deleted: the database refuses (migration 0002).
    HARM_KINDS = frozenset({Kind.SUSPECTED_HARM})

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="incidents", verbose_name=_("机构")
    )
    kind = models.CharField(_("事件类型"), max_length=20, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("发生时间"))
    description = models.TextField(_("事件经过"))
    children_affected = models.PositiveSmallIntegerField(_("涉及婴幼儿人数"), default=0)
    immediate_action = models.TextField(_("已采取的措施"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("报告人"),
    )
    reported_at = models.DateTimeField(_("报告时间"), auto_now_add=True)
    escalated_at = models.DateTimeField(_("上报卫健局时间"), null=True, blank=True)
    state = models.CharField(
        _("状态"), max_length=20, choices=State.choices, default=State.OPEN, db_index=True
    )
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)

    history = HistoricalRecords()
    institution_path = "institution"

    class Meta:
        verbose_name = _("事件报告")
        verbose_name_plural = _("事件报告")
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="suspected_harm") | Q(escalated_at__isnull=False),
                name="incident_harm_is_escalated",
                violation_error_message=_("疑似伤害儿童的事件必须立即上报卫健局。"),
            ),
            models.CheckConstraint(
                condition=(Q(state="closed") & Q(closed_at__isnull=False))
                | (~Q(state="closed") & Q(closed_at__isnull=True)),
                name="incident_closed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution} {self.get_kind_display()} {self.occurred_at:%Y-%m-%d}"

    @property
    def is_harm(self) -> bool:
        return self.kind in self.HARM_KINDS


class IncidentFollowUp(models.Model):
    """One step of an incident's follow-up trail (跟进记录)."""

    incident = models.ForeignKey(
        Incident, on_delete=models.PROTECT, related_name="follow_ups", verbose_name=_("事件")
    )
    note = models.TextField(_("跟进情况"))
    closes = models.BooleanField(_("结案"), default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("记录人"),
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    history = HistoricalRecords()
    institution_path = "incident__institution"

    class Meta:
        verbose_name = _("事件跟进")
        verbose_name_plural = _("事件跟进")
        ordering = ["incident", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.incident} · {self.created_at:%Y-%m-%d}"
