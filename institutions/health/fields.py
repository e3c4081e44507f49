"""The attendance list's input fields, for every form and serializer that takes one (the health
facilities' pages, the /yangyu/ session form, both APIs): one rule, `validators.parse_mobiles`."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .validators import parse_mobiles

MOBILES_HELP = _(
    "每行一个家长手机号码（也可用逗号分隔），同一号码只记一次。号码只用于区分家庭，"
    "保存为不可还原的标识，不保存号码本身。"
)


class MobilesField(forms.CharField):
    """Typed numbers, one a line: the distinct valid ones, or the whole list refused."""

    widget = forms.Textarea(attrs={"rows": 6, "inputmode": "tel", "autocomplete": "off"})

    def clean(self, value):
        value = super().clean(value)
        return parse_mobiles(value or "")


class MobilesListField(serializers.ListField):
    """A JSON list of numbers: the distinct valid ones, or the whole list refused."""

    child = serializers.CharField(max_length=30)

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        try:
            return parse_mobiles(values)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error
