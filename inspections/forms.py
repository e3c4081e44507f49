"""Forms of the inspection pages. They check input; saving goes through `services.py`."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from institutions.models import Institution, Township
from portal.roles import scope

from .models import (
    Area,
    Concern,
    Incident,
    Inspection,
    InspectionKind,
    InspectionResult,
    Severity,
)
from .models.concerns import CONCERN_TEXT_MAX
from .selectors import ROUTINE_KINDS, inspector_pool_candidates
from .validators import (
    MAX_FILES_PER_UPLOAD,
    validate_concern_attachment,
    validate_evidence_file,
    validate_file_count,
    validate_incident_time,
    validate_photo_file,
    validate_public_wording,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


def user_label(user) -> str:
    return user.get_full_name() or user.get_username()


class InspectorChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return user_label(obj)


# --- Inspections ---------------------------------------------------------------------------------


class InspectionCreateForm(forms.Form):
    institution = forms.ModelChoiceField(
        label=_("机构"), queryset=Institution.objects.none(), empty_label=_("请选择机构")
    )
    kind = forms.ChoiceField(label=_("检查类型"), choices=InspectionKind.choices)
    inspected_on = forms.DateField(
        label=_("检查日期"), widget=DateInput(), help_text=_("现场检查当日。")
    )
    inspectors = InspectorChoiceField(
        label=_("检查人员"),
        queryset=inspector_pool_candidates(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "choice-list"}),
        help_text=_("双随机抽查至少2人。"),
    )
    joint_agencies = forms.CharField(
        label=_("联合检查部门"),
        required=False,
        max_length=200,
        help_text=_("节前联合检查时填写，如消防救援大队、市场监管局。"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = (
            scope(user, Institution).filter(closed_on__isnull=True).select_related("township")
        )
        self.fields["institution"].label_from_instance = lambda i: f"{i.name}（{i.township.name}）"
        self.fields["inspectors"].queryset = inspector_pool_candidates()


class CompleteForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("检查结论"),
        required=False,
        choices=[("", _("按得分自动判定")), *Inspection.Outcome.choices],
        help_text=_("无不合格项为合格；有不合格项且得分60分以上为限期整改；低于60分为不合格。"),
    )
    summary = forms.CharField(
        label=_("检查意见"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


def parse_results(data, files, results: list[InspectionResult]) -> tuple[dict, dict, list[str]]:
    """Read the phone form: `result-<id>`, `note-<id>` and `photo-<id>` for each result.

    Returns (answers for `inspection_save_results`, photos by result id, errors).
    """
    answers, photos, errors = {}, {}, []
    valid = {"", *InspectionResult.Result.values}
    for result in results:
        key = f"result-{result.pk}"
        if key not in data and f"note-{result.pk}" not in data:
            continue
        value = data.get(key, result.result) or ""
        if value not in valid:
            errors.append(_("“%(text)s”的结果无效。") % {"text": result.text})
            continue
        answers[result.pk] = {"result": value, "note": data.get(f"note-{result.pk}", result.note)}
        upload = files.get(f"photo-{result.pk}") if files else None
        if upload:
            try:
                validate_photo_file(upload)
            except ValidationError as error:
                errors.extend(f"{result.text}：{message}" for message in error.messages)
            else:
                photos[result.pk] = upload
    return answers, photos, errors


# --- Findings and rectifications -----------------------------------------------------------------


class RectificationForm(forms.Form):
    action_taken = forms.CharField(
        label=_("整改措施"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("说明做了什么、何时完成。"),
    )
    evidence = MultipleFileField(
        label=_("佐证材料"),
        required=False,
        help_text=format_lazy(
            _("整改后的照片或文件（JPEG、PNG、WebP、PDF），一次最多{n}个。"), n=MAX_FILES_PER_UPLOAD
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].widget.attrs["accept"] = (
            "image/jpeg,image/png,image/webp,application/pdf"
        )

    def clean_evidence(self):
        files = self.cleaned_data.get("evidence") or []
        validate_file_count(files)
        # Every refused file named, so that the operator knows which to replace.
        errors = []
        for file in files:
            try:
                validate_evidence_file(file)
            except ValidationError as error:
                errors += [
                    ValidationError(f"{file.name}：{message}", code=error.code)
                    for message in error.messages
                ]
        if errors:
            raise ValidationError(errors)
        return files


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("验收结果"),
        choices=[("accept", _("验收通过，销号")), ("send_back", _("退回重改"))],
        widget=forms.RadioSelect(attrs={"class": "choice-list"}),
    )
    note = forms.CharField(
        label=_("验收意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("退回时必填，机构经办人会看到。"),
    )


class FindingEditForm(forms.Form):
    title = forms.CharField(
        label=_("问题（公示用语）"),
        max_length=300,
        validators=[validate_public_wording],
        help_text=_("公示内容：通俗说明问题，不写人名、证件号或电话。"),
    )
    severity = forms.ChoiceField(label=_("严重程度"), choices=Severity.choices)
    deadline = forms.DateField(label=_("整改期限"), widget=DateInput(), help_text=_("含当日。"))
    detail = forms.CharField(
        label=_("检查员说明（不公示）"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class FindingAddForm(FindingEditForm):
    area = forms.ChoiceField(label=_("检查领域"), choices=Area.choices)
    deadline = forms.DateField(
        label=_("整改期限"),
        required=False,
        widget=DateInput(),
        help_text=_("留空按严重程度自动确定：严重7天、一般15天、轻微30天。"),
    )

    field_order = ["area", "title", "severity", "deadline", "detail"]


# --- Coverage ------------------------------------------------------------------------------------


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m")


class CoverageForm(forms.Form):
    month = forms.DateField(
        label=_("月份"),
        input_formats=["%Y-%m"],
        widget=MonthInput(),
        help_text=_("月巡查看该月，季指导看所在季度，年检看所在年度。"),
    )
    township = forms.ModelChoiceField(
        label=_("镇街"), queryset=Township.objects.all(), required=False, empty_label=_("全部镇街")
    )
    kind = forms.ChoiceField(
        label=_("未完成的检查"),
        required=False,
        choices=[("", _("任一项")), *[(k, InspectionKind(k).label) for k in ROUTINE_KINDS]],
    )


# --- Draws ---------------------------------------------------------------------------------------


class DrawForm(forms.Form):
    title = forms.CharField(label=_("抽查任务名称"), max_length=200)
    drawn_on = forms.DateField(
        label=_("抽取日期"), widget=DateInput(), help_text=_("按当日的机构名录和回避关系抽取。")
    )
    townships = forms.ModelMultipleChoiceField(
        label=_("镇街"),
        queryset=Township.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "choice-list"}),
        help_text=_("不选为全市。"),
    )
    kinds = forms.MultipleChoiceField(
        label=_("机构类型"),
        choices=Institution.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "choice-list"}),
        help_text=_("不选为全部类型。"),
    )
    risky_only = forms.BooleanField(
        label=_("只从有风险的机构中抽取"),
        required=False,
        help_text=_("有逾期整改、月报迟报或有预警、或以往检查不合格的机构。"),
    )
    risk_weighted = forms.BooleanField(
        label=_("按风险加权"),
        required=False,
        help_text=_(
            "有风险的机构被抽中的机会更大（权重：逾期整改+2、月报迟报或预警+1、以往不合格+2）。"
        ),
    )
    sample_size = forms.IntegerField(label=_("抽取机构数"), min_value=1, required=False)
    share = forms.DecimalField(
        label=_("或抽取比例（%）"),
        min_value=Decimal("0.1"),
        max_value=Decimal(100),
        decimal_places=1,
        required=False,
        help_text=_("填写抽取数时忽略比例；按比例时向上取整。"),
    )
    inspectors_per_institution = forms.IntegerField(
        label=_("每家机构检查员数"), min_value=2, max_value=10, initial=2
    )
    inspectors = InspectorChoiceField(
        label=_("检查员池"),
        queryset=inspector_pool_candidates(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "choice-list"}),
        help_text=_("不选为全部在岗检查员。回避人员自动排除。"),
    )
    seed = forms.IntegerField(
        label=_("随机种子"),
        required=False,
        min_value=0,
        max_value=2**62,
        help_text=_("留空自动生成；种子随结果公示，任何人都可复现。"),
    )
    note = forms.CharField(
        label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspectors"].queryset = inspector_pool_candidates()

    def clean(self):
        data = super().clean()
        if not data.get("sample_size") and not data.get("share"):
            raise ValidationError(_("请填写抽取机构数或抽取比例。"), code="required")
        return data


# --- Incidents -----------------------------------------------------------------------------------


class IncidentForm(forms.Form):
    institution = forms.ModelChoiceField(label=_("机构"), queryset=Institution.objects.none())
    kind = forms.ChoiceField(label=_("事件类型"), choices=Incident.Kind.choices)
    occurred_at = forms.DateTimeField(
        label=_("发生时间"), widget=DateTimeInput(), input_formats=["%Y-%m-%dT%H:%M"]
    )
    children_affected = forms.IntegerField(label=_("涉及婴幼儿人数"), min_value=0, initial=0)
    description = forms.CharField(
        label=_("事件经过"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("如实描述时间、地点、经过和婴幼儿状况。"),
    )
    immediate_action = forms.CharField(
        label=_("已采取的措施"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = (
            scope(user, Institution).filter(closed_on__isnull=True).select_related("township")
        )
        if not self.is_bound and "institution" not in self.initial:
            # An operator of one institution has nothing to choose.
            only = list(self.fields["institution"].queryset.values_list("pk", flat=True)[:2])
            if len(only) == 1:
                self.initial["institution"] = only[0]
        if not self.is_bound and "occurred_at" not in self.initial:
            now = timezone.localtime().replace(second=0, microsecond=0)
            self.initial["occurred_at"] = now

    def clean_occurred_at(self):
        return validate_incident_time(self.cleaned_data["occurred_at"])


class FollowUpForm(forms.Form):
    note = forms.CharField(label=_("跟进情况"), widget=forms.Textarea(attrs={"rows": 3}))
    close = forms.BooleanField(label=_("同时结案"), required=False)


# --- Public page ---------------------------------------------------------------------------------


class PublicResultsFilterForm(forms.Form):
    q = forms.CharField(label=_("机构名称"), required=False, max_length=100)
    township = forms.ModelChoiceField(
        label=_("镇街"), queryset=Township.objects.all(), required=False, empty_label=_("全部镇街")
    )


# --- Concerns from the public (投诉/反映) ------------------------------------------------------------


class ConcernForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("类型"), choices=Concern.Kind.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("反映内容"),
        max_length=CONCERN_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=format_lazy(
            _("写清发生了什么、什么时候。不超过{n}字。请不要写孩子或他人的身份证号码。"),
            n=CONCERN_TEXT_MAX,
        ),
    )
    contact_name = forms.CharField(label=_("您的称呼（可不填）"), max_length=50, required=False)
    contact_phone = forms.CharField(
        label=_("您的手机号码（可不填）"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text=_("留了手机号码的，可凭编号和手机号码查询处理结果；匿名反映无法查询结果。"),
    )
    attachment = forms.FileField(
        label=_("照片或材料（可不上传）"),
        required=False,
        help_text=_("一个照片或PDF文件，不超过10MB。"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,.pdf"}),
    )

    def clean_attachment(self):
        attachment = self.cleaned_data.get("attachment")
        if attachment:
            validate_concern_attachment(attachment)
        return attachment


class ConcernFollowForm(forms.Form):
    reference = forms.CharField(
        label=_("编号"),
        max_length=40,
        help_text=_("提交后页面显示的编号，以FY开头。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    contact_phone = forms.CharField(
        label=_("反映时留的手机号码"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
