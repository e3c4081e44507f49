"""The registry's vocabularies that dated records share with the models they date: an
institution's kind (机构类型), its ownership (举办性质) and a staff member's role (岗位).

Kept apart from the models so that institutions.dated can use them without importing
institutions.models, which imports it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class InstitutionKind(models.TextChoices):
    KINDERGARTEN = "kindergarten", _("幼儿园托班（托幼一体）")
    CENTRE = "centre", _("托育机构（中心）")
    COMMUNITY = "community", _("社区托育点")
    FAMILY_POINT = "family_point", _("家庭托育点")
    EMPLOYER = "employer", _("单位自建")
    CO_CARE_STATION = "co_care_station", _("共育驿站")


class Ownership(models.TextChoices):
    """举办性质: who runs an institution (Institution.Ownership), and the city's public fee
    standard's first key."""

    PUBLIC = "public", _("公办")
    PRIVATE = "private", _("民办")
    ENTERPRISE = "enterprise", _("企业办")


class StaffRole(models.TextChoices):
    CAREGIVER = "caregiver", _("保育人员")
    TEACHER = "teacher", _("教师")
    HEALTH = "health", _("保健人员")
    HEAD = "head", _("负责人")
    COOK = "cook", _("炊事员")
    GUARD = "guard", _("保安")
    ADMIN = "admin", _("行政")


# K5 counts caregivers, teachers and health staff (not cooks, guards or administrators).
CARE_ROLES = (StaffRole.CAREGIVER, StaffRole.TEACHER, StaffRole.HEALTH)
