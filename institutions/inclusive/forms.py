"""Forms of the support-case pages. The rules across records (dates against the case, who may
write) live in models.clean, the check constraints and services.py; these only shape the input."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..reports.forms import DateInput
from .models import SupportCase, SupportReview

TEXT = {"rows": 4}


class CaseOpenForm(forms.ModelForm):
    """Open a case: the child's identity (encrypted; the ID number optional), the need and plan."""

    class Meta:
        model = SupportCase
        fields = [
            "institution",
            "facility",
            "child_name",
            "child_birth_date",
            "child_id_number",
            "need",
            "plan",
            "opened_on",
        ]
        widgets = {
            "child_birth_date": DateInput(),
            "opened_on": DateInput(),
            "plan": forms.Textarea(attrs=TEXT),
        }

    def __init__(self, *args, institutions, facilities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions
        self.fields["facility"].queryset = facilities
        self.fields["child_id_number"].required = False
        self.fields["child_id_number"].help_text = _("可不填。加密存储，页面中只显示脱敏号码。")

    def clean_opened_on(self):
        opened_on = self.cleaned_data["opened_on"]
        if opened_on > timezone.localdate():
            raise ValidationError(_("开案日期不能晚于今天。"), code="future")
        return opened_on


class CasePlanForm(forms.ModelForm):
    class Meta:
        model = SupportCase
        fields = ["need", "plan"]
        widgets = {"plan": forms.Textarea(attrs={"rows": 8})}


class ReviewForm(forms.ModelForm):
    class Meta:
        model = SupportReview
        fields = ["reviewed_on", "progress", "next_step", "next_review_by"]
        widgets = {
            "reviewed_on": DateInput(),
            "next_review_by": DateInput(),
            "progress": forms.Textarea(attrs=TEXT),
            "next_step": forms.Textarea(attrs=TEXT),
        }

    def __init__(self, *args, case: SupportCase, **kwargs):
        super().__init__(*args, **kwargs)
        # Set before validation, so the model's clean() checks the date against the case.
        self.instance.case = case


class CloseForm(forms.Form):
    closed_on = forms.DateField(label=_("结案日期"), widget=DateInput())
    closing_note = forms.CharField(
        label=_("结案说明"), required=False, widget=forms.Textarea(attrs=TEXT)
    )
    confirm = forms.BooleanField(
        label=_("我确认结案：结案后不能再修改计划或登记评估。"), required=True
    )
