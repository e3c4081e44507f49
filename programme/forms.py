"""The programme's forms: plain forms whose data the services validate and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from inspections.forms import MultipleFileField

from .models import Deliverable, Department, Status, SubItem, Task
from .phases import Phase

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProgressForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("填报单位"), queryset=Department.objects.none(), empty_label=None, required=False
    )
    sub_item = forms.ModelChoiceField(
        label=_("任务子项"),
        queryset=SubItem.objects.none(),
        required=False,
        empty_label=_("整个任务"),
    )
    text = forms.CharField(label=_("进展情况"), widget=forms.Textarea(attrs={"rows": 4}))
    status = forms.ChoiceField(
        label=_("填报后状态"), choices=[("", _("不变")), *Status.choices], required=False
    )
    evidence = MultipleFileField(
        label=_("佐证材料"), required=False, help_text=_("照片（JPEG、PNG、WebP）或 PDF，可多选。")
    )

    def __init__(self, *args, task: Task, departments: list[Department], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(
            pk__in=[d.pk for d in departments]
        )
        self.fields["sub_item"].queryset = task.sub_items.all()
        self.fields["sub_item"].label_from_instance = lambda s: (
            f"{task.number}.{s.number} {s.title}"
        )


class TaskSettingsForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=Status.choices)
    due_date = forms.DateField(label=_("完成时限"), required=False, widget=DATE)
    owner = forms.CharField(label=_("责任人"), required=False, max_length=60)
    phase = forms.ChoiceField(
        label=_("阶段"), choices=[("", _("未设定")), *Phase.choices], required=False
    )


class BoardFilterForm(forms.Form):
    phase = forms.ChoiceField(
        label=_("阶段"), choices=[("", _("全部阶段")), *Phase.choices], required=False
    )
    department = forms.ModelChoiceField(
        label=_("责任单位"),
        queryset=Department.objects.all(),
        required=False,
        empty_label=_("全部单位"),
    )


class RoundForm(forms.Form):
    title = forms.CharField(label=_("名称"), max_length=120)
    held_on = forms.DateField(label=_("督导日期"), widget=DATE)
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class FindingForm(forms.Form):
    task = forms.ModelChoiceField(label=_("试点任务"), queryset=Task.objects.all())
    text = forms.CharField(label=_("督导发现"), widget=forms.Textarea(attrs={"rows": 3}))


class FollowUpForm(forms.Form):
    follow_up = forms.CharField(
        label=_("跟进情况"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    resolved = forms.BooleanField(label=_("已解决"), required=False)


class DeliverableForm(forms.Form):
    state = forms.ChoiceField(label=_("状态"), choices=Deliverable.State.choices)
    due_date = forms.DateField(label=_("计划日期"), required=False, widget=DATE)
    done_on = forms.DateField(label=_("完成日期"), required=False, widget=DATE)
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    file = forms.FileField(label=_("成果文件"), required=False)


class KindergartenPlacesForm(forms.Form):
    institution = forms.ModelChoiceField(label=_("幼儿园"), queryset=None)
    effective_from = forms.DateField(label=_("生效日期"), widget=DATE)
    infant = forms.IntegerField(label=_("乳儿班托位"), min_value=0, initial=0)
    toddler = forms.IntegerField(label=_("托小班托位"), min_value=0, initial=0)
    older = forms.IntegerField(label=_("托大班托位"), min_value=0, initial=0)
    mixed = forms.IntegerField(label=_("混龄班托位"), min_value=0, initial=0)
    note = forms.CharField(label=_("备注"), required=False, max_length=200)

    def __init__(self, *args, kindergartens, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = kindergartens
