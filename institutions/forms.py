"""Forms of the operator pages. They validate input; saving goes through `services.py`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from import_export.forms import ImportForm

from portal.personal_data import UNCHANGED
from portal.spreadsheets import SpreadsheetFileError, check_import_size

from .models import Certificate, Institution, StaffMember, Township


class DateInput(forms.DateInput):
    """The browser's date picker; ISO format is what <input type="date"> sends and expects."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def prompt_first(field: forms.ChoiceField, prompt: str) -> None:
    """A required choice's empty option says what to do ("请选择岗位"), not Django's "---------"."""
    field.choices = [("", prompt), *[choice for choice in field.choices if choice[0] != ""]]


class StaffForm(forms.ModelForm):
    class Meta:
        model = StaffMember
        fields = ["name", "id_number", "role", "hired_on"]
        widgets = {"hired_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "off"
        prompt_first(self.fields["role"], _("请选择岗位"))
        if self.instance.pk:
            self.fields["id_number"].help_text = _(
                "为保护个人信息，号码以脱敏形式显示；不修改则保留原号码，如需更正请输入完整的18位号码。"
            )


class EffectiveFromAdminForm(forms.ModelForm):
    """The admin's form of a record whose indicator facts are dated (an institution's kind,
    township, inclusive-kindergarten flag; a community's new flag, residents, delivered places;
    a staff member's role): the day a change of them takes effect."""

    effective_from = forms.DateField(
        label=_("变更生效日期"),
        required=False,
        widget=DateInput(),
        help_text=_("上述统计信息的变更自该日起生效（含当日）；留空为今天，不能晚于今天。"),
    )


class StaffEditForm(StaffForm):
    effective_from = forms.DateField(
        label=_("岗位变更生效日期"),
        required=False,
        widget=DateInput(),
        help_text=_("改变岗位时填写：自该日起为新岗位（含当日）；留空为今天。"),
    )

    class Meta(StaffForm.Meta):
        fields = [*StaffForm.Meta.fields, "left_on"]
        widgets = {"hired_on": DateInput(), "left_on": DateInput()}


class StaffLeaveForm(forms.Form):
    left_on = forms.DateField(
        label=_("离职日期"), widget=DateInput(), help_text=_("当日起不在岗。")
    )

    def __init__(self, *args, staff: StaffMember, **kwargs):
        self.staff = staff
        super().__init__(*args, **kwargs)

    def clean_left_on(self):
        # Checked here too: with a leaving day not after the hiring day, the service's overlap
        # check cannot even build its date range (PostgreSQL refuses it) and fails with a 500.
        left_on = self.cleaned_data["left_on"]
        if left_on <= self.staff.hired_on:
            raise ValidationError(_("离职日期必须晚于入职日期。"), code="left_before_hired")
        return left_on


class CertificateForm(forms.ModelForm):
    class Meta:
        model = Certificate
        fields = ["kind", "number", "issued_on", "expires_on"]
        widgets = {"issued_on": DateInput(), "expires_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        prompt_first(self.fields["kind"], _("请选择证书类型"))


def service_fields(form: forms.ModelForm) -> dict[str, Any]:
    """The form's cleaned data as keyword arguments for a service.

    An ID number sent back masked means "keep the stored one", so it is left out.
    """
    return {name: value for name, value in form.cleaned_data.items() if value is not UNCHANGED}


class PublicFilterForm(forms.Form):
    """The public page's search and filters, read from GET parameters."""

    INCLUSIVE_CHOICES = [("", _("全部")), ("yes", _("普惠")), ("no", _("非普惠"))]

    q = forms.CharField(label=_("机构名称"), required=False, max_length=100)
    township = forms.ModelChoiceField(
        label=_("所属镇街"),
        queryset=Township.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("全部镇街"),
    )
    kind = forms.ChoiceField(
        label=_("机构类型"),
        choices=[("", _("全部类型")), *Institution.Kind.choices],
        required=False,
    )
    inclusive = forms.ChoiceField(label=_("普惠性"), choices=INCLUSIVE_CHOICES, required=False)
    sort = forms.ChoiceField(
        label=_("排序"),
        choices=[
            ("", _("按镇街")),
            ("fee", _("收费从低到高")),
            ("fee_desc", _("收费从高到低")),
            ("places", _("托位从多到少")),
        ],
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(
            {"placeholder": _("输入机构名称"), "type": "search", "enterkeyhint": "search"}
        )


class SpreadsheetImportForm(ImportForm):
    """The admin's import form, refusing a file over IMPORT_MAX_BYTES before it is saved or read."""

    def clean_import_file(self):

        upload = self.cleaned_data["import_file"]
        try:
            check_import_size(upload.size)
        except SpreadsheetFileError as error:
            raise ValidationError(str(error), code="file_too_large") from None
        return upload
