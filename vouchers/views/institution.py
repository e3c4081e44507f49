"""Institution pages: voucher children and enrolments, redemption, the institution's
redemptions with reversal, its settlements, and applications on a family's behalf.

Operators of the institution act; bureau viewers read (bureau staff may also reverse and prepare
statements). Every object is looked up through `roles.get_scoped_or_404` before any role check.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Prefetch, Q, Sum
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from institutions.models import Institution
from portal.dates import month_start
from portal.pages import bureau_acts, operated_ids, operates, portal_page, require_bureau_actor
from portal.roles import get_scoped_or_404, scope

from .. import codes, selectors, services
from ..forms import (
    EnrolmentEndForm,
    EnrolmentForm,
    MarkPaidForm,
    MonthRangeForm,
    ReasonForm,
    RedemptionForm,
    SettlementPrepareForm,
    month_value,
    new_idempotency_key,
)
from ..models import Enrolment, Redemption, Settlement, Voucher, VoucherApplication, VoucherMonth
from ..services import REVERSAL_WINDOW_DAYS, VoucherError
from .access import (
    institution_for,
    nav_context,
    require_operator,
    require_operator_or_bureau,
    sees_vouchers,
)
from .bureau import application_entry

PAGE_SIZE = 50


def _first_month():
    return settings.PILOT_START_DATE.replace(day=1)


def _nav(request, current: str, institution: Institution) -> dict:
    return {"institution": institution, **nav_context(request, current, institution)}


@portal_page
@require_GET
def home(request):
    """Where 托育券 leads: the bureau's batches, or the operator's institution."""
    if sees_vouchers(request.user):
        return redirect("vouchers:batches")
    ids = operated_ids(request.user)
    if not ids:
        raise PermissionDenied(_("您的账号不能查看托育券信息。"))
    institutions = list(Institution.objects.filter(pk__in=ids).order_by("name", "pk"))
    if len(institutions) == 1:
        return redirect("vouchers:children", pk=institutions[0].pk)
    return render(request, "vouchers/operator_home.html", {"institutions": institutions})


# --- Children and enrolments -------------------------------------------------------------------------


@portal_page
@require_GET
def children(request, pk: int):
    institution = institution_for(request, pk)
    this_month = month_start(timezone.localdate())
    enrolments = (
        scope(request.user, Enrolment)
        .filter(institution=institution)
        .select_related("child")
        .prefetch_related(
            Prefetch(
                "child__vouchers",
                queryset=Voucher.objects.select_related("batch")
                .prefetch_related(
                    Prefetch(
                        "months",
                        queryset=VoucherMonth.objects.filter(fee_month=this_month),
                        to_attr="this_month",
                    )
                )
                .order_by("-valid_until"),
                to_attr="voucher_list",
            )
        )
        .order_by(F("end").desc(nulls_first=True), "-start", "pk")
    )
    current_only = request.GET.get("all") != "1"
    today = timezone.localdate()
    if current_only:
        enrolments = enrolments.filter(Q(end__isnull=True) | Q(end__gte=today))
    page = Paginator(enrolments, PAGE_SIZE).get_page(request.GET.get("page"))
    for enrolment in page.object_list:
        enrolment.is_current = enrolment.start <= today and (
            enrolment.end is None or enrolment.end >= today
        )
        for voucher in enrolment.child.voucher_list:
            used = voucher.this_month[0].used if voucher.this_month else 0
            voucher.month_left = (
                min(voucher.monthly_cap - used, voucher.balance)
                if voucher.status == Voucher.Status.ACTIVE
                else 0
            )
            voucher.display_code = codes.display(voucher.code)
    return render(
        request,
        "vouchers/children.html",
        {
            "page": page,
            "current_only": current_only,
            "this_month": this_month,
            **_nav(request, "children", institution),
        },
    )


@portal_page
@require_http_methods(["GET", "POST"])
def enrolment_add(request, pk: int):
    institution = institution_for(request, pk)
    require_operator(request, institution)
    form = EnrolmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.enrolment_record(
                child=form.voucher.child,
                institution=institution,
                start=form.cleaned_data["start"],
                end=form.cleaned_data.get("end"),
                actor=request.user,
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _("已登记%(child)s入托，可以使用托育券%(code)s抵扣托育费。")
                % {"child": form.voucher.child.name, "code": codes.display(form.voucher.code)},
            )
            return redirect("vouchers:children", pk=institution.pk)
    return render(
        request,
        "vouchers/enrolment_form.html",
        {"form": form, **_nav(request, "children", institution)},
    )


@portal_page
@require_http_methods(["GET", "POST"])
def enrolment_end(request, pk: int, enrolment_pk: int):
    institution = institution_for(request, pk)
    enrolment = get_scoped_or_404(
        request.user,
        Enrolment.objects.select_related("child"),
        pk=enrolment_pk,
        institution=institution,
    )
    require_operator(request, institution)
    form = EnrolmentEndForm(request.POST or None, enrolment=enrolment)
    if request.method == "POST" and form.is_valid():
        try:
            services.enrolment_end(
                enrolment=enrolment, end=form.cleaned_data["end"], actor=request.user
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _("已登记%(child)s离托，离托日期%(end)s。")
                % {"child": enrolment.child.name, "end": enrolment.end.isoformat()},
            )
            return redirect("vouchers:children", pk=institution.pk)
    return render(
        request,
        "vouchers/enrolment_end.html",
        {"form": form, "enrolment": enrolment, **_nav(request, "children", institution)},
    )


# --- Redemption --------------------------------------------------------------------------------------


@portal_page
@require_http_methods(["GET", "POST"])
def redeem(request, pk: int):
    """Two steps: the code and month are checked first (whose voucher, its balance, what is left
    of the month's cap and fee, the amount filled in with the smallest), then the operator
    confirms. /dikou/?voucher_code=&fee_month= (the children list's button) starts at the check."""
    institution = institution_for(request, pk)
    require_operator(request, institution)
    form, preview = _redeem_form(request), None
    if form.is_bound and not form.is_valid() and "idempotency_key" in form.errors:
        # A missing or mangled key: the page is shown again with a fresh one to send.
        errors = form.errors["idempotency_key"]
        form = form.with_new_key()
        form.add_error(None, errors)
    elif form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            preview = services.redemption_preview(
                institution=institution, code=data["voucher_code"], fee_month=data["fee_month"]
            )
        except VoucherError as error:
            form.add_error(None, error.messages[0])
        else:
            if not form.confirming:
                form = form.filled(preview.suggested)
            elif request.method == "POST":
                done, form = _redeem_confirmed(request, institution, form)
                if done is not None:
                    return done
    return render(
        request,
        "vouchers/redeem.html",
        {"form": form, "preview": preview, **_nav(request, "redeem", institution)},
    )


def _redeem_form(request) -> RedemptionForm:
    if request.method == "POST":
        return RedemptionForm(request.POST)
    if request.GET.get("voucher_code"):
        return RedemptionForm(
            {
                "voucher_code": request.GET["voucher_code"],
                "fee_month": request.GET.get("fee_month", ""),
                "idempotency_key": new_idempotency_key(),
                "action": RedemptionForm.CHECK,
            }
        )
    return RedemptionForm()


def _redeem_confirmed(request, institution: Institution, form: RedemptionForm):
    """Redeem the confirmed form: the redirect to the redemption, or None and the form to show
    again with the reason."""
    data = form.cleaned_data
    try:
        result = services.redeem(
            institution=institution,
            code=data["voucher_code"],
            fee_month=data["fee_month"],
            amount=data["amount"],
            idempotency_key=data["idempotency_key"],
            actor=request.user,
        )
    except VoucherError as error:
        if error.code == "idempotency_key_reused":
            # This page's key already redeemed something else (the form was changed after a
            # success and sent again): a new key, and the operator decides again.
            form = form.with_new_key()
            form.add_error(
                None, _("这张表单已经提交过一笔抵扣。如需再抵扣一笔，请核对后重新提交。")
            )
        else:
            form.add_error(None, error.messages[0])
        return None, form
    if result.replayed:
        messages.info(request, _("这笔抵扣已经办理过（重复提交），没有重复抵扣。"))
    else:
        messages.success(request, _("抵扣成功。"))
    done = redirect(
        "vouchers:redemption_detail", pk=institution.pk, redemption_pk=result.redemption.pk
    )
    return done, form


def _redemption(request, institution: Institution, redemption_pk: int) -> Redemption:
    return get_scoped_or_404(
        request.user,
        Redemption.objects.select_related("voucher__child", "voucher__batch", "settlement"),
        pk=redemption_pk,
        institution=institution,
    )


def _reversible(request, redemption: Redemption, institution: Institution) -> bool:
    if redemption.status != Redemption.Status.ACTIVE:
        return False
    if redemption.settlement_id and redemption.settlement.is_locked:
        return False
    if bureau_acts(request.user):
        return True
    age = timezone.now() - redemption.created_at
    return operates(request.user, institution) and age.days < REVERSAL_WINDOW_DAYS


@portal_page
@require_GET
def redemption_detail(request, pk: int, redemption_pk: int):
    institution = institution_for(request, pk)
    redemption = _redemption(request, institution, redemption_pk)
    entry = redemption.ledger_entries.order_by("-created_at", "-pk").first()
    return render(
        request,
        "vouchers/redemption_detail.html",
        {
            "redemption": redemption,
            "entry": entry,
            "code": codes.display(redemption.voucher.code),
            "reversible": _reversible(request, redemption, institution),
            **_nav(request, "redemptions", institution),
        },
    )


@portal_page
@require_GET
def redemptions(request, pk: int):
    institution = institution_for(request, pk)
    form = MonthRangeForm(
        request.GET or None, first=_first_month(), default_months=3, with_name=False
    )
    month_from, month_to, _name = form.range()
    queryset = (
        scope(request.user, Redemption)
        .filter(institution=institution, fee_month__gte=month_from, fee_month__lte=month_to)
        .select_related("voucher__child", "settlement")
        .order_by("-created_at", "-pk")
    )
    totals = queryset.filter(status=Redemption.Status.ACTIVE).aggregate(total=Sum("amount"))
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    for redemption in page.object_list:
        redemption.display_code = codes.display(redemption.voucher.code)
        redemption.reversible = _reversible(request, redemption, institution)
    return render(
        request,
        "vouchers/redemptions.html",
        {
            "form": form,
            "page": page,
            "total": totals["total"] or 0,
            "window_days": REVERSAL_WINDOW_DAYS,
            **_nav(request, "redemptions", institution),
        },
    )


@portal_page
@require_http_methods(["GET", "POST"])
def reverse_redemption(request, pk: int, redemption_pk: int):
    """冲正: a confirmation page with the reason; the operator's own within 7 days, or staff."""
    institution = institution_for(request, pk)
    redemption = _redemption(request, institution, redemption_pk)
    require_operator_or_bureau(request, institution)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reverse(
                redemption=redemption,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                by_bureau=bureau_acts(request.user) and not operates(request.user, institution),
            )
        except VoucherError as error:
            form.add_error(None, error.messages[0])
        else:
            messages.success(
                request,
                _("已冲正：%(amount)s元已退回托育券%(code)s。")
                % {"amount": redemption.amount, "code": codes.display(redemption.voucher.code)},
            )
            return redirect("vouchers:redemptions", pk=institution.pk)
    return render(
        request,
        "vouchers/reverse_confirm.html",
        {
            "form": form,
            "redemption": redemption,
            "code": codes.display(redemption.voucher.code),
            "window_days": REVERSAL_WINDOW_DAYS,
            **_nav(request, "redemptions", institution),
        },
    )


# --- Settlements --------------------------------------------------------------------------------------


@portal_page
@require_http_methods(["GET", "POST"])
def institution_settlements(request, pk: int):
    institution = institution_for(request, pk)
    form = SettlementPrepareForm(request.POST or None, first=_first_month())
    if request.method == "POST":
        require_operator_or_bureau(request, institution)
        if form.is_valid():
            settlement = services.settlement_prepare(
                institution=institution, month=form.cleaned_data["month"], actor=request.user
            )
            return redirect("vouchers:settlement_detail", pk=settlement.pk)
    statements = scope(request.user, Settlement).filter(institution=institution).order_by("-month")
    settled = set(statements.values_list("month", flat=True))
    pending = (
        scope(request.user, Redemption)
        .filter(institution=institution, status=Redemption.Status.ACTIVE)
        .exclude(fee_month__in=settled)
        .values("fee_month")
        .annotate(total=Sum("amount"))
        .order_by("-fee_month")
    )
    return render(
        request,
        "vouchers/institution_settlements.html",
        {
            "form": form,
            "statements": statements,
            "pending": pending,
            "may_prepare": operates(request.user, institution) or bureau_acts(request.user),
            **_nav(request, "settlements", institution),
        },
    )


def _settlement(request, pk: int) -> Settlement:
    settlement = get_scoped_or_404(
        request.user, Settlement.objects.select_related("institution"), pk=pk
    )
    if not (sees_vouchers(request.user) or operates(request.user, settlement.institution)):
        raise PermissionDenied(_("您的账号不能查看托育券信息。"))
    return settlement


def _settlement_context(request, settlement: Settlement) -> dict:
    lines = list(selectors.statement_lines(settlement))
    for line in lines:
        line.display_code = codes.display(line.voucher.code)
    live_total = sum((line.amount for line in lines), start=0)
    user_operates = operates(request.user, settlement.institution)
    return {
        "settlement": settlement,
        "lines": lines,
        "live_total": live_total,
        "changed": settlement.state == Settlement.State.CONFIRMED
        and live_total != settlement.total,
        "may_confirm": user_operates and settlement.state == Settlement.State.DRAFT,
        "may_refresh": (user_operates or bureau_acts(request.user))
        and settlement.state == Settlement.State.DRAFT,
        "may_approve": bureau_acts(request.user) and settlement.state == Settlement.State.CONFIRMED,
        "may_pay": bureau_acts(request.user) and settlement.state == Settlement.State.APPROVED,
        "month_value": month_value(settlement.month),
        "institution": settlement.institution,
        # Operators keep their institution's tabs; the bureau keeps its own.
        **(
            nav_context(request, "settlements", settlement.institution)
            if user_operates
            else nav_context(request, "settlements")
        ),
    }


@portal_page
@require_GET
def settlement_detail(request, pk: int):
    settlement = _settlement(request, pk)
    return render(
        request, "vouchers/settlement_detail.html", _settlement_context(request, settlement)
    )


@portal_page
@require_POST
def settlement_refresh(request, pk: int):
    settlement = _settlement(request, pk)
    require_operator_or_bureau(request, settlement.institution)
    services.settlement_prepare(
        institution=settlement.institution, month=settlement.month, actor=request.user
    )
    messages.success(request, _("已按当前抵扣记录更新结算单。"))
    return redirect("vouchers:settlement_detail", pk=settlement.pk)


@portal_page
@require_POST
def settlement_confirm(request, pk: int):
    settlement = _settlement(request, pk)
    require_operator(request, settlement.institution)
    try:
        services.settlement_confirm(settlement=settlement, actor=request.user)
    except VoucherError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("已确认结算单，等待卫健局审核。"))
    return redirect("vouchers:settlement_detail", pk=settlement.pk)


@portal_page
@require_http_methods(["GET", "POST"])
def settlement_approve(request, pk: int):
    """Approval locks the month's redemptions: a confirmation page first."""
    settlement = _settlement(request, pk)
    require_bureau_actor(request)
    if request.method == "POST":
        try:
            services.settlement_approve(settlement=settlement, actor=request.user)
        except VoucherError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(
                request,
                _("已审核通过%(institution)s %(month)s的结算单，该月抵扣已锁定。")
                % {
                    "institution": settlement.institution.name,
                    "month": f"{settlement.month:%Y-%m}",
                },
            )
        return redirect("vouchers:settlement_detail", pk=settlement.pk)
    return render(
        request,
        "vouchers/settlement_approve.html",
        _settlement_context(request, settlement),
    )


@portal_page
@require_http_methods(["GET", "POST"])
def settlement_return(request, pk: int):
    """Send a confirmed statement back to the institution, with a reason it will read."""
    settlement = _settlement(request, pk)
    require_bureau_actor(request)
    form = ReasonForm(request.POST or None, label=_("退回原因（机构会看到）"))
    if request.method == "POST" and form.is_valid():
        try:
            services.settlement_return(
                settlement=settlement, reason=form.cleaned_data["reason"], actor=request.user
            )
        except VoucherError as error:
            form.add_error(None, error.messages[0])
        else:
            messages.success(request, _("已退回机构重新确认。"))
            return redirect("vouchers:settlement_detail", pk=settlement.pk)
    return render(
        request,
        "vouchers/settlement_return.html",
        {**_settlement_context(request, settlement), "form": form},
    )


@portal_page
@require_http_methods(["GET", "POST"])
def settlement_paid(request, pk: int):
    settlement = _settlement(request, pk)
    require_bureau_actor(request)
    form = MarkPaidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.settlement_mark_paid(
                settlement=settlement, reference=form.cleaned_data["reference"], actor=request.user
            )
        except VoucherError as error:
            form.add_error(None, error.messages[0])
        else:
            messages.success(request, _("已标记为已支付。"))
            return redirect("vouchers:settlement_detail", pk=settlement.pk)
    return render(
        request,
        "vouchers/settlement_paid.html",
        {"form": form, **_settlement_context(request, settlement)},
    )


# --- Applications on a family's behalf ------------------------------------------------------------


@portal_page
@require_http_methods(["GET", "POST"])
def institution_application_add(request, pk: int):
    institution = institution_for(request, pk)
    require_operator(request, institution)
    entered = (
        scope(request.user, VoucherApplication)
        .filter(institution=institution)
        .select_related("batch", "child")
        .order_by("-applied_on", "-pk")[:20]
    )
    return application_entry(
        request,
        institution=institution,
        template="vouchers/institution_application_form.html",
        nav={"entered": entered, **_nav(request, "apply", institution)},
    )
