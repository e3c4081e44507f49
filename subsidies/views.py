"""The subsidy pages. Bureau pages: the bureau and auditors read, bureau staff act (403 on any
other POST). An institution's page: the institution is looked up through
`roles.get_scoped_or_404` first (another institution's is a 404), then the role is checked."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from institutions.models import Institution
from portal.pages import bureau_acts, operates, portal_page, require_bureau_actor
from portal.roles import BUREAU_ROLES, Role, get_scoped_or_404, has_role, scope

from . import services
from .exports import payment_file_xlsx
from .forms import MarkPaidForm, RunMonthForm
from .models import SubsidyLine, SubsidyMonth

PAGE_SIZE = 50
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
VIEWER_ROLES = frozenset(BUREAU_ROLES | {Role.AUDITOR})


def sees_subsidies(user) -> bool:
    """Reads every institution's subsidies: the bureau and auditors."""
    return bool(getattr(user, "is_superuser", False)) or has_role(user, *VIEWER_ROLES)


def bureau_page(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not sees_subsidies(request.user):
            raise PermissionDenied(_("只有卫健局和审计的工作人员可以查看补助核算。"))
        if request.method == "POST":
            require_bureau_actor(request)
        return view(request, *args, **kwargs)

    return portal_page(wrapped)


def _month(request, pk: int) -> SubsidyMonth:
    return get_scoped_or_404(request.user, SubsidyMonth.objects.select_related("scheme"), pk=pk)


@bureau_page
@require_http_methods(["GET", "POST"])
def months(request):
    """The computed months, and the form that computes (or recomputes a draft) month."""
    form = RunMonthForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            month = services.compute_month(
                form.cleaned_data["scheme"], form.cleaned_data["month"], actor=request.user
            )
        except services.SubsidyError as error:
            form.add_error(None, error.messages[0])
        else:
            if month.state == SubsidyMonth.State.DRAFT:
                messages.success(request, _("已计算，请核对各机构明细后审核。"))
            else:
                messages.info(request, _("该月已审核，明细不再重新计算。"))
            return redirect("subsidies:month_detail", pk=month.pk)
    queryset = scope(request.user, SubsidyMonth).select_related("scheme", "approved_by")
    page = Paginator(queryset.order_by("-month", "scheme__name"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "subsidies/months.html",
        {"form": form, "page": page, "may_act": bureau_acts(request.user)},
    )


@bureau_page
@require_GET
def month_detail(request, pk: int):
    """A month's totals (stored on the month) and its lines, PAGE_SIZE at a time: a province's
    month has thousands of lines."""
    month = _month(request, pk)
    lines = month.lines.select_related("institution").order_by("institution__name", "pk")
    page = Paginator(lines, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "subsidies/month_detail.html",
        {
            "month": month,
            "page": page,
            "paid_form": MarkPaidForm(),
            "may_act": bureau_acts(request.user),
        },
    )


@bureau_page
@require_POST
def month_approve(request, pk: int):
    month = _month(request, pk)
    try:
        services.approve_month(month, actor=request.user)
    except services.SubsidyError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("已审核通过，该月明细已锁定。"))
    return redirect("subsidies:month_detail", pk=month.pk)


@bureau_page
@require_POST
def month_paid(request, pk: int):
    month = _month(request, pk)
    form = MarkPaidForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写支付凭证号。"))
        return redirect("subsidies:month_detail", pk=month.pk)
    try:
        services.mark_paid(month, reference=form.cleaned_data["reference"], actor=request.user)
    except services.SubsidyError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("已标记为已支付。"))
    return redirect("subsidies:month_detail", pk=month.pk)


@bureau_page
@require_GET
def payment_file(request, pk: int):
    month = _month(request, pk)
    if month.state == SubsidyMonth.State.DRAFT:
        messages.error(request, _("该月补助审核通过后才能下载支付文件。"))
        return redirect("subsidies:month_detail", pk=month.pk)
    response = HttpResponse(payment_file_xlsx(month), content_type=XLSX_TYPE)
    filename = f"{_('补助支付文件')}-{month.scheme.name}-{month.month:%Y-%m}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@portal_page
@require_GET
def institution_lines(request, pk: int):
    """An institution's own subsidy lines: its operators, the bureau and auditors."""
    institution = get_scoped_or_404(
        request.user, Institution.objects.select_related("township"), pk=pk
    )
    if not (sees_subsidies(request.user) or operates(request.user, institution)):
        raise PermissionDenied(_("您的账号不能查看补助信息。"))
    lines = (
        scope(request.user, SubsidyLine)
        .filter(institution=institution)
        .select_related("scheme", "subsidy_month")
        .order_by("-month", "scheme__name")
    )
    page = Paginator(lines, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "subsidies/institution_lines.html", {"institution": institution, "page": page}
    )
