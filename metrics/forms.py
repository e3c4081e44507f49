"""Forms of the indicator pages: the month shown, a recompute's months, the forecast date."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.dates import parse_period
from portal.forms import MonthField

from .services import months_between

MAX_RECOMPUTE_MONTHS = 60
EARLIEST = dt.date(2020, 1, 1)
LATEST_FORECAST = dt.date(2035, 12, 31)


class MonthChoiceForm(forms.Form):
    """The month the dashboard shows: one of the months that have snapshots."""

    month = forms.TypedChoiceField(label=_("月份"), coerce=parse_period, required=False)

    def __init__(self, *args, months: list[dt.date], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = [(f"{m:%Y-%m}", f"{m:%Y-%m}") for m in months]


class RecomputeForm(forms.Form):
    first = MonthField(label=_("起始月份"))
    last = MonthField(label=_("结束月份"))

    def clean(self):
        data = super().clean()
        first, last = data.get("first"), data.get("last")
        if not first or not last:
            return data
        this_month = timezone.localdate().replace(day=1)
        if first < EARLIEST:
            self.add_error("first", _("起始月份不能早于 2020-01。"))
        if last > this_month:
            self.add_error("last", _("结束月份不能晚于本月。"))
        if first > last:
            self.add_error("last", _("结束月份不能早于起始月份。"))
        elif len(months_between(first, last)) > MAX_RECOMPUTE_MONTHS:
            self.add_error(
                "last",
                _("一次最多重新计算 %(n)s 个月。") % {"n": MAX_RECOMPUTE_MONTHS},
            )
        return data


class FeeMonthForm(forms.Form):
    """The month the fee supervision page shows: any month up to the last one that has ended."""

    month = MonthField(label=_("月份"))

    def clean_month(self):
        month = self.cleaned_data["month"]
        if month < EARLIEST:
            raise forms.ValidationError(_("月份不能早于 2020-01。"))
        if month >= timezone.localdate().replace(day=1):
            raise forms.ValidationError(_("只能查看已结束的月份。"))
        return month


class ReportForm(forms.Form):
    month = MonthField(label=_("报告月份"))


class ForecastForm(forms.Form):
    to = forms.DateField(
        label=_("预测到"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("默认为试点结束日（PILOT_END_DATE，含当日）。"),
    )

    def clean_to(self):
        to = self.cleaned_data["to"]
        if not EARLIEST <= to <= LATEST_FORECAST:
            raise forms.ValidationError(_("请选择 2020-01-01 至 2035-12-31 之间的日期。"))
        return to
