from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.personal_data import UNCHANGED, MaskedFormField
from portal.validators import validate_phone


def _mobile(value: str) -> str:
    return validate_phone(value, kind="mobile")


class PreferenceForm(forms.Form):
    """E-mail and SMS on or off, and the mobile number SMS go to (shown masked once stored)."""

    email_enabled = forms.BooleanField(
        label=_("接收邮件通知"),
        required=False,
        help_text=_("发送到账号登记的电子邮箱；账号没有邮箱时不发送。"),
    )
    sms_enabled = forms.BooleanField(label=_("接收短信通知"), required=False)
    mobile = MaskedFormField(
        label=_("接收短信的手机号码"),
        required=False,
        max_length=20,
        clean_value=_mobile,
        help_text=_("11位手机号码，加密存储。留空则不发送短信。"),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )

    def __init__(self, *args, stored_mobile: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.stored_mobile = stored_mobile

    def clean(self):
        data = super().clean()
        mobile = data.get("mobile")
        if mobile is UNCHANGED:
            data["mobile"] = self.stored_mobile
        if data.get("sms_enabled") and not data.get("mobile") and "mobile" not in self.errors:
            self.add_error("mobile", _("接收短信通知需要填写手机号码。"))
        return data
