"""Members of the lecturer team (讲师团).

Registered under the `institutions` app (institutions/models.py imports this module), so this
module does not import institutions.models: its foreign keys name the registry's models.

Membership is dated, both days included: a member leads sessions held on any day D with
joined_on <= D and (left_on is empty or D <= left_on). A member who left on the 9th may still
be named on a session of the 9th, not of the 10th.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.personal_data import PhoneNumberField


class LecturerMember(models.Model):
    """A member of the lecturer team, from a health facility or another organisation."""

    class Profession(models.TextChoices):
        PAEDIATRICIAN = "paediatrician", _("儿科医生")
        NUTRITIONIST = "nutritionist", _("营养师")
        HEALTH_DOCTOR = "health_doctor", _("保健医生")
        CHILDCARE_EXPERT = "childcare_expert", _("托育专家")
        COUNSELLOR = "counsellor", _("心理咨询师")
        OTHER = "other", _("其他")

    name = models.CharField(_("姓名"), max_length=50)
    profession = models.CharField(_("专业"), max_length=20, choices=Profession.choices)
    facility = models.ForeignKey(
        "institutions.HealthFacility",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lecturers",
        verbose_name=_("所在医疗卫生机构"),
    )
    organisation = models.CharField(
        _("所在单位"),
        max_length=200,
        blank=True,
        help_text=_("不属于医疗卫生机构的讲师填写所在单位。"),
    )
    mobile = PhoneNumberField(_("手机号码"), blank=True)
    joined_on = models.DateField(_("加入日期"), help_text=_("含当日。"))
    left_on = models.DateField(
        _("退出日期"), null=True, blank=True, help_text=_("含当日；仍在讲师团的留空。")
    )

    # No scope attributes: the team is read by city-wide roles and health facilities' users
    # (selectors.team_for), by nobody else.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("讲师团成员")
        verbose_name_plural = _("讲师团成员")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(facility__isnull=False) | ~Q(organisation=""),
                name="lecturer_facility_or_organisation",
                violation_error_message=_("请选择所在医疗卫生机构或填写所在单位。"),
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="lecturer_leaves_after_joining",
                violation_error_message=_("退出日期不能早于加入日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_profession_display()}）"

    @property
    def affiliation(self) -> str:
        return self.facility.name if self.facility_id else self.organisation

    def is_member_on(self, day: dt.date) -> bool:
        return self.joined_on <= day and (self.left_on is None or day <= self.left_on)

    def clean(self) -> None:
        self.organisation = (self.organisation or "").strip()
        if not self.facility_id and not self.organisation:
            raise ValidationError({"organisation": _("请选择所在医疗卫生机构或填写所在单位。")})


def members_on(day: dt.date) -> Q:
    """Members of the team on `day` (both ends included)."""
    return Q(joined_on__lte=day) & (Q(left_on__isnull=True) | Q(left_on__gte=day))


def check_members_on(lecturers, day: dt.date | None) -> None:
    """Refuse lecturers who were not members of the team on the session's day."""
    if day is None:
        return
    outside = [lecturer for lecturer in lecturers if not lecturer.is_member_on(day)]
    if outside:
        raise ValidationError(
            {
                "lecturers": _("%(names)s在%(day)s不是讲师团成员。")
                % {"names": "、".join(m.name for m in outside), "day": day.isoformat()}
            }
        )
