"""Forms of the training pages: one staff member's attendance (found, as on the sign-in sheet, by
ID number and institution: a provider's user never browses the registry's staff lists) and the
sign-in sheet's upload. The model's and the services' rules decide the rest."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.personal_data import keyed_hash
from portal.spreadsheets.formats import SpreadsheetFileError, check_import_size
from portal.validators import validate_resident_id

from ..models import Institution, StaffMember
from .models import TrainingAttendance


class AttendanceForm(forms.ModelForm):
    """Hours, completion and award; a new row also names the person."""

    institution = forms.ModelChoiceField(
        label=_("所在机构"), queryset=Institution.objects.none(), empty_label=_("请选择机构")
    )
    id_number = forms.CharField(
        label=_("身份证号码"),
        max_length=18,
        help_text=_("参训人员的18位居民身份证号码（须已登记为该机构的从业人员）。"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    class Meta:
        model = TrainingAttendance
        fields = ["hours", "completed", "award"]
        widgets = {"hours": forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"})}

    def __init__(self, *args, course, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.course = course
        if self.instance.pk is not None:
            del self.fields["institution"]
            del self.fields["id_number"]
        else:
            field = self.fields["institution"]
            field.queryset = (
                Institution.objects.filter(filed_on__isnull=False)
                .select_related("township")
                .order_by("township__sort_order", "name")
            )
            field.label_from_instance = lambda i: f"{i.name}（{i.township.name}）"
            self.order_fields(["institution", "id_number", "hours", "completed", "award"])
        if not course.is_competition:
            del self.fields["award"]
        self.fields["hours"].help_text = _("0至课程学时（%(hours)s）之间。") % {
            "hours": f"{course.hours.normalize():f}"
        }

    def clean(self):
        data = super().clean()
        institution, number = data.get("institution"), data.get("id_number")
        if self.instance.pk is None and institution and number:
            try:
                number = validate_resident_id(number)
            except ValidationError as error:
                self.add_error("id_number", error)
                return data
            staff = (
                StaffMember.objects.filter(
                    institution=institution, id_number_hash=keyed_hash(number)
                )
                .order_by("-hired_on")
                .first()
            )
            if staff is None:
                self.add_error("id_number", _("该机构没有此身份证号码的从业人员。"))
            else:
                self.instance.staff = staff
        return data


class SignInSheetForm(forms.Form):
    file = forms.FileField(
        label=_("签到表（xlsx 或 csv）"),
        help_text=_("请使用导入模板；任何一行有误时整份签到表都不会导入。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((".xlsx", ".csv")):
            raise ValidationError(_("请上传 xlsx 或 csv 文件。"), code="format")
        try:
            check_import_size(upload.size)
        except SpreadsheetFileError as error:
            raise ValidationError(str(error), code="file_too_large") from None
        return upload

    @property
    def format(self) -> str:
        return "csv" if self.cleaned_data["file"].name.lower().endswith(".csv") else "xlsx"
