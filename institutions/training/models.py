"""Training courses and staff members' attendance.

Registered under the `institutions` app (institutions/models.py imports this module), so this
module does not import institutions.models: its foreign keys name the registry's models.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..kinds import StaffRole

# The providers the plan names (3, task 2); a course may name another provider as free text.
NAMED_PROVIDERS = (
    "温州大学",
    "温州市中等幼儿师范学校",
    "乐清市婴幼儿照护服务指导中心",
    "市托育综合服务中心",
)
# A course's hours: at least half an hour (the model's validator and the database's check).
MIN_COURSE_HOURS = Decimal("0.5")


class TrainingProvider(models.Model):
    """A training provider (培训机构) whose users enter the attendance of its own courses
    (Role.TRAINING_PROVIDER; portal.roles scopes them by `provider_path`)."""

    name = models.CharField(_("机构名称"), max_length=200, unique=True)
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="training_providers",
        verbose_name=_("机构用户"),
    )

    history = HistoricalRecords(m2m_fields=[users])
    provider_path = ""  # portal.roles: the object is the provider

    class Meta:
        verbose_name = _("培训机构")
        verbose_name_plural = _("培训机构")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TrainingCourse(models.Model):
    """A course (培训课程) given by a provider, on days [starts_on, ends_on], worth `hours`."""

    class Kind(models.TextChoices):
        PRE_SERVICE = "pre_service", _("职前")
        IN_SERVICE = "in_service", _("职后")
        COMPETITION = "competition", _("技能竞赛")
        SHADOWING = "shadowing", _("医育跟诊")
        ONLINE_THEORY = "online_theory", _("线上理论")
        OFFLINE_PRACTICE = "offline_practice", _("线下实操")

    name = models.CharField(_("课程名称"), max_length=200)
    provider = models.CharField(
        _("培训机构"),
        max_length=200,
        help_text=_(
            "可选：温州大学、温州市中等幼儿师范学校、乐清市婴幼儿照护服务指导中心、市托育综合服务中心，或填写其他机构。"
        ),
    )
    provider_org = models.ForeignKey(
        TrainingProvider,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="courses",
        verbose_name=_("培训机构（账号）"),
        help_text=_("该机构的用户可以登记本课程的参训记录。"),
    )
    kind = models.CharField(_("培训类型"), max_length=20, choices=Kind.choices)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), help_text=_("含当日。"))
    hours = models.DecimalField(
        _("学时"), max_digits=6, decimal_places=1, validators=[MinValueValidator(MIN_COURSE_HOURS)]
    )
    # Values of StaffRole (StaffMember.Role); empty means open to every role.
    open_to_roles = models.JSONField(
        _("面向岗位"), default=list, blank=True, help_text=_("留空表示面向所有岗位。")
    )

    history = HistoricalRecords()
    # portal.roles: a course is no institution's record; a provider's users see their own only.
    scope_public = True
    provider_path = "provider_org"

    class Meta:
        verbose_name = _("培训课程")
        verbose_name_plural = _("培训课程")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="training_course_ends_after_start",
                violation_error_message=_("结束日期不能早于开始日期。"),
            ),
            # The model's MinValueValidator(0.5): the smallest course the portal records.
            models.CheckConstraint(
                condition=Q(hours__gte=MIN_COURSE_HOURS),
                name="training_course_hours_at_least_half",
                violation_error_message=_("学时不能少于0.5。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.provider}）"

    def clean(self) -> None:
        unknown = [role for role in self.open_to_roles or [] if role not in StaffRole.values]
        if not isinstance(self.open_to_roles, list) or unknown:
            raise ValidationError({"open_to_roles": _("面向岗位中有不存在的岗位。")})

    def is_open_to(self, role: str) -> bool:
        return not self.open_to_roles or role in self.open_to_roles

    @property
    def is_competition(self) -> bool:
        return self.kind == self.Kind.COMPETITION


class TrainingAttendance(models.Model):
    """A staff member's attendance of a course: hours attended (at most the course's) and whether
    they completed it; for a skills competition, the award or rank."""

    course = models.ForeignKey(
        TrainingCourse,
        on_delete=models.PROTECT,
        related_name="attendance",
        verbose_name=_("培训课程"),
    )
    staff = models.ForeignKey(
        "institutions.StaffMember",
        on_delete=models.CASCADE,
        related_name="training_attendance",
        verbose_name=_("从业人员"),
    )
    hours = models.DecimalField(
        _("参训学时"), max_digits=6, decimal_places=1, validators=[MinValueValidator(0)]
    )
    completed = models.BooleanField(_("是否结业"), default=False)
    award = models.CharField(
        _("竞赛名次/奖项"), max_length=100, blank=True, help_text=_("仅技能竞赛填写。")
    )

    history = HistoricalRecords()
    institution_path = "staff__institution"
    provider_path = "course__provider_org"

    class Meta:
        verbose_name = _("培训参训记录")
        verbose_name_plural = _("培训参训记录")
        ordering = ["course", "staff"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "staff"],
                name="training_attendance_once_per_course",
                violation_error_message=_("此人已有该课程的参训记录。"),
            ),
            models.CheckConstraint(
                condition=Q(hours__gte=0),
                name="training_attendance_hours_not_negative",
                violation_error_message=_("参训学时不能为负数。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff} · {self.course}"

    def clean(self) -> None:
        errors = {}
        course = self.course if self.course_id else None
        if course is not None and self.hours is not None and self.hours > course.hours:
            errors["hours"] = _("参训学时不能超过课程学时（%(hours)s）。") % {
                "hours": f"{course.hours.normalize():f}"
            }
        if course is not None and self.award and not course.is_competition:
            errors["award"] = _("只有技能竞赛可以填写名次或奖项。")
        if course is not None and self.staff_id and not course.is_open_to(self.staff.role):
            errors["staff"] = _("该课程不面向此人的岗位。")
        if errors:
            raise ValidationError(errors)
