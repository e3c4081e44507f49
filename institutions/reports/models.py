"""Monthly reports (月报), reporting-window exceptions and parenting-care sessions.

Registered under the `institutions` app (institutions/models.py imports this module), so this
module does not import institutions.models: its foreign keys name the registry's models.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from institutions.class_types import ClassType

CLASS_FIELDS = {
    ClassType.INFANT: "enrolled_infant",
    ClassType.TODDLER: "enrolled_toddler",
    ClassType.OLDER: "enrolled_older",
    ClassType.MIXED: "enrolled_mixed",
}
COUNT_FIELDS = (
    *CLASS_FIELDS.values(),
    "voucher_children",
    "special_needs_children",
    "staff_on_duty",
    "staff_certified",
    "attendance_days",
    "safety_incidents",
)


class MonthlyReport(models.Model):
    """One institution's report for one month. Accepted data is locked."""

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        ACCEPTED = "accepted", _("审核通过")
        RETURNED = "returned", _("已退回")

    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="monthly_reports",
        verbose_name=_("机构"),
    )
    period = models.DateField(_("月份"), help_text=_("该月第一天，代表整月。"))
    state = models.CharField(
        _("状态"), max_length=20, choices=State.choices, default=State.DRAFT, db_index=True
    )

    enrolled_infant = models.IntegerField(_("乳儿班在托人数"), default=0)
    enrolled_toddler = models.IntegerField(_("托小班在托人数"), default=0)
    enrolled_older = models.IntegerField(_("托大班在托人数"), default=0)
    enrolled_mixed = models.IntegerField(_("混龄班在托人数"), default=0)
    voucher_children = models.IntegerField(_("其中使用托育券人数"), default=0)
    special_needs_children = models.IntegerField(_("其中特殊需要儿童人数"), default=0)
    fee_full_day = models.DecimalField(
        _("全日托实际月收费（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    fee_half_day = models.DecimalField(
        _("半日托实际月收费（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    staff_on_duty = models.IntegerField(_("在岗保育人员数"), default=0)
    staff_certified = models.IntegerField(_("其中持证人数"), default=0)
    staff_override_reason = models.CharField(
        _("人员数与登记信息不一致的原因"), max_length=300, blank=True
    )
    registry_staff_on_duty = models.IntegerField(_("登记在岗保育人员数"), null=True, editable=False)
    registry_staff_certified = models.IntegerField(_("登记持证人数"), null=True, editable=False)
    attendance_days = models.IntegerField(_("出勤天数"), default=0)
    safety_incidents = models.IntegerField(_("安全事件数"), default=0)

    warnings = models.JSONField(_("预警"), default=list, blank=True, editable=False)
    warning_comment = models.TextField(_("预警说明"), blank=True)
    return_reason = models.TextField(_("退回/重新打开原因"), blank=True)
    first_submitted_at = models.DateTimeField(_("首次提交时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("提交人"),
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords()
    institution_path = "institution"

    class Meta:
        verbose_name = _("月报")
        verbose_name_plural = _("月报")
        ordering = ["-period", "institution"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "period"],
                name="monthly_report_one_per_institution_and_month",
                violation_error_message=_("该机构本月的月报已存在。"),
            ),
            models.CheckConstraint(
                condition=Q(period__day=1),
                name="monthly_report_period_is_first_of_month",
                violation_error_message=_("月份须为当月1日。"),
            ),
            models.CheckConstraint(
                condition=Q(
                    enrolled_infant__gte=0,
                    enrolled_toddler__gte=0,
                    enrolled_older__gte=0,
                    enrolled_mixed__gte=0,
                    voucher_children__gte=0,
                    special_needs_children__gte=0,
                    staff_on_duty__gte=0,
                    staff_certified__gte=0,
                    attendance_days__gte=0,
                    safety_incidents__gte=0,
                )
                & (Q(fee_full_day__isnull=True) | Q(fee_full_day__gte=0))
                & (Q(fee_half_day__isnull=True) | Q(fee_half_day__gte=0)),
                name="monthly_report_no_negative_numbers",
                violation_error_message=_("数字不能为负数。"),
            ),
            models.CheckConstraint(
                condition=Q(staff_certified__lte=F("staff_on_duty")),
                name="monthly_report_certified_within_on_duty",
                violation_error_message=_("持证人数不能多于在岗人数。"),
            ),
            models.CheckConstraint(
                condition=Q(state="draft") | Q(first_submitted_at__isnull=False),
                name="monthly_report_submitted_has_time",
                violation_error_message=_("已提交的月报必须有提交时间。"),
            ),
        ]
        indexes = [models.Index(fields=["period", "state"])]

    def __str__(self) -> str:
        return f"{self.institution} {self.period:%Y-%m}"

    @property
    def enrolled_total(self) -> int:
        return sum(getattr(self, name) for name in CLASS_FIELDS.values())

    @property
    def is_locked_by_review(self) -> bool:
        return self.state in (self.State.SUBMITTED, self.State.ACCEPTED)


class ReportWindowException(models.Model):
    """The bureau lets one institution file or correct one month's report after the lock."""

    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.CASCADE,
        related_name="report_exceptions",
        verbose_name=_("机构"),
    )
    period = models.DateField(_("月份"), help_text=_("该月第一天。"))
    open_until = models.DateField(_("开放至"), help_text=_("含当日。"))
    reason = models.CharField(_("原因"), max_length=300)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("批准人"),
    )
    granted_at = models.DateTimeField(_("批准时间"), auto_now_add=True)

    history = HistoricalRecords()
    institution_path = "institution"

    class Meta:
        verbose_name = _("月报补报许可")
        verbose_name_plural = _("月报补报许可")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "period"],
                name="report_exception_one_per_institution_and_month",
                violation_error_message=_("该机构本月已有补报许可，请修改原记录。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.institution} {self.period:%Y-%m} → {self.open_until}"


class ParentingSession(models.Model):
    """养育照护小组活动, filed by an institution or a health centre (K9)."""

    class OrganiserKind(models.TextChoices):
        INSTITUTION = "institution", _("托育机构")
        HEALTH_CENTRE = "health_centre", _("卫生院/社区卫生服务中心")

    class Venue(models.TextChoices):
        # Plan 7.4: sessions go "进社区、进医院、进机构".
        COMMUNITY = "community", _("社区")
        HOSPITAL = "hospital", _("医院")
        INSTITUTION = "institution", _("机构")

    held_on = models.DateField(_("活动日期"))
    organiser_kind = models.CharField(_("组织方类型"), max_length=20, choices=OrganiserKind.choices)
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="parenting_sessions",
        verbose_name=_("组织机构"),
    )
    organiser_name = models.CharField(_("组织方名称"), max_length=200)
    facility = models.ForeignKey(
        "institutions.HealthFacility",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="parenting_sessions",
        verbose_name=_("组织医疗卫生机构"),
        help_text=_("由卫生院或社区卫生服务中心组织的活动所属机构；旧记录可能尚未关联。"),
    )
    township = models.ForeignKey(
        "institutions.Township",
        on_delete=models.PROTECT,
        related_name="parenting_sessions",
        verbose_name=_("镇街"),
    )
    venue = models.CharField(_("活动场所类型"), max_length=20, choices=Venue.choices, blank=True)
    community = models.ForeignKey(
        "institutions.Community",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="parenting_sessions",
        verbose_name=_("所在社区"),
    )
    topic = models.CharField(_("主题"), max_length=200)
    families_reached = models.PositiveIntegerField(_("参与家庭数"))
    # Members of the lecturer team on the session's day (institutions.lecturers).
    lecturers = models.ManyToManyField(
        "institutions.LecturerMember",
        blank=True,
        related_name="sessions",
        verbose_name=_("主讲讲师"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("填报人"),
    )

    history = HistoricalRecords(m2m_fields=[lecturers])
    institution_path = "institution"
    facility_path = "facility"

    class Meta:
        verbose_name = _("养育照护小组活动")
        verbose_name_plural = _("养育照护小组活动")
        ordering = ["-held_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(organiser_kind="health_centre") | Q(institution__isnull=False),
                name="parenting_session_institution_organiser_named",
                violation_error_message=_("由托育机构组织的活动须选择机构。"),
            )
        ]
        indexes = [models.Index(fields=["held_on", "township"])]

    def __str__(self) -> str:
        return f"{self.held_on} {self.topic}"


class ReportReminder(models.Model):
    """A reminder sent to an institution about one month's report; at most one of each kind.

    The row is claimed (inserted) before the mail is sent, so a task that runs twice, or two
    workers at once, send each reminder once.
    """

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("截止前提醒")
        OVERDUE = "overdue", _("逾期提醒")

    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.CASCADE,
        related_name="report_reminders",
        verbose_name=_("机构"),
    )
    period = models.DateField(_("月份"))
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    sent_at = models.DateTimeField(_("发送时间"), auto_now_add=True)
    recipients = models.PositiveIntegerField(_("收件人数"), default=0)

    history = HistoricalRecords()
    institution_path = "institution"

    class Meta:
        verbose_name = _("月报提醒")
        verbose_name_plural = _("月报提醒")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "period", "kind"], name="report_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.institution} {self.period:%Y-%m} {self.kind}"
