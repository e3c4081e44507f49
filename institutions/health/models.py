"""Health facilities (医疗卫生机构) and the records they keep.

Registered under the `institutions` app (institutions/models.py imports this module), so this
module does not import institutions.models: its foreign keys name the registry's models.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class HealthFacility(models.Model):
    """A facility of the three-level guidance network (plan 7.1): the county level (市妇幼保健院,
    the city's comprehensive childcare service centre) and the township health centres /
    community health service centres, which sign "1+1" contracts with institutions (7.2)."""

    class Level(models.TextChoices):
        COUNTY = "county", _("县级")
        TOWNSHIP = "township", _("镇街级")

    class Kind(models.TextChoices):
        MATERNAL_CHILD = "maternal_child", _("妇幼保健院")
        CHILDCARE_CENTRE = "childcare_centre", _("托育综合服务中心")
        TOWNSHIP_HOSPITAL = "township_hospital", _("乡镇卫生院")
        COMMUNITY_CENTRE = "community_centre", _("社区卫生服务中心")

    # Which kinds belong to which level.
    KINDS_BY_LEVEL = {
        Level.COUNTY: frozenset({Kind.MATERNAL_CHILD, Kind.CHILDCARE_CENTRE}),
        Level.TOWNSHIP: frozenset({Kind.TOWNSHIP_HOSPITAL, Kind.COMMUNITY_CENTRE}),
    }

    name = models.CharField(_("机构名称"), max_length=200, unique=True)
    level = models.CharField(_("层级"), max_length=20, choices=Level.choices)
    kind = models.CharField(_("类型"), max_length=30, choices=Kind.choices)
    township = models.ForeignKey(
        "institutions.Township",
        on_delete=models.PROTECT,
        related_name="health_facilities",
        verbose_name=_("所在镇街"),
    )
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="health_facilities",
        verbose_name=_("机构用户"),
    )

    history = HistoricalRecords(m2m_fields=[users])
    facility_path = ""  # portal.roles: the object is the facility

    class Meta:
        verbose_name = _("医疗卫生机构")
        verbose_name_plural = _("医疗卫生机构")
        ordering = ["level", "township__sort_order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level="county", kind__in=["maternal_child", "childcare_centre"])
                | Q(level="township", kind__in=["township_hospital", "community_centre"]),
                name="health_facility_kind_matches_level",
                violation_error_message=_("机构类型与层级不符。"),
            )
        ]

    def __str__(self) -> str:
        return self.name


class SessionAttendance(models.Model):
    """One family on a parenting session's attendance list (签到名单). The family is the keyed
    hash of the parent's mobile number (portal.personal_data.keyed_hash); the number itself is
    never stored. A session with no rows has no list (K9_families counts its head count)."""

    session = models.ForeignKey(
        "institutions.ParentingSession",
        on_delete=models.CASCADE,
        related_name="attendance",
        verbose_name=_("活动"),
    )
    family_hash = models.CharField(_("家庭标识"), max_length=64, editable=False, db_index=True)

    history = HistoricalRecords()
    institution_path = "session__institution"
    facility_path = "session__facility"

    class Meta:
        verbose_name = _("活动签到家庭")
        verbose_name_plural = _("活动签到家庭")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "family_hash"],
                name="session_attendance_family_once",
                violation_error_message=_("同一家庭在一场活动中只记一次。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.session_id} · {self.family_hash[:8]}"


GUIDANCE_TOPICS = (
    ("nutrition", _("营养与喂养")),
    ("growth", _("生长发育")),
    ("mental_health", _("心理健康")),
    ("disease_prevention", _("常见病预防")),
    ("vaccination", _("疫苗接种查验")),
    ("hygiene", _("卫生消毒")),
    ("safety", _("伤害预防与安全")),
)
GUIDANCE_TOPIC_CODES = frozenset(code for code, _label in GUIDANCE_TOPICS)


class GuidanceVisit(models.Model):
    """A health instructor's guidance visit or consultation at an institution (plan 7.1): the
    topics, the advice given and the follow-up. Not an inspection: no checklist, no finding."""

    class Mode(models.TextChoices):
        VISIT = "visit", _("上门指导")
        CONSULTATION = "consultation", _("咨询服务")

    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="guidance_visits",
        verbose_name=_("托育机构"),
    )
    facility = models.ForeignKey(
        HealthFacility,
        on_delete=models.PROTECT,
        related_name="guidance_visits",
        verbose_name=_("医疗卫生机构"),
    )
    instructor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="guidance_visits",
        verbose_name=_("健康指导员"),
    )
    visited_on = models.DateField(_("指导日期"))
    mode = models.CharField(_("方式"), max_length=20, choices=Mode.choices, default=Mode.VISIT)
    topics = models.JSONField(_("指导内容"), default=list)
    advice = models.TextField(_("指导意见"))
    follow_up = models.TextField(_("跟进事项"), blank=True)
    follow_up_by = models.DateField(_("跟进期限"), null=True, blank=True, help_text=_("含当日。"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("填报人"),
    )

    history = HistoricalRecords()
    institution_path = "institution"
    facility_path = "facility"

    class Meta:
        verbose_name = _("健康指导记录")
        verbose_name_plural = _("健康指导记录")
        ordering = ["-visited_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(follow_up_by__isnull=True)
                | Q(follow_up_by__gte=models.F("visited_on")),
                name="guidance_follow_up_after_visit",
                violation_error_message=_("跟进期限不能早于指导日期。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.institution}"

    def topic_labels(self) -> list[str]:
        labels = dict(GUIDANCE_TOPICS)
        return [str(labels.get(code, code)) for code in self.topics]


class ScreeningMonth(models.Model):
    """A facility's figures for one month of the basic public-health programme's child work
    (plan 7.1): counts only, no child's data."""

    facility = models.ForeignKey(
        HealthFacility,
        on_delete=models.PROTECT,
        related_name="screening_months",
        verbose_name=_("医疗卫生机构"),
    )
    period = models.DateField(_("月份"), help_text=_("该月第一天，代表整月。"))
    development_screenings = models.PositiveIntegerField(_("儿童早期发育筛查人次"), default=0)
    risk_assessments = models.PositiveIntegerField(_("婴幼儿风险评估人次"), default=0)
    positive_cases = models.PositiveIntegerField(_("阳性个案数"), default=0)
    home_visits = models.PositiveIntegerField(_("阳性个案家访次数"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("填报人"),
    )

    history = HistoricalRecords()
    facility_path = "facility"

    class Meta:
        verbose_name = _("月度筛查数据")
        verbose_name_plural = _("月度筛查数据")
        ordering = ["-period", "facility"]
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "period"],
                name="screening_month_one_per_facility",
                violation_error_message=_("该机构该月的筛查数据已填报。"),
            ),
            models.CheckConstraint(
                condition=Q(period__day=1),
                name="screening_month_first_day",
                violation_error_message=_("月份须为该月第一天。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facility} {self.period:%Y-%m}"


class ContractServiceMonth(models.Model):
    """What a facility delivered under one "1+1" contract in a month (plan 7.2: health education,
    vaccination checks, growth monitoring): counts only, no child's data."""

    contract = models.ForeignKey(
        "institutions.CareContract",
        on_delete=models.PROTECT,
        related_name="service_months",
        verbose_name=_("医育结合签约"),
    )
    period = models.DateField(_("月份"), help_text=_("该月第一天，代表整月。"))
    health_education = models.PositiveIntegerField(_("健康宣教次数"), default=0)
    vaccination_checks = models.PositiveIntegerField(_("疫苗接种查验人数"), default=0)
    growth_monitoring = models.PositiveIntegerField(_("生长发育监测人数"), default=0)
    notes = models.TextField(_("其他服务"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("填报人"),
    )

    history = HistoricalRecords()
    institution_path = "contract__institution"
    facility_path = "contract__facility"

    class Meta:
        verbose_name = _("签约服务记录")
        verbose_name_plural = _("签约服务记录")
        ordering = ["-period", "contract"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "period"],
                name="contract_service_one_per_month",
                violation_error_message=_("该签约该月的服务记录已填报。"),
            ),
            models.CheckConstraint(
                condition=Q(period__day=1),
                name="contract_service_first_day",
                violation_error_message=_("月份须为该月第一天。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract} {self.period:%Y-%m}"
