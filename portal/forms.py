"""Form fields every app's pages share: the month field, one rule with the API's
(`dates.parse_month`, `api.fields.MonthField`)."""

from __future__ import annotations

import copy
import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .dates import MONTH_PATTERN, format_month, month_start, parse_month

MONTH_INVALID = _("请按YYYY-MM填写月份，例如2025-03。")
# The years a page takes a month in: a year outside is a slip of the keyboard, and month
# arithmetic near the ends of `date`'s range would fail.
PAGE_YEARS = range(2000, 2101)


class MonthInput(forms.TextInput):
    """The browser's month picker (YYYY-MM); a plain text box where there is none."""

    input_type = "month"

    def __init__(self, attrs=None):
        # HTML anchors a pattern itself.
        pattern = MONTH_PATTERN.removeprefix("^").removesuffix("$")
        super().__init__(attrs={"placeholder": "YYYY-MM", "pattern": pattern, **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, dt.date):
            return format_month(value)
        return super().format_value(value)


class MonthField(forms.CharField):
    """A month as "YYYY-MM" <-> its first day. `years` bounds the year (None: any)."""

    widget = MonthInput
    default_error_messages = {"invalid": MONTH_INVALID}

    def __init__(self, *, years: range | None = PAGE_YEARS, **kwargs) -> None:
        self.years = years
        super().__init__(**kwargs)

    def to_python(self, value) -> dt.date | None:
        if isinstance(value, dt.date):
            return month_start(value)
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            period = parse_month(value)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if self.years is not None and period.year not in self.years:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return period

    def prepare_value(self, value):
        return format_month(value) if isinstance(value, dt.date) else value


class MonthChoiceField(MonthField):
    """A month picked from a list (phones have no good month picker): only the months of
    `choices` (keyed "YYYY-MM") are taken, as a ChoiceField would."""

    widget = forms.Select
    default_error_messages = {
        "invalid_choice": forms.ChoiceField.default_error_messages["invalid_choice"]
    }

    def __init__(self, *, choices=(), **kwargs) -> None:
        super().__init__(**kwargs)
        self.choices = choices

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        result._choices = copy.deepcopy(self._choices, memo)
        return result

    @property
    def choices(self) -> list:
        return self._choices

    @choices.setter
    def choices(self, value) -> None:
        self._choices = self.widget.choices = list(value)

    def clean(self, value):
        text = "" if value in self.empty_values else str(value).strip()
        if text and text not in {str(key) for key, _label in self._choices}:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": text},
            )
        return super().clean(text)
