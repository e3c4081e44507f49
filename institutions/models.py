from django.conf import settings
from django.contrib.postgres.fields import DateRangeField, RangeOperators
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Func, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.constraints import PostgresExclusionConstraint
from portal.personal_data import KeyedHashField, ResidentIdField
from portal.validators import PhoneValidator, validate_credit_code

from .class_types import CHILDREN_PER_CARER, ClassType
from .dated import (
    CommunityFacts,
    DatedFact,
    DateRangeInclusive,
    InstitutionDetails,
    PanicAlarm,
    StaffRoleRecord,
    ValidityPeriod,
    period_constraints,
)
from .kinds import CARE_ROLES, InstitutionKind, Ownership, StaffRole


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


class Community(models.Model):
    """A residential community (社区). New ones must plan 10 places per 1000 residents (K10)."""

    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="communities", verbose_name=_("所属镇街")
    )
    name = models.CharField(_("社区名称"), max_length=100)
    residents = models.PositiveIntegerField(_("常住人口"))
    is_new = models.BooleanField(_("新建小区"), default=False)
    delivered_on = models.DateField(
        _("交付日期"), null=True, blank=True, help_text=_("新建小区交付使用的日期（含当日）。")
    )
    planned_places = models.PositiveIntegerField(_("规划托位数"), default=0)
    delivered_places = models.PositiveIntegerField(_("已建成托位数"), default=0)

    history = HistoricalRecords()
    scope_public = True

    class Meta:
        verbose_name = _("社区")
        verbose_name_plural = _("社区")
        ordering = ["township__sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["township", "name"],
                name="community_unique_name_per_township",
                violation_error_message=_("该镇街已有同名社区。"),
            ),
            models.CheckConstraint(
                condition=Q(is_new=False) | Q(delivered_on__isnull=False),
                name="community_new_has_delivery_date",
                violation_error_message=_("新建小区必须填写交付日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.township}·{self.name}"


class Institution(models.Model):
    """A childcare provider (托育机构) of any kind.

    Facts that change over time (places, fees, inclusive recognition, star rating, care contract,
    health instructor) live in dated records below; `selectors.institutions_as_of(D)` reads them
    as they stood on a day.
    """

    Kind = InstitutionKind

    Ownership = Ownership

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
    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="institutions",
        verbose_name=_("所在社区"),
    )
    address = models.CharField(_("地址"), max_length=300, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    contact_phone = models.CharField(
        _("联系电话"), max_length=30, blank=True, validators=[PhoneValidator()]
    )
    filing_number = models.CharField(_("备案编号"), max_length=50, blank=True)
    filed_on = models.DateField(
        _("备案日期"), null=True, blank=True, help_text=_("当日起计入统计。")
    )
    closed_on = models.DateField(
        _("注销/停办日期"), null=True, blank=True, help_text=_("当日起不再计入统计。")
    )
    special_needs_care = models.BooleanField(_("提供融合托育"), default=False)
    is_inclusive_kindergarten = models.BooleanField(
        _("普惠性幼儿园"), default=False, help_text=_("仅适用于幼儿园。")
    )
    panic_alarm_installed_on = models.DateField(
        _("一键式报警安装日期"), null=True, blank=True, help_text=_("当日起视为已安装。")
    )
    panic_alarm_removed_on = models.DateField(
        _("一键式报警拆除日期"), null=True, blank=True, help_text=_("当日起视为未安装。")
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
            models.CheckConstraint(
                condition=Q(is_inclusive_kindergarten=False) | Q(kind="kindergarten"),
                name="institution_inclusive_kindergarten_is_kindergarten",
                violation_error_message=_("只有幼儿园可以标记为普惠性幼儿园。"),
            ),
            models.CheckConstraint(
                condition=Q(panic_alarm_removed_on__isnull=True)
                | Q(panic_alarm_installed_on__isnull=False)
                & Q(panic_alarm_removed_on__gt=F("panic_alarm_installed_on")),
                name="institution_alarm_removed_after_installed",
                violation_error_message=_("一键式报警拆除日期必须晚于安装日期。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.credit_code:
            self.credit_code = validate_credit_code(
                self.credit_code, override_reason=self.credit_code_override_reason
            )

    @classmethod
    def facility_condition(cls, facilities) -> Q:
        """portal.roles: the institutions a health facility's users see, those linked to one of
        `facilities` by a "1+1" contract valid today."""
        today = timezone.localdate()
        contracts = CareContract.objects.filter(facility__in=facilities, valid_from__lte=today)
        contracts = contracts.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        return Q(pk__in=contracts.values("institution"))


class ApprovedPlaces(DatedFact):
    """核定托位 by class type."""

    infant = models.PositiveIntegerField(_("乳儿班托位"), default=0)
    toddler = models.PositiveIntegerField(_("托小班托位"), default=0)
    older = models.PositiveIntegerField(_("托大班托位"), default=0)
    mixed = models.PositiveIntegerField(_("混龄班托位"), default=0)

    history = HistoricalRecords()

    class Meta(DatedFact.Meta):
        verbose_name = _("核定托位")
        verbose_name_plural = _("核定托位")
        default_related_name = "approved_places"
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "effective_from"],
                name="approved_places_one_per_day",
                violation_error_message=_("同一天只能有一条核定托位记录。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.institution} {self.total} ({self.effective_from})"

    @property
    def total(self) -> int:
        return self.infant + self.toddler + self.older + self.mixed

    def places_for(self, class_type: str) -> int:
        return getattr(self, str(class_type))


class FeeStandard(DatedFact):
    """收费标准: the monthly fee an institution may charge."""

    monthly_full_day = models.DecimalField(
        _("全日托月收费（元）"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    monthly_half_day = models.DecimalField(
        _("半日托月收费（元）"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )

    history = HistoricalRecords()

    class Meta(DatedFact.Meta):
        verbose_name = _("收费标准")
        verbose_name_plural = _("收费标准")
        default_related_name = "fee_standards"
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "effective_from"],
                name="fee_standard_one_per_day",
                violation_error_message=_("同一天只能有一条收费标准记录。"),
            ),
            models.CheckConstraint(
                condition=Q(monthly_full_day__gte=0)
                & (Q(monthly_half_day__isnull=True) | Q(monthly_half_day__gte=0)),
                name="fee_standard_not_negative",
                violation_error_message=_("收费不能为负数。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution} {self.monthly_full_day} ({self.effective_from})"


class StarRating(DatedFact):
    """星级评定 given by the bureau."""

    stars = models.PositiveSmallIntegerField(
        _("星级"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    expires_on = models.DateField(
        _("有效期至"),
        null=True,
        blank=True,
        help_text=_("含当日；此后不再有星级，直到新的评定。留空表示长期有效。"),
    )

    history = HistoricalRecords()

    class Meta(DatedFact.Meta):
        verbose_name = _("星级评定")
        verbose_name_plural = _("星级评定")
        default_related_name = "star_ratings"
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "effective_from"],
                name="star_rating_one_per_day",
                violation_error_message=_("同一天只能有一条星级记录。"),
            ),
            models.CheckConstraint(
                condition=Q(stars__gte=1, stars__lte=5),
                name="star_rating_1_to_5",
                violation_error_message=_("星级为1到5星。"),
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=F("effective_from")),
                name="star_rating_expires_after_from",
                violation_error_message=_("有效期至不能早于生效日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution} {self.stars}★ ({self.effective_from})"


class InstructorAssignment(DatedFact):
    """The health instructor (健康指导员) assigned to an institution; empty ends an assignment."""

    instructor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="instructed_assignments",
        verbose_name=_("健康指导员"),
    )

    history = HistoricalRecords()

    class Meta(DatedFact.Meta):
        verbose_name = _("健康指导员指派")
        verbose_name_plural = _("健康指导员指派")
        default_related_name = "instructor_assignments"
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "effective_from"],
                name="instructor_assignment_one_per_day",
                violation_error_message=_("同一天只能有一条指派记录。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.institution} → {self.instructor} ({self.effective_from})"


class InclusiveRecognition(ValidityPeriod):
    """普惠认定: recognition as inclusive (price-capped, subsidised) for a period."""

    document_number = models.CharField(_("认定文号"), max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta(ValidityPeriod.Meta):
        verbose_name = _("普惠认定")
        verbose_name_plural = _("普惠认定")
        default_related_name = "inclusive_recognitions"
        constraints = period_constraints("inclusive_recognition")

    def __str__(self) -> str:
        return f"{self.institution} 普惠 {self.valid_from}–{self.valid_to or ''}"


class CareContract(ValidityPeriod):
    """ "1+1" primary-care contract with a named health facility."""

    health_facility = models.CharField(_("签约医疗卫生机构"), max_length=200)
    facility = models.ForeignKey(
        "institutions.HealthFacility",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="care_contracts",
        verbose_name=_("签约医疗卫生机构（关联）"),
        help_text=_("旧记录只有机构名称，由卫健局关联。"),
    )

    history = HistoricalRecords()
    facility_path = "facility"

    class Meta(ValidityPeriod.Meta):
        verbose_name = _("医育结合签约")
        verbose_name_plural = _("医育结合签约")
        default_related_name = "care_contracts"
        constraints = period_constraints("care_contract")

    def __str__(self) -> str:
        return f"{self.institution} ↔ {self.health_facility}"


class StaffMember(models.Model):
    """Someone employed at an institution (从业人员), from `hired_on` until `left_on`."""

    Role = StaffRole

    CARE_ROLES = CARE_ROLES

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
            # Employed on [hired_on, left_on): the same person twice at once at one institution
            # is impossible whatever writes the rows.
            PostgresExclusionConstraint(
                name="staff_not_employed_twice_at_once",
                expressions=[
                    ("institution", RangeOperators.EQUAL),
                    ("id_number_hash", RangeOperators.EQUAL),
                    (
                        Func(
                            F("hired_on"),
                            F("left_on"),
                            function="DATERANGE",
                            output_field=DateRangeField(),
                        ),
                        RangeOperators.OVERLAPS,
                    ),
                ],
                violation_error_message=_("此人在该机构的任职期间与已有记录重叠。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_care_role(self) -> bool:
        return self.role in self.CARE_ROLES


class Certificate(models.Model):
    """A qualification held by a staff member, valid from issue to expiry, both included."""

    class Kind(models.TextChoices):
        CHILDCARE_WORKER = "childcare_worker", _("保育师")
        INFANT_CARER = "infant_carer", _("育婴员")
        KINDERGARTEN_TEACHER = "kindergarten_teacher", _("幼儿园教师资格证")
        DEVELOPMENT_GUIDE = "development_guide", _("婴幼儿发展引导员")
        HEALTH_CARER = "health_carer", _("健康照护师")
        HEALTH_WORKER_TRAINING = "health_worker_training", _("保健员培训合格证")
        HEALTH_CERTIFICATE = "health_certificate", _("健康证")
        GUARD = "guard", _("保安员证")

    # The certificates that qualify someone for a care role (K5, the certification rate).
    QUALIFYING = frozenset(
        {
            Kind.CHILDCARE_WORKER,
            Kind.INFANT_CARER,
            Kind.KINDERGARTEN_TEACHER,
            Kind.DEVELOPMENT_GUIDE,
            Kind.HEALTH_CARER,
        }
    )

    staff = models.ForeignKey(
        StaffMember,
        on_delete=models.CASCADE,
        related_name="certificates",
        verbose_name=_("从业人员"),
    )
    kind = models.CharField(_("证书类型"), max_length=30, choices=Kind.choices)
    number = models.CharField(_("证书编号"), max_length=100, blank=True)
    issued_on = models.DateField(_("发证日期"), help_text=_("含当日起有效。"))
    expires_on = models.DateField(
        _("有效期至"), null=True, blank=True, help_text=_("含当日；留空表示长期有效。")
    )

    history = HistoricalRecords()
    institution_path = "staff__institution"

    class Meta:
        verbose_name = _("证书")
        verbose_name_plural = _("证书")
        ordering = ["staff", "-issued_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=F("issued_on")),
                name="certificate_expires_after_issue",
                violation_error_message=_("有效期至不能早于发证日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    @property
    def qualifies(self) -> bool:
        return self.kind in self.QUALIFYING


# Monthly reports and import jobs live in their own modules; importing them here registers them
# with this app.
from institutions.facts_at_day import FactsAtDay  # noqa: E402
from institutions.health.models import (  # noqa: E402
    ContractServiceMonth,
    GuidanceVisit,
    HealthFacility,
    ScreeningMonth,
    SessionAttendance,
)
from institutions.import_jobs.models import ImportJob  # noqa: E402
from institutions.inclusive.models import (  # noqa: E402
    SupportCase,
    SupportCaseAccess,
    SupportReview,
)
from institutions.lecturers.models import LecturerMember  # noqa: E402
from institutions.premises import IdlePremises  # noqa: E402
from institutions.public_fees import PublicFeeStandard  # noqa: E402
from institutions.recognitions import DemonstrationUnit  # noqa: E402
from institutions.reports.models import (  # noqa: E402
    MonthlyReport,
    ParentingSession,
    ReportReminder,
    ReportWindowException,
)
from institutions.training.models import (  # noqa: E402
    TrainingAttendance,
    TrainingCourse,
    TrainingProvider,
)

__all__ = [
    "CHILDREN_PER_CARER",
    "ApprovedPlaces",
    "CareContract",
    "Certificate",
    "ClassType",
    "Community",
    "CommunityFacts",
    "ContractServiceMonth",
    "DateRangeInclusive",
    "DatedFact",
    "DemonstrationUnit",
    "FactsAtDay",
    "FeeStandard",
    "GuidanceVisit",
    "HealthFacility",
    "IdlePremises",
    "ImportJob",
    "InclusiveRecognition",
    "Institution",
    "InstitutionDetails",
    "InstructorAssignment",
    "LecturerMember",
    "MonthlyReport",
    "PanicAlarm",
    "ParentingSession",
    "PublicFeeStandard",
    "ReportReminder",
    "ReportWindowException",
    "ScreeningMonth",
    "SessionAttendance",
    "StaffMember",
    "StaffRoleRecord",
    "StarRating",
    "SupportCase",
    "SupportCaseAccess",
    "SupportReview",
    "Township",
    "TrainingAttendance",
    "TrainingCourse",
    "TrainingProvider",
    "ValidityPeriod",
]
