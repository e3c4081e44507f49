from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from lequing_tuoyu.personal_data import KeyedHashField, ResidentIdField
from lequing_tuoyu.validators import validate_credit_code


class Township(models.Model):
    """One of Yueqing's 25 divisions (街道 / 镇 / 乡). Reference data, loaded by a migration."""

    class Kind(models.TextChoices):
        SUBDISTRICT = "subdistrict", _("街道")
        TOWN = "town", _("镇")
        TOWNSHIP = "township", _("乡")

    code = models.CharField(_("统计用区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    is_urban = models.BooleanField(_("城镇"), help_text=_("街道为城镇，镇和乡为农村。"))
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    history = HistoricalRecords()
    scope_public = True

    class Meta:
        verbose_name = _("镇街")
        verbose_name_plural = _("镇街")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Institution(models.Model):
    """A childcare provider (托育机构) of any kind."""

    class Kind(models.TextChoices):
        KINDERGARTEN = "kindergarten", _("幼儿园托班（托幼一体）")
        CENTRE = "centre", _("托育机构（中心）")
        COMMUNITY = "community", _("社区托育点")
        FAMILY_POINT = "family_point", _("家庭托育点")
        EMPLOYER = "employer", _("单位自建")
        CO_CARE_STATION = "co_care_station", _("共育驿站")

    class Ownership(models.TextChoices):
        PUBLIC = "public", _("公办")
        PRIVATE = "private", _("民办")
        ENTERPRISE = "enterprise", _("企业办")

    name = models.CharField(_("机构名称"), max_length=200)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    credit_code_override_reason = models.TextField(
        _("信用代码校验说明"),
        blank=True,
        help_text=_("代码未通过校验位检查、但经核实为证照上的真实代码时，填写核实情况。"),
    )
    kind = models.CharField(_("机构类型"), max_length=20, choices=Kind.choices)
    ownership = models.CharField(_("举办性质"), max_length=20, choices=Ownership.choices)
    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="institutions", verbose_name=_("所属镇街")
    )
    address = models.CharField(_("地址"), max_length=300, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    filing_number = models.CharField(_("备案编号"), max_length=50, blank=True)
    filed_on = models.DateField(
        _("备案日期"), null=True, blank=True, help_text=_("当日起计入统计。")
    )
    closed_on = models.DateField(
        _("注销/停办日期"), null=True, blank=True, help_text=_("当日起不再计入统计。")
    )
    operators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="operated_institutions",
        verbose_name=_("机构经办人"),
    )

    history = HistoricalRecords(m2m_fields=[operators])
    institution_path = ""

    class Meta:
        verbose_name = _("托育机构")
        verbose_name_plural = _("托育机构")
        ordering = ["township__sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="institution_credit_code_unique",
                violation_error_message=_("该统一社会信用代码已被其他机构使用。"),
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True)
                | Q(filed_on__isnull=True)
                | Q(closed_on__gte=F("filed_on")),
                name="institution_closed_after_filed",
                violation_error_message=_("停办日期不能早于备案日期。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.credit_code:
            self.credit_code = validate_credit_code(
                self.credit_code, override_reason=self.credit_code_override_reason
            )


class StaffMember(models.Model):
    """Someone employed at an institution (从业人员)."""

    class Role(models.TextChoices):
        CAREGIVER = "caregiver", _("保育人员")
        TEACHER = "teacher", _("教师")
        HEALTH = "health", _("保健人员")
        HEAD = "head", _("负责人")
        COOK = "cook", _("炊事员")
        GUARD = "guard", _("保安")
        ADMIN = "admin", _("行政")

    CARE_ROLES = (Role.CAREGIVER, Role.TEACHER, Role.HEALTH)

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="staff", verbose_name=_("机构")
    )
    name = models.CharField(_("姓名"), max_length=50)
    id_number = ResidentIdField(_("身份证号码"))
    id_number_hash = KeyedHashField(source="id_number")
    role = models.CharField(_("岗位"), max_length=20, choices=Role.choices)
    hired_on = models.DateField(_("入职日期"), help_text=_("当日起在岗。"))
    left_on = models.DateField(_("离职日期"), null=True, blank=True, help_text=_("当日起不在岗。"))

    history = HistoricalRecords()
    institution_path = "institution"

    class Meta:
        verbose_name = _("从业人员")
        verbose_name_plural = _("从业人员")
        ordering = ["institution", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gt=F("hired_on")),
                name="staff_left_after_hired",
                violation_error_message=_("离职日期必须晚于入职日期。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name
