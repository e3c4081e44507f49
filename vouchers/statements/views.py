"""Fee statement pages.

- /tuoyuquan/jigou/<pk>/zhengming/: the institution's statements; its operators issue and revoke
  (a revocation needs a reason), bureau viewers read. /…/zhengming/<id>.pdf downloads one.
- /voucher-balance/zhengming/: a family asks for one with the voucher code and the last six
  characters of the child's ID number (the balance page's check, its failure counter and its
  address throttle); the PDF is the answer.
- /zhengming/yanzheng/: anyone (an employer) checks a printed code: the institution, the period,
  the amounts and the masked name of a valid statement; an unknown, malformed or revoked code
  all get the same answer. Throttled per address like the families' pages.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from portal.dates import add_months, month_start, parse_month
from portal.pages import operates, portal_page
from portal.roles import get_scoped_or_404, scope

from .. import codes, family
from ..forms import month_choices
from ..models import Enrolment
from ..pdf import fee_statement_pdf
from ..services import VoucherError
from ..views.access import institution_for, nav_context, require_operator
from .models import FeeStatement
from .services import display_statement_code, statement_issue, statement_revoke, statement_verify

PAGE_SIZE = 50


def _month_fields(form: forms.Form, first: dt.date) -> None:
    """Months from `first` to last month (a running month cannot be stated), newest first."""
    last = add_months(month_start(timezone.localdate()), -1)
    choices = month_choices(first, last)
    for name in ("first_month", "last_month"):
        form.fields[name].choices = choices


class StatementForm(forms.Form):
    child = forms.ModelChoiceField(label=gettext_lazy("幼儿"), queryset=Enrolment.objects.none())
    first_month = forms.ChoiceField(label=gettext_lazy("起始月份"))
    last_month = forms.ChoiceField(label=gettext_lazy("截止月份"))

    def __init__(self, *args, enrolments, first: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["child"].queryset = enrolments
        self.fields["child"].label_from_instance = lambda e: (
            f"{e.child.name}（{e.child.birth_date:%Y年%m月}生，{e.start:%Y-%m-%d}入托）"
        )
        _month_fields(self, first)


class FamilyStatementForm(family.BalanceForm):
    first_month = forms.ChoiceField(label=gettext_lazy("起始月份"))
    last_month = forms.ChoiceField(label=gettext_lazy("截止月份"))

    def __init__(self, *args, first: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        _month_fields(self, first)


def _pdf_response(statement: FeeStatement, request) -> HttpResponse:
    verify_url = request.build_absolute_uri(reverse("voucher_family:statement_verify"))
    response = HttpResponse(
        fee_statement_pdf(statement, verify_url=verify_url), content_type="application/pdf"
    )
    name = f"入托缴费证明-{statement.first_month:%Y%m}-{statement.last_month:%Y%m}.pdf"
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["Cache-Control"] = "no-store"
    return response


def _first_month() -> dt.date:
    return settings.PILOT_START_DATE.replace(day=1)


# --- The institution's page -----------------------------------------------------------------------


@portal_page
@require_http_methods(["GET", "POST"])
def institution_statements(request, pk: int):
    institution = institution_for(request, pk)
    enrolments = (
        scope(request.user, Enrolment)
        .filter(institution=institution)
        .select_related("child")
        .order_by("-start", "pk")
    )
    form = StatementForm(enrolments=enrolments, first=_first_month())
    if request.method == "POST":
        require_operator(request, institution)
        if request.POST.get("action") == "revoke":
            statement = get_scoped_or_404(
                request.user,
                FeeStatement.objects.filter(institution=institution),
                pk=request.POST.get("statement") or 0,
            )
            try:
                statement_revoke(
                    statement=statement, actor=request.user, reason=request.POST.get("reason", "")
                )
            except VoucherError as error:
                messages.error(request, error.messages[0])
            else:
                messages.success(request, _("证明已作废，验证页将不再显示该证明。"))
            return redirect("vouchers:statements", pk=institution.pk)
        form = StatementForm(request.POST, enrolments=enrolments, first=_first_month())
        if form.is_valid():
            data = form.cleaned_data
            try:
                statement = statement_issue(
                    child=data["child"].child,
                    institution=institution,
                    first=parse_month(data["first_month"]),
                    last=parse_month(data["last_month"]),
                    actor=request.user,
                )
            except VoucherError as error:
                form.add_error(None, error.messages[0])
            else:
                messages.success(
                    request,
                    _("已开具缴费证明，验证码 %(code)s。")
                    % {"code": display_statement_code(statement.code)},
                )
                return redirect("vouchers:statements", pk=institution.pk)
    statements = list(scope(request.user, FeeStatement).filter(institution=institution)[:PAGE_SIZE])
    for statement in statements:
        statement.display_code = display_statement_code(statement.code)
    return render(
        request,
        "vouchers/statements.html",
        {
            "form": form,
            "statements": statements,
            "institution": institution,
            "may_issue": operates(request.user, institution),
            **nav_context(request, "statements", institution),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@portal_page
@require_GET
def statement_pdf(request, pk: int, statement_pk: int):
    institution = institution_for(request, pk)
    statement = get_scoped_or_404(
        request.user,
        FeeStatement.objects.filter(institution=institution).select_related("institution"),
        pk=statement_pk,
    )
    return _pdf_response(statement, request)


# --- The family's request -------------------------------------------------------------------------


def _family_respond(request, context: dict, status: int = 200):
    response = render(request, "vouchers/family_statement.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
@csrf_protect
def family_statement(request):
    if request.method != "POST":
        return _family_respond(request, {"form": FamilyStatementForm(first=_first_month())})
    form = FamilyStatementForm(request.POST, first=_first_month())
    throttle = family.BalanceRateThrottle()
    if not throttle.allow_request(request, None):
        return _family_respond(
            request, {"form": form, "error": family.THROTTLED_MESSAGE}, status=429
        )
    if not form.is_valid():
        form.data = form.data.copy()
        form.data["id_last6"] = ""
        return _family_respond(request, {"form": form})
    data = form.cleaned_data
    code = codes.normalize(data["code"])
    try:
        family.refuse_if_locked(code)
        voucher = family.find_voucher(code, data["id_last6"])
        if voucher is None:
            family.record_failure(code)
            raise family.NoMatch
    except (family.NoMatch, family.TooManyFailures) as refused:
        throttled = isinstance(refused, family.TooManyFailures)
        error = family.THROTTLED_MESSAGE if throttled else family.NO_MATCH_MESSAGE
        return _family_respond(request, {"form": form, "error": error}, 429 if throttled else 200)
    first, last = parse_month(data["first_month"]), parse_month(data["last_month"])
    enrolment = (
        Enrolment.objects.filter(child_id=voucher.child_id, start__lte=add_months(last, 1))
        .select_related("institution")
        .order_by("-start")
        .first()
    )
    try:
        if enrolment is None:
            raise VoucherError(_("该幼儿没有入托登记，不能开具缴费证明。"), code="no_enrolment")
        statement = statement_issue(
            child=voucher.child,
            institution=enrolment.institution,
            first=first,
            last=last,
            by_family=True,
        )
    except VoucherError as error:
        return _family_respond(request, {"form": form, "error": error.messages[0]})
    return _pdf_response(statement, request)


# --- Public verification --------------------------------------------------------------------------


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("证明验证码"),
        max_length=40,
        help_text=gettext_lazy("见缴费证明下方，如 ABCD-EFGH-JKMN-PQRS，可不输入“-”。"),
    )


@require_GET
def verify(request):
    form = VerifyForm(request.GET or None)
    context: dict = {"form": form}
    status = 200
    if form.is_bound and form.is_valid():
        throttle = family.BalanceRateThrottle()
        if not throttle.allow_request(request, None):
            context["error"] = family.THROTTLED_MESSAGE
            status = 429
        else:
            statement = statement_verify(form.cleaned_data["code"])
            context["checked"] = True
            context["statement"] = statement
            if statement is not None:
                context["lines"] = statement.month_lines()
    response = render(request, "vouchers/statement_verify.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response
