"""The public list of idle state-owned premises on offer (/gongshi/fangyuan/): no login."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from .models import IdlePremises, Township

PAGE_SIZE = 20


class PremisesFilterForm(forms.Form):
    township = forms.ModelChoiceField(
        label=_("所属镇街"),
        queryset=Township.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("全部镇街"),
    )


@require_GET
def premises_public(request):
    """Premises on offer, newest first: where, how large, who owns them, what relief they carry
    and whom to call. Matched, used or withdrawn ones are not listed."""
    form = PremisesFilterForm(request.GET or None)
    premises = IdlePremises.objects.filter(state=IdlePremises.State.OFFERED).select_related(
        "township"
    )
    if form.is_valid() and form.cleaned_data["township"]:
        premises = premises.filter(township=form.cleaned_data["township"])
    premises = premises.order_by("-offered_on", "pk")
    page = Paginator(premises, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "institutions/premises_public.html",
        {
            "form": form,
            "page": page,
            "today": timezone.localdate(),
            "filtered": bool(request.GET.get("township")),
        },
    )
