"""Families apply for a voucher online and follow their application, without an account.

- /voucher-apply/: how to get a voucher, the batches open today with their rules;
- /voucher-apply/<batch>/: the batch's rules, a pre-check (nothing stored) and the application
  form; a submitted application gets a reference number (vouchers/services/public.py);
- /voucher-apply/follow/: the application's state by reference number and the last six
  characters of the child's ID number. Like the balance page (vouchers/family.py): one answer
  for any mismatch, whether the reference exists or not, at most `family.MAX_FAILURES` failures
  per reference an hour, and the balance page's per-address throttle (one bucket for both).

Submissions are throttled per address (`ApplyRateThrottle`). Nothing here logs what a family
typed; the pages are never cached.
"""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from portal.pages import add_service_error
from portal.references import normalize_reference

from . import codes, family, services
from .forms import PreCheckForm, PublicApplicationForm
from .models import Voucher, VoucherApplication, VoucherBatch

FOLLOW = "voucher-apply"
FOLLOW_NO_MATCH = _("申请编号或身份证号码后六位不正确，请核对后重新输入。")
APPLY_THROTTLED = _("提交次数过多，请稍后再试。")


class ApplyRateThrottle(family.BalanceRateThrottle):
    """Per client address: at most 10 application forms sent an hour."""

    scope = "voucher_apply"
    rate = "10/hour"


def _respond(request, template: str, context: dict, status: int = 200):
    response = render(request, template, context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def apply_start(request):
    """如何领取托育券: the batches open today, their rules and the way to apply."""
    today = timezone.localdate()
    batches = list(services.open_batches(today))
    return _respond(request, "vouchers/apply_start.html", {"batches": batches, "today": today})


def _precheck(batch: VoucherBatch, data, today: dt.date) -> tuple[PreCheckForm, list[str] | None]:
    form = PreCheckForm(data if "birth_date" in data else None)
    if not form.is_valid():
        return form, None
    residence = form.cleaned_data["residence"]
    notes = services.batch_rule_notes(
        batch=batch,
        birth_date=form.cleaned_data["birth_date"],
        lequing_hukou=residence == "hukou",
        has_residence_permit=residence == "permit",
        applied_on=today,
    )
    return form, notes


@require_http_methods(["GET", "POST"])
@csrf_protect
def apply_batch(request, pk: int):
    """One open batch: its rules, the pre-check (GET) and the application form (POST)."""
    today = timezone.localdate()
    batch = get_object_or_404(services.open_batches(today), pk=pk)
    precheck, notes = _precheck(batch, request.GET, today)
    context = {"batch": batch, "precheck": precheck, "precheck_notes": notes}
    if request.method != "POST":
        context["form"] = PublicApplicationForm()
        return _respond(request, "vouchers/apply_form.html", context)
    form = PublicApplicationForm(request.POST, request.FILES)
    context["form"] = form
    if not ApplyRateThrottle().allow_request(request, None):
        context["error"] = APPLY_THROTTLED
        return _respond(request, "vouchers/apply_form.html", context, status=429)
    if form.is_valid():
        try:
            application = services.application_submit_public(
                batch=batch, today=today, **form.service_kwargs()
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return _respond(
                request,
                "vouchers/apply_done.html",
                {"batch": batch, "reference": application.reference},
            )
    return _respond(request, "vouchers/apply_form.html", context)


# --- Following an application ------------------------------------------------------------------


@dataclass(frozen=True)
class ApplicationState:
    """What the family is shown: no names, no numbers but the voucher's code once issued."""

    reference: str
    batch: str
    applied_on: dt.date
    state: str
    state_display: str
    reject_reason: str
    voucher_code: str | None


def follow_application(reference: str, id_last6: str) -> ApplicationState:
    """The application's state if `reference` and `id_last6` match; raises family.NoMatch
    (counting a failure against the reference) or family.TooManyFailures."""
    reference = normalize_reference(reference)
    family.refuse_if_locked(reference, FOLLOW)
    application = (
        VoucherApplication.objects.select_related("batch", "child")
        .only(
            "pk",
            "reference",
            "applied_on",
            "state",
            "reject_reason",
            "batch__name",
            "child__id_number",
        )
        .filter(reference=reference, source=VoucherApplication.Source.PUBLIC)
        .first()
        if reference
        else None
    )
    suffix = family.normalize_suffix(id_last6).encode()
    if application is None or not hmac.compare_digest(suffix, application.child.id_last6.encode()):
        family.record_failure(reference, FOLLOW)
        raise family.NoMatch
    family.refuse_if_locked(reference, FOLLOW)
    voucher = Voucher.objects.filter(application=application).only("code").first()
    return ApplicationState(
        reference=application.reference,
        batch=application.batch.name,
        applied_on=application.applied_on,
        state=application.state,
        state_display=application.get_state_display(),
        reject_reason=application.reject_reason,
        voucher_code=codes.display(voucher.code) if voucher else None,
    )


class FollowForm(family.BalanceForm):
    """The balance page's form with the reference number in place of the voucher's code."""

    code = None
    reference = forms.CharField(
        label=_("申请编号"),
        max_length=40,
        help_text=_("提交申请后页面显示的编号，以SQ开头。"),
        widget=family._text_input(placeholder="SQ…", **{"aria-describedby": "id_reference-help"}),
    )
    field_order = ["reference", "id_last6"]


@require_http_methods(["GET", "POST"])
@csrf_protect
def follow_page(request):
    """查询申请进度: families, no login."""
    if request.method != "POST":
        initial = {"reference": normalize_reference(request.GET.get("ref", ""))[:40]}
        return _respond(
            request, "vouchers/apply_follow.html", {"form": FollowForm(initial=initial)}
        )
    form = FollowForm(request.POST)
    again = FollowForm(initial={"reference": request.POST.get("reference", "")[:40]})
    context: dict = {"form": form}
    if not family.BalanceRateThrottle().allow_request(request, None):
        context.update(error=family.THROTTLED_MESSAGE, form=again)
        return _respond(request, "vouchers/apply_follow.html", context, status=429)
    if not form.is_valid():
        form.data = form.data.copy()
        form.data["id_last6"] = ""
        return _respond(request, "vouchers/apply_follow.html", context)
    try:
        result = follow_application(form.cleaned_data["reference"], form.cleaned_data["id_last6"])
    except (family.NoMatch, family.TooManyFailures) as refused:
        throttled = isinstance(refused, family.TooManyFailures)
        context.update(error=family.THROTTLED_MESSAGE if throttled else FOLLOW_NO_MATCH, form=again)
        return _respond(
            request, "vouchers/apply_follow.html", context, status=429 if throttled else 200
        )
    context.update(result=result, form=FollowForm(initial={"reference": result.reference}))
    return _respond(request, "vouchers/apply_follow.html", context)
