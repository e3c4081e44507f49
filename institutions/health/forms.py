"""Forms of the health facilities' pages. Field rules across records live in validators.py and
services.py; these only shape the input."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.forms import MonthField

from ..lecturers.models import check_members_on
from ..models import CareContract, Community, Institution, LecturerMember, ParentingSession
from ..reports.forms import DateInput
from ..training.forms import SignInSheetForm
from .fields import MOBILES_HELP, MobilesField
from .models import GUIDANCE_TOPICS, GuidanceVisit, HealthFacility


def _facility_field() -> forms.ModelChoiceField:
    field = forms.ModelChoiceField(
        label=_("医疗卫生机构"), queryset=HealthFacility.objects.none(), empty_label=None
    )
    return field


class HealthSessionForm(forms.Form):
    facility = _facility_field()
    held_on = forms.DateField(label=_("活动日期"), widget=DateInput())
    topic = forms.CharField(label=_("主题"), max_length=200)
    venue = forms.ChoiceField(label=_("活动场所类型"), choices=ParentingSession.Venue.choices)
    community = forms.ModelChoiceField(
        label=_("所在社区"),
        queryset=Community.objects.none(),
        required=False,
        empty_label=_("（不在社区或不填）"),
    )
    families_reached = forms.IntegerField(
        label=_("参与家庭数"),
        min_value=0,
        required=False,
        help_text=_("填写签到名单时按名单计算，可不填。"),
        widget=forms.NumberInput(attrs={"min": "0", "inputmode": "numeric"}),
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

    def __init__(self, *args, facilities, lecturers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facility"].queryset = facilities
        if lecturers is None:
            del self.fields["lecturers"]
        else:
            self.fields["lecturers"].queryset = lecturers
        townships = facilities.values("township")
        self.fields["community"].queryset = Community.objects.filter(
            township__in=townships
        ).select_related("township")

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        if held_on > timezone.localdate():
            raise ValidationError(_("活动日期不能晚于今天。"), code="future")
        return held_on

    def clean(self):
        data = super().clean()
        if not data.get("mobiles") and data.get("families_reached") is None:
            if "mobiles" not in self.errors:
                self.add_error("families_reached", _("请填写参与家庭数，或填写签到名单。"))
        community, facility = data.get("community"), data.get("facility")
        if community and facility and community.township_id != facility.township_id:
            self.add_error("community", _("所选社区不在该机构所在镇街。"))
        lecturers_clean(self, data)
        return data

    def session(self) -> ParentingSession:
        data = self.cleaned_data
        return ParentingSession(
            held_on=data["held_on"],
            topic=data["topic"].strip(),
            venue=data["venue"],
            community=data.get("community"),
            families_reached=data.get("families_reached") or 0,
        )


def lecturers_clean(form: forms.Form, data: dict) -> None:
    """A session's lecturers were members of the team on its day (both ends included)."""
    if data.get("lecturers") and data.get("held_on"):
        try:
            check_members_on(data["lecturers"], data["held_on"])
        except ValidationError as error:
            form.add_error("lecturers", error.message_dict["lecturers"])


class AttendanceForm(forms.Form):
    mobiles = MobilesField(
        label=_("签到名单（家长手机号码）"), required=False, help_text=MOBILES_HELP
    )


class AttendanceFileForm(SignInSheetForm):
    """An attendance list as a spreadsheet: the sign-in sheet's upload checks (xlsx or csv, the
    size limit before anything reads it)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["file"]
        field.label = _("签到名单文件（xlsx 或 csv）")
        field.help_text = _(
            "请使用导入模板，一列“家长手机号”，每行一个号码；导入后替换原有名单。"
            "任何一行有误时整份名单都不会导入。"
        )


class GuidanceForm(forms.Form):
    facility = _facility_field()
    institution = forms.ModelChoiceField(label=_("托育机构"), queryset=Institution.objects.none())
    visited_on = forms.DateField(label=_("指导日期"), widget=DateInput())
    instructor = forms.ModelChoiceField(
        label=_("健康指导员"),
        queryset=get_user_model().objects.none(),
        help_text=_("该托育机构在指导日期的健康指导员，或所选医疗卫生机构的用户。"),
    )
    mode = forms.ChoiceField(label=_("方式"), choices=GuidanceVisit.Mode.choices)
    topics = forms.MultipleChoiceField(
        label=_("指导内容"), choices=GUIDANCE_TOPICS, widget=forms.CheckboxSelectMultiple
    )
    advice = forms.CharField(label=_("指导意见"), widget=forms.Textarea(attrs={"rows": 4}))
    follow_up = forms.CharField(
        label=_("跟进事项"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    follow_up_by = forms.DateField(label=_("跟进期限"), required=False, widget=DateInput())

    def __init__(self, *args, facilities, institutions, instructors, user, **kwargs):
        """`instructors`: every user who may instruct at one of `institutions` for one of
        `facilities` (selectors.instructor_candidates); the one visit's rule is the service's.
        The signed-in `user` is the default when among them."""
        super().__init__(*args, **kwargs)
        self.fields["facility"].queryset = facilities
        field = self.fields["institution"]
        field.queryset = institutions
        field.label_from_instance = lambda i: f"{i.name}（{i.township.name}）"
        field = self.fields["instructor"]
        field.queryset = instructors.order_by("first_name", "username")
        field.label_from_instance = lambda u: u.get_full_name() or u.get_username()
        if instructors.filter(pk=user.pk).exists():
            self.initial.setdefault("instructor", user.pk)

    def visit(self) -> GuidanceVisit:
        data = self.cleaned_data
        return GuidanceVisit(
            facility=data["facility"],
            institution=data["institution"],
            instructor=data["instructor"],
            visited_on=data["visited_on"],
            mode=data["mode"],
            topics=list(data["topics"]),
            advice=data["advice"].strip(),
            follow_up=(data.get("follow_up") or "").strip(),
            follow_up_by=data.get("follow_up_by"),
        )


def _count(label) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        initial=0,
        widget=forms.NumberInput(attrs={"min": "0", "inputmode": "numeric"}),
    )


class ScreeningForm(forms.Form):
    facility = _facility_field()
    period = MonthField(label=_("月份"))
    development_screenings = _count(_("儿童早期发育筛查人次"))
    risk_assessments = _count(_("婴幼儿风险评估人次"))
    positive_cases = _count(_("阳性个案数"))
    home_visits = _count(_("阳性个案家访次数"))

    FIGURES = ("development_screenings", "risk_assessments", "positive_cases", "home_visits")

    def __init__(self, *args, facilities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facility"].queryset = facilities

    def figures(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIGURES}


class ContractServiceForm(forms.Form):
    contract = forms.ModelChoiceField(label=_("签约机构"), queryset=CareContract.objects.none())
    period = MonthField(label=_("月份"))
    health_education = _count(_("健康宣教次数"))
    vaccination_checks = _count(_("疫苗接种查验人数"))
    growth_monitoring = _count(_("生长发育监测人数"))
    notes = forms.CharField(
        label=_("其他服务"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    FIGURES = ("health_education", "vaccination_checks", "growth_monitoring")

    def __init__(self, *args, contracts, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["contract"]
        field.queryset = contracts
        field.label_from_instance = lambda c: f"{c.institution.name}（{c.facility.name}）"

    def figures(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIGURES}


class LinkForm(forms.Form):
    """The bureau links one unlinked contract or session to a facility."""

    KIND_CHOICES = (("contract", _("签约")), ("session", _("活动")))
    kind = forms.ChoiceField(choices=KIND_CHOICES, widget=forms.HiddenInput)
    record = forms.IntegerField(widget=forms.HiddenInput)
    facility = forms.ModelChoiceField(
        label=_("医疗卫生机构"),
        queryset=HealthFacility.objects.select_related("township"),
        empty_label=_("请选择机构"),
    )
