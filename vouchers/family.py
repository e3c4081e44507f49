"""Families check a voucher without logging in: the code plus the last six characters of the
child's ID number. Shared by the public API endpoint and the page below, so both give the same
answers, the same single message for any mismatch and the same limits:

- at most `MAX_FAILURES` failed tries per code per hour, counted in the cache under a hash of
  the normalised code (malformed and unknown codes count too, so a refusal says nothing about
  whether a code exists); once reached, even the right suffix is refused until the hour passes;
- per address, `BalanceRateThrottle` (DRF scope "voucher_balance", 30 tries an hour), one
  bucket for the page and the API together.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

# MAX_FAILURES and TooManyFailures are part of this module's answer (the API view and the
# tests read them here).
from portal.throttles import (  # noqa: F401
    FAILURE_WINDOW_SECONDS,
    MAX_FAILURES,
    AddressRateThrottle,
    FailureCounter,
    TooManyFailures,
)

from . import codes, selectors
from .models import LedgerEntry, Voucher

NO_MATCH_MESSAGE = _("券码或身份证号码后六位不正确，请核对后重新输入。")
SUFFIX_FORMAT_MESSAGE = _("请输入幼儿身份证号码的最后6位：前5位是数字，最后一位是数字或X。")
SUFFIX_PATTERN = re.compile(r"^[0-9]{5}[0-9X]$")

# Families read plain words, not the ledger's: a reversal gives the amount back.
FAMILY_KIND_WORDS = {LedgerEntry.Kind.REVERSAL: _("更正退回")}
THROTTLED_MESSAGE = _("查询次数过多，请稍后再试。")


class BalanceRateThrottle(AddressRateThrottle):
    """Per client address, whether signed in or not (portal.throttles)."""

    scope = "voucher_balance"
    rate = "30/hour"


class NoMatch(Exception):
    """Unknown code, malformed code or wrong ID suffix: deliberately indistinguishable."""


@dataclass(frozen=True)
class HistoryItem:
    date: dt.date
    institution: str | None
    amount: Decimal
    kind: str
    kind_display: str
    fee_month: dt.date | None  # of the redemption a redemption or reversal concerns


@dataclass(frozen=True)
class FamilyBalance:
    """What a family is shown: no names, no ID numbers, institutions by name only."""

    voucher: Voucher
    status: str
    status_display: str
    balance: Decimal
    valid_from: dt.date
    valid_until: dt.date
    month: dt.date
    month_remaining: Decimal
    history: list[HistoryItem]


# --- Failure counting --------------------------------------------------------------------------


# Failed tries per code (portal.throttles); the follow-up of online applications counts per
# reference under its own namespace (vouchers/public.py).
BALANCE = "voucher-balance"
_COUNTERS: dict[str, FailureCounter] = {}


def _counter(namespace: str) -> FailureCounter:
    return _COUNTERS.setdefault(namespace, FailureCounter(namespace))


def failure_count(code: str, namespace: str = BALANCE) -> int:
    return _counter(namespace).count(codes.normalize(code))


def record_failure(code: str, namespace: str = BALANCE) -> int:
    return _counter(namespace).record(codes.normalize(code))


def retry_after(code: str, namespace: str = BALANCE) -> int:
    return _counter(namespace).retry_after(codes.normalize(code))


def refuse_if_locked(code: str, namespace: str = BALANCE) -> None:
    _counter(namespace).refuse_if_locked(codes.normalize(code))


def normalize_suffix(value: str) -> str:
    return "".join(str(value or "").split()).upper()


# --- The lookup --------------------------------------------------------------------------------


def _find(code: str, suffix: str) -> Voucher | None:
    if not codes.is_well_formed(code):
        return None
    voucher = (
        Voucher.objects.select_related("child", "batch")
        .only(
            "pk",
            "code",
            "status",
            "balance",
            "monthly_cap",
            "valid_from",
            "valid_until",
            "child__id_number",
            "batch__inclusive_only",
        )
        .filter(code=codes.normalize(code))
        .first()
    )
    if voucher is None:
        return None
    # Bytes, so the comparison is constant-time for any input (str must be ASCII for that).
    if not hmac.compare_digest(suffix.encode(), voucher.child.id_last6.encode()):
        return None
    return voucher


def find_voucher(code: str, id_last6: str) -> Voucher | None:
    """The voucher if `code` and the ID suffix match, else None; counts nothing (the caller
    records the failure, as check_balance does)."""
    return _find(codes.normalize(code), normalize_suffix(id_last6))


def check_balance(code: str, id_last6: str, *, today: dt.date | None = None) -> FamilyBalance:
    """The voucher's figures if `code` and `id_last6` match; raises NoMatch (counting a
    failure) or TooManyFailures."""
    code = codes.normalize(code)
    refuse_if_locked(code)
    voucher = _find(code, normalize_suffix(id_last6))
    if voucher is None:
        record_failure(code)
        raise NoMatch
    # Checked again after a match: failures counted meanwhile by parallel tries still count.
    refuse_if_locked(code)
    today = today or timezone.localdate()
    history = [
        HistoryItem(
            date=timezone.localtime(entry.created_at).date(),
            institution=entry.institution.name if entry.institution_id else None,
            amount=entry.amount,
            kind=entry.kind,
            kind_display=str(FAMILY_KIND_WORDS.get(entry.kind, entry.get_kind_display())),
            fee_month=entry.redemption.fee_month if entry.redemption_id else None,
        )
        for entry in selectors.voucher_history(voucher)
    ]
    return FamilyBalance(
        voucher=voucher,
        status=voucher.status,
        status_display=voucher.get_status_display(),
        balance=voucher.balance,
        valid_from=voucher.valid_from,
        valid_until=voucher.valid_until,
        month=today.replace(day=1),
        month_remaining=selectors.month_remaining(voucher, today),
        history=history,
    )


# --- The page ----------------------------------------------------------------------------------


def _text_input(**attrs) -> forms.TextInput:
    return forms.TextInput(
        attrs={
            "autocomplete": "off",
            "autocapitalize": "characters",
            "autocorrect": "off",
            "spellcheck": "false",
            **attrs,
        }
    )


class BalanceForm(forms.Form):
    code = forms.CharField(
        label=_("托育券券码"),
        max_length=40,
        help_text=_("见托育券告知书，如 ABCD-EFGH-JKMN，可不输入“-”。"),
        widget=_text_input(placeholder="XXXX-XXXX-XXXX", **{"aria-describedby": "id_code-help"}),
    )
    id_last6 = forms.CharField(
        label=_("幼儿身份证号码后六位"),
        max_length=6,
        help_text=_("最后一位是X的，请输入X。"),
        # Not inputmode=numeric: the last character may be X, which numeric keypads lack.
        widget=_text_input(inputmode="text", **{"aria-describedby": "id_id_last6-help"}),
    )

    def clean_id_last6(self) -> str:
        # Only the format is checked here (it says nothing about any voucher); a malformed
        # suffix gets a hint instead of the generic "not found".
        value = normalize_suffix(self.cleaned_data["id_last6"])
        if not SUFFIX_PATTERN.match(value):
            raise forms.ValidationError(SUFFIX_FORMAT_MESSAGE, code="suffix_format")
        return value


def _respond(request, context: dict, status: int = 200):
    response = render(request, "vouchers/family_balance.html", context, status=status)
    # The answer is personal: no browser, proxy or in-app browser may keep a copy.
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
@csrf_protect
def balance_page(request):
    """托育券余额查询: families, no login, phone-sized."""
    if request.method != "POST":
        # The notice's QR code links here with ?code=…; the ID suffix is only ever typed.
        initial = {"code": codes.normalize(request.GET.get("code", ""))[:40]}
        if initial["code"]:
            initial["code"] = codes.display(initial["code"])
        return _respond(request, {"form": BalanceForm(initial=initial)})
    form = BalanceForm(request.POST)
    context: dict = {"form": form}
    # The ID suffix typed is never written back into the page; the code is.
    again = BalanceForm(initial={"code": request.POST.get("code", "")[:40]})
    throttle = BalanceRateThrottle()
    if not throttle.allow_request(request, None):
        context.update(error=THROTTLED_MESSAGE, form=again)
        return _respond(request, context, status=429)
    if not form.is_valid():
        form.data = form.data.copy()
        form.data["id_last6"] = ""  # the errors stay; the value shown goes
        return _respond(request, context)
    try:
        result = check_balance(form.cleaned_data["code"], form.cleaned_data["id_last6"])
    except (NoMatch, TooManyFailures) as refused:
        throttled = isinstance(refused, TooManyFailures)
        context.update(error=THROTTLED_MESSAGE if throttled else NO_MATCH_MESSAGE, form=again)
        return _respond(request, context, status=429 if throttled else 200)
    today = timezone.localdate()
    institutions = list(selectors.accepting_institutions(result.voucher.batch, today))
    context.update(
        result=result,
        display_code=codes.display(result.voucher.code),
        institutions=institutions,
        inclusive_only=result.voucher.batch.inclusive_only,
        # A fresh form for the next look-up; the code stays, the ID suffix does not.
        form=BalanceForm(initial={"code": codes.display(result.voucher.code)}),
    )
    return _respond(request, context)
