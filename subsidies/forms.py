from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.dates import add_months, format_month, month_start
from portal.forms import MonthChoiceField

from .models import SubsidyScheme


def month_choices(first: dt.date, last: dt.date) -> list[tuple[str, str]]:
    """Months from `last` back to `first`, newest first."""
    choices, month = [], month_start(last)
    while month >= month_start(first):
        choices.append((format_month(month), format_month(month)))
        month = add_months(month, -1)
    return choices


class RunMonthForm(forms.Form):
    scheme = forms.ModelChoiceField(
        label=_("补助项目"), queryset=SubsidyScheme.objects.order_by("name")
    )
    month = MonthChoiceField(label=_("月份"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["month"].choices = month_choices(settings.PILOT_START_DATE, today)
        self.fields["month"].initial = format_month(add_months(month_start(today), -1))


class MarkPaidForm(forms.Form):
    reference = forms.CharField(
        label=_("支付凭证号"),
        max_length=100,
        help_text=_("财务支付的凭证号或银行流水号。"),
    )
