"""Concerns (投诉/反映) from the public, no login: the form about a named institution (reached from
its entry on 信息公示) and following a concern by its reference and the mobile number left with
it. One answer for any mismatch (whether the reference exists or not, and for an anonymous
concern), at most `MAX_FAILURES` failed tries per reference an hour, and per-address rates for
sending and for following. Nothing a sender typed is logged; the pages are never cached. The
bureau's queue is the admin's 投诉与反映 (inspections/admin.py)."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from institutions.models import Institution
from institutions.selectors import institutions_as_of
from portal.pages import add_service_error
from portal.references import normalize_reference
from portal.throttles import AddressRateThrottle, FailureCounter, TooManyFailures
from portal.validators import normalize_phone

from .. import services
from ..forms import ConcernFollowForm, ConcernForm
from ..models import Concern

NO_MATCH = _("编号或手机号码不正确，请核对后重新输入。匿名反映没有留手机号码，无法查询。")
THROTTLED = _("操作次数过多，请稍后再试。")
FAILURES = FailureCounter("concern-follow")


class ConcernRateThrottle(AddressRateThrottle):
    """Per client address: at most 10 concerns sent an hour."""

    scope = "concern_submit"
    rate = "10/hour"


class ConcernFollowThrottle(AddressRateThrottle):
    scope = "concern_follow"
    rate = "30/hour"


def _respond(request, template: str, context: dict, status: int = 200):
    response = render(request, template, context, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _public_institution(pk: int) -> Institution:
    """An institution on 信息公示 today (a filed one): the public writes about those only."""
    today = timezone.localdate()
    listed = institutions_as_of(today, Institution.objects.select_related("township")).filter(
        is_counted=True
    )
    return get_object_or_404(listed, pk=pk)


@require_http_methods(["GET", "POST"])
@csrf_protect
def concern_new(request, pk: int):
    """反映问题: about one institution; anonymous allowed, contact optional."""
    institution = _public_institution(pk)
    form = ConcernForm(request.POST or None, request.FILES or None)
    context = {"institution": institution, "form": form}
    if request.method != "POST":
        return _respond(request, "inspections/concern_form.html", context)
    if not ConcernRateThrottle().allow_request(request, None):
        context["error"] = THROTTLED
        return _respond(request, "inspections/concern_form.html", context, status=429)
    if form.is_valid():
        try:
            concern = services.concern_submit(institution=institution, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return _respond(
                request,
                "inspections/concern_done.html",
                {"concern": concern, "institution": institution},
            )
    return _respond(request, "inspections/concern_form.html", context)


@dataclass(frozen=True)
class ConcernState:
    reference: str
    institution: str
    received_on: object
    state: str
    state_display: str
    answer: str
    answered_at: object


def follow_concern(reference: str, phone: str) -> ConcernState:
    """The concern's state if the reference and the mobile number left with it match; raises
    LookupError (counting a failure against the reference) or TooManyFailures."""
    reference = normalize_reference(reference)
    FAILURES.refuse_if_locked(reference)
    concern = (
        Concern.objects.select_related("institution")
        .only(
            "reference",
            "received_at",
            "state",
            "answer",
            "answered_at",
            "contact_phone",
            "institution__name",
        )
        .filter(reference=reference)
        .first()
    )
    stored = concern.contact_phone.reveal() if concern and concern.contact_phone else ""
    typed = normalize_phone(phone or "")
    # An anonymous concern (no number) never matches: compared against a value nobody types.
    if not hmac.compare_digest(typed.encode(), (stored or "\x00").encode()):
        FAILURES.record(reference)
        raise LookupError
    FAILURES.refuse_if_locked(reference)
    return ConcernState(
        reference=concern.reference,
        institution=concern.institution.name,
        received_on=timezone.localtime(concern.received_at).date(),
        state=concern.state,
        state_display=concern.get_state_display(),
        answer=concern.answer,
        answered_at=concern.answered_at,
    )


@require_http_methods(["GET", "POST"])
@csrf_protect
def concern_follow(request):
    """查询反映的处理情况: by reference and the mobile number left with it."""
    template = "inspections/concern_follow.html"
    if request.method != "POST":
        initial = {"reference": normalize_reference(request.GET.get("ref", ""))}
        return _respond(request, template, {"form": ConcernFollowForm(initial=initial)})
    form = ConcernFollowForm(request.POST)
    again = ConcernFollowForm(initial={"reference": request.POST.get("reference", "")[:40]})
    context: dict = {"form": form}
    if not ConcernFollowThrottle().allow_request(request, None):
        context.update(error=THROTTLED, form=again)
        return _respond(request, template, context, status=429)
    if not form.is_valid():
        return _respond(request, template, context)
    try:
        result = follow_concern(form.cleaned_data["reference"], form.cleaned_data["contact_phone"])
    except (LookupError, TooManyFailures) as refused:
        throttled = isinstance(refused, TooManyFailures)
        context.update(error=THROTTLED if throttled else NO_MATCH, form=again)
        return _respond(request, template, context, status=429 if throttled else 200)
    context.update(result=result, form=again)
    return _respond(request, template, context)
