"""Forms of the monthly-report pages. They parse input; every rule and every write is in the
services (`services.py`, which calls `validators.check_report`), so the form, the API and the
import agree."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from institutions.health.fields import MOBILES_HELP, MobilesField
from institutions.lecturers.models import LecturerMember, check_members_on
from institutions.models import (
    CHILDREN_PER_CARER,
    ClassType,
    Community,
    HealthFacility,
    Institution,
    Township,
)
from portal.dates import add_months, month_start
from portal.forms import MonthField

from . import selectors
from .models import CLASS_FIELDS, MonthlyReport, ParentingSession

# --- Shared widgets and fields -------------------------------------------------------------------


def month_choices(*, include_current: bool = False, empty_label=None) -> list[tuple[str, str]]:
    """Months since the pilot started whose report window has opened, newest first (with the
    current month too where sessions of this month may be filed). A list of months reads better
    than a month picker, which some browsers show as a bare text box."""
    today = timezone.localdate()
    periods = selectors.report_periods(today=today)
    if include_current:
        periods = [month_start(today), *periods]
    choices = [(f"{period:%Y-%m}", f"{period:%Y-%m}") for period in periods]
    return [("", empty_label), *choices] if empty_label is not None else choices


def _use_month_select(field: forms.Field, **kwargs) -> None:
    field.widget = forms.Select(choices=month_choices(**kwargs))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _count_field(label, *, help_text="", **attrs) -> forms.IntegerField:
    # No min_value here: "不能为负数" comes from the one rule set (validators.check_report).
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"min": "0", "step": "1", "inputmode": "numeric", **attrs}),
        error_messages={"required": _("请填写人数，没有请填0。"), "invalid": _("请输入整数。")},
    )


def _fee_field(label, *, help_text="") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        help_text=help_text,
        required=False,
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"min": "0", "step": "0.01", "inputmode": "decimal"}),
        error_messages={"invalid": _("请输入金额，例如 1800 或 1800.50。")},
    )


# --- The operator's monthly report ---------------------------------------------------------------


class MonthlyReportForm(forms.Form):
    """The operator's form. Field names are the model's, so a service's errors land on them."""

    SECTIONS = (
        (
            "enrolment",
            _("在托人数"),
            (*CLASS_FIELDS.values(), "voucher_children", "special_needs_children"),
        ),
        ("fees", _("收费"), ("fee_full_day", "fee_half_day")),
        ("staff", _("人员"), ("staff_on_duty", "staff_certified", "staff_override_reason")),
        ("attendance", _("出勤与安全"), ("attendance_days", "safety_incidents")),
    )

    enrolled_infant = _count_field(ClassType.INFANT.label)
    enrolled_toddler = _count_field(ClassType.TODDLER.label)
    enrolled_older = _count_field(ClassType.OLDER.label)
    enrolled_mixed = _count_field(ClassType.MIXED.label)
    voucher_children = _count_field(
        _("其中：使用托育券的儿童"), help_text=_("包含在上面的在托人数中。")
    )
    special_needs_children = _count_field(
        _("其中：特殊需要儿童"), help_text=_("包含在上面的在托人数中。")
    )
    fee_full_day = _fee_field(
        _("全日托实际月收费（元）"), help_text=_("本月实际向家庭收取的标准月费，不含减免。")
    )
    fee_half_day = _fee_field(_("半日托实际月收费（元）"), help_text=_("不提供半日托的请留空。"))
    staff_on_duty = _count_field(_("在岗保育人员（人）"))
    staff_certified = _count_field(_("其中持证（人）"))
    staff_override_reason = forms.CharField(
        label=_("人数与登记信息不一致的原因"),
        required=False,
        max_length=300,
        help_text=_(
            "在岗或持证人数与机构登记的人员信息不同时必填，例如“3月新招1名保育员，尚未登记”。"
        ),
    )
    attendance_days = _count_field(_("本月出勤天数（天）"), max="31")
    safety_incidents = _count_field(
        _("本月安全事件（起）"), help_text=_("包括意外伤害、走失、食品安全等，没有请填0。")
    )
    warning_comment = forms.CharField(
        label=_("预警说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("有预警时必须填写，卫健局审核时会看到。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for class_type, name in CLASS_FIELDS.items():
            # The ratio the page's script uses for the live carer count; the same table as the rule.
            self.fields[name].widget.attrs["data-per-carer"] = CHILDREN_PER_CARER[class_type]
        self.fields["staff_override_reason"].widget.attrs["autocomplete"] = "off"

    @classmethod
    def initial_from(cls, report: MonthlyReport) -> dict:
        return {name: getattr(report, name) for name in cls.base_fields}

    def sections(self):
        for key, title, names in self.SECTIONS:
            yield {"key": key, "title": title, "fields": [self[name] for name in names]}


# --- Bureau: review ------------------------------------------------------------------------------

STATE_FILTER_CHOICES = [
    ("submitted", _("待审核（已提交）")),
    ("returned", _("已退回")),
    ("accepted", _("审核通过")),
    ("draft", _("草稿（未提交）")),
    ("all", _("全部状态")),
]
WARNING_FILTER_CHOICES = [("", _("不限")), ("yes", _("有预警")), ("no", _("无预警"))]


def _township_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("镇街"),
        queryset=Township.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("全部镇街"),
    )


class ReviewFilterForm(forms.Form):
    month = MonthField(label=_("月份"), required=False)
    state = forms.ChoiceField(label=_("状态"), choices=STATE_FILTER_CHOICES, required=False)
    township = _township_field()
    warnings = forms.ChoiceField(label=_("预警"), choices=WARNING_FILTER_CHOICES, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _use_month_select(self.fields["month"], empty_label=_("全部月份"))

    def filters(self) -> dict:
        """Keyword arguments for selectors.review_queue (submitted reports when unfiltered)."""
        data = self.cleaned_data if self.is_valid() else {}
        state = data.get("state") or "submitted"
        states = (
            list(MonthlyReport.State.values)
            if state == "all"
            else [state]
            if state in MonthlyReport.State.values
            else None
        )
        township = data.get("township")
        return {
            "period": data.get("month"),
            "states": states,
            "township_id": township.pk if township else None,
            "with_warnings": {"yes": True, "no": False}.get(data.get("warnings") or ""),
        }


class BulkReviewForm(forms.Form):
    MAX_REPORTS = 200

    action = forms.ChoiceField(choices=[("accept", _("批量通过")), ("return", _("批量退回"))])
    reason = forms.CharField(
        label=_("退回原因"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("批量退回时必填，机构经办人会看到。"),
    )
    report = forms.TypedMultipleChoiceField(coerce=int, required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The ids are checked against the user's scope in the view; here only their shape.
        posted = self.data.getlist("report") if hasattr(self.data, "getlist") else []
        self.fields["report"].choices = [(value, value) for value in posted if value.isdigit()]
        self.fields["report"].error_messages["required"] = _("请先勾选要处理的月报。")
        self.fields["report"].error_messages["invalid_choice"] = _(
            "勾选的月报无效，请刷新页面重试。"
        )

    def clean_report(self):
        ids = self.cleaned_data["report"]
        if len(ids) > self.MAX_REPORTS:
            raise ValidationError(
                _("一次最多处理%(n)s份月报。") % {"n": self.MAX_REPORTS}, code="too_many"
            )
        return ids

    def clean(self):
        data = super().clean()
        if data.get("action") == "return" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("批量退回须填写原因，机构经办人会看到。"))
        return data


class ReviewActionForm(forms.Form):
    """One report: accept, return (reason required) or reopen (reason required)."""

    action = forms.ChoiceField(
        choices=[("accept", _("通过")), ("return", _("退回")), ("reopen", _("重新打开"))]
    )
    reason = forms.CharField(
        label=_("原因"),
        required=False,  # the service says it is missing, in the same words the API gives
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("退回或重新打开时必填，机构经办人会看到。"),
    )


# --- Bureau: completeness and exceptions ---------------------------------------------------------


class CompletenessFilterForm(forms.Form):
    month = MonthField(label=_("月份"), required=False)
    township = _township_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _use_month_select(self.fields["month"])


class ExceptionForm(forms.Form):
    institution = forms.ModelChoiceField(
        label=_("机构"),
        queryset=Institution.objects.select_related("township").order_by(
            "township__sort_order", "name", "pk"
        ),
        empty_label=_("请选择机构"),
    )
    month = MonthField(label=_("补报月份"))
    open_until = forms.DateField(
        label=_("开放至"), widget=DateInput(), help_text=_("含当日；当天结束后再次锁定。")
    )
    reason = forms.CharField(
        label=_("原因"),
        max_length=300,
        error_messages={"required": _("请填写原因，例如“系统故障，机构未能按时填报”。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].label_from_instance = lambda i: f"{i.township.name} · {i.name}"
        _use_month_select(self.fields["month"], empty_label=_("请选择月份"))

    def clean_month(self):
        period = self.cleaned_data["month"]
        if period and period >= month_start(timezone.localdate()):
            raise ValidationError(
                _("只能为已结束的月份开通补报（该月的月报在下月1日才开放）。"), code="future"
            )
        return period

    def clean_open_until(self):
        open_until = self.cleaned_data["open_until"]
        if open_until < timezone.localdate():
            raise ValidationError(_("开放截止日期不能早于今天。"), code="past")
        return open_until


# --- Parenting-care sessions ---------------------------------------------------------------------


class SessionFilterForm(forms.Form):
    month = MonthField(label=_("月份"), required=False)
    township = _township_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _use_month_select(self.fields["month"], include_current=True, empty_label=_("全部月份"))


class ParentingSessionForm(forms.Form):
    """Operators file sessions of their own institutions; bureau staff may also file those of
    health centres, naming the facility (its name and township are the facility's). Either may
    give the attendance list (mobiles): the head count is then the list's length."""

    organiser_kind = forms.ChoiceField(
        label=_("组织方类型"),
        choices=ParentingSession.OrganiserKind.choices,
        widget=forms.RadioSelect,
        initial=ParentingSession.OrganiserKind.INSTITUTION,
    )
    institution = forms.ModelChoiceField(
        label=_("组织机构"), queryset=Institution.objects.none(), required=False
    )
    facility = forms.ModelChoiceField(
        label=_("卫生院/社区卫生服务中心"),
        queryset=HealthFacility.objects.none(),
        required=False,
        empty_label=_("请选择医疗卫生机构"),
        help_text=_("组织方为卫生院或社区卫生服务中心时选择；镇街取该机构所在镇街。"),
    )
    held_on = forms.DateField(label=_("活动日期"), widget=DateInput())
    topic = forms.CharField(label=_("主题"), max_length=200)
    families_reached = forms.IntegerField(
        label=_("参与家庭数"),
        min_value=0,
        required=False,
        help_text=_("填写签到名单时按名单计算，可不填。"),
        widget=forms.NumberInput(attrs={"min": "0", "inputmode": "numeric"}),
    )
    venue = forms.ChoiceField(
        label=_("活动场所类型"),
        choices=[("", _("（不填）")), *ParentingSession.Venue.choices],
        required=False,
    )
    community = forms.ModelChoiceField(
        label=_("所在社区"),
        queryset=Community.objects.select_related("township"),
        required=False,
        empty_label=_("（不在社区或不填）"),
    )
    lecturers = forms.ModelMultipleChoiceField(
        label=_("主讲讲师"),
        queryset=LecturerMember.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("须为活动当日的讲师团成员。"),
    )
    mobiles = MobilesField(
        label=_("签到名单（家长手机号码）"), required=False, help_text=MOBILES_HELP
    )

    def __init__(self, *args, institutions, allow_health_centre: bool, lecturers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.allow_health_centre = allow_health_centre
        if lecturers is None:
            del self.fields["lecturers"]
        else:
            self.fields["lecturers"].queryset = lecturers
        field = self.fields["institution"]
        field.queryset = institutions
        field.label_from_instance = lambda i: f"{i.name}（{i.township.name}）"
        field.empty_label = _("请选择机构")
        if allow_health_centre:
            self.fields["facility"].queryset = HealthFacility.objects.select_related("township")
        else:
            for name in ("organiser_kind", "facility"):
                del self.fields[name]
            field.required = True
            self.fields["community"].queryset = Community.objects.filter(
                township__in=institutions.values("township")
            ).select_related("township")

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        if held_on > timezone.localdate():
            raise ValidationError(_("活动日期不能晚于今天。"), code="future")
        if held_on < add_months(month_start(timezone.localdate()), -24):
            raise ValidationError(_("只能登记两年内的活动。"), code="too_old")
        return held_on

    def clean(self):
        data = super().clean()
        kind = data.get("organiser_kind", ParentingSession.OrganiserKind.INSTITUTION)
        township_id = None
        if kind == ParentingSession.OrganiserKind.INSTITUTION:
            if not data.get("institution") and "institution" not in self.errors:
                self.add_error("institution", _("请选择组织机构。"))
            if data.get("institution"):
                township_id = data["institution"].township_id
        else:
            if not data.get("facility") and "facility" not in self.errors:
                self.add_error("facility", _("请选择组织活动的卫生院或社区卫生服务中心。"))
            if data.get("facility"):
                township_id = data["facility"].township_id
        community = data.get("community")
        if community and township_id and community.township_id != township_id:
            self.add_error("community", _("所选社区不在该组织方所在镇街。"))
        if not data.get("mobiles") and data.get("families_reached") is None:
            if "mobiles" not in self.errors and "families_reached" not in self.errors:
                self.add_error("families_reached", _("请填写参与家庭数，或填写签到名单。"))
        if data.get("lecturers") and data.get("held_on"):
            try:
                check_members_on(data["lecturers"], data["held_on"])
            except ValidationError as error:
                self.add_error("lecturers", error.message_dict["lecturers"])
        return data

    @property
    def organiser_facility(self):
        """The health facility that organised the session, or None (an institution's)."""
        data = self.cleaned_data
        if data.get("organiser_kind") == ParentingSession.OrganiserKind.HEALTH_CENTRE:
            return data.get("facility")
        return None

    def session(self) -> ParentingSession:
        """The unsaved session the cleaned data describe (a health centre's takes its name and
        township from the facility when saved: health.services.health_session_save)."""
        data = self.cleaned_data
        kind = data.get("organiser_kind", ParentingSession.OrganiserKind.INSTITUTION)
        common = {
            "held_on": data["held_on"],
            "venue": data.get("venue") or "",
            "community": data.get("community"),
            "topic": data["topic"].strip(),
            "families_reached": data.get("families_reached") or 0,
            "organiser_kind": kind,
        }
        if kind == ParentingSession.OrganiserKind.INSTITUTION:
            institution = data["institution"]
            return ParentingSession(
                **common,
                institution=institution,
                organiser_name=institution.name,
                township_id=institution.township_id,
            )
        facility = data["facility"]
        return ParentingSession(
            **common,
            institution=None,
            facility=facility,
            organiser_name=facility.name,
            township_id=facility.township_id,
        )
