"""Pages of inclusive care (融合托育, /ronghe/): the support cases a user may see (the bureau all,
an institution's operators theirs, a facility's users those it supports), each case with its
reviews, the forms to open, plan, review and close, the bureau's access log of a case and its
counts per township. Every page that shows a case writes its read to the access log."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.pages import add_service_error, portal_page
from portal.roles import is_bureau

from . import selectors, services
from .forms import CaseOpenForm, CasePlanForm, CloseForm, ReviewForm
from .models import SupportCase, SupportCaseAccess, SupportReview

PAGE_SIZE = 30
PAGE = SupportCaseAccess.Channel.PAGE
LIST, DETAIL = SupportCaseAccess.Action.LIST, SupportCaseAccess.Action.DETAIL


def _require_reader(request) -> None:
    if not selectors.may_read(request.user):
        raise PermissionDenied(_("只有卫健局、个案所在机构和支持机构的用户可以查看融合托育个案。"))


def _require_bureau(request) -> None:
    if not is_bureau(request.user):
        raise PermissionDenied(_("只有卫健局的工作人员可以查看此页面。"))


def _case(request, pk: int) -> SupportCase:
    """The case if the user may see it (404 otherwise), its read audited."""
    _require_reader(request)
    case = selectors.cases(request.user).filter(pk=pk).first()
    if case is None:
        raise Http404
    services.audit_reads(user=request.user, cases=[case], channel=PAGE, action=DETAIL)
    return case


def _may_write(request, case: SupportCase) -> bool:
    return selectors.may_write(
        request.user, institution_id=case.institution_id, facility_id=case.facility_id
    )


def _require_writer(request, case: SupportCase) -> None:
    if not _may_write(request, case):
        raise PermissionDenied(_("您的账号不能修改这个个案。"))
    if case.closed_on is not None:
        raise PermissionDenied(_("个案已结案，不能再修改。"))


def _context(request, current: str, **extra) -> dict:
    return {
        "nav_current": current,
        "nav_bureau": is_bureau(request.user),
        "may_open": selectors.may_open(request.user),
        **extra,
    }


@portal_page
@require_http_methods(["GET"])
def case_list(request):
    """/ronghe/: the cases the user may see, open ones first; each listed case is one read."""
    _require_reader(request)
    listing = selectors.cases(request.user).order_by("closed_on", "-opened_on", "-pk")
    state = request.GET.get("state", "open")
    if state == "open":
        listing = listing.filter(closed_on__isnull=True)
    page = Paginator(listing, PAGE_SIZE).get_page(request.GET.get("page"))
    services.audit_reads(user=request.user, cases=page.object_list, channel=PAGE, action=LIST)
    return render(
        request,
        "inclusive/case_list.html",
        _context(request, "cases", page=page, state=state),
    )


@portal_page
@require_http_methods(["GET", "POST"])
def case_open(request):
    """/ronghe/xinjian/: open a case for an institution the user acts for."""
    _require_reader(request)
    if not selectors.may_open(request.user):
        raise PermissionDenied(_("您的账号不能登记融合托育个案。"))
    form = CaseOpenForm(
        request.POST or None,
        institutions=selectors.institution_choices(request.user),
        facilities=selectors.facility_choices(request.user),
        initial={"opened_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_save(case=form.save(commit=False), actor=request.user)
        except ValidationError as error:
            add_service_error(form, error, model=SupportCase)
        else:
            messages.success(request, _("已登记融合托育个案。"))
            return redirect("inclusive:case_detail", pk=case.pk)
    return render(
        request,
        "inclusive/case_form.html",
        _context(request, "open", form=form, title=_("登记融合托育个案")),
        status=400 if form.errors else 200,
    )


@portal_page
@require_http_methods(["GET"])
def case_detail(request, pk: int):
    """/ronghe/<pk>/: the case with its reviews."""
    case = _case(request, pk)
    reviews = case.reviews.select_related("reviewer")
    return render(
        request,
        "inclusive/case_detail.html",
        _context(
            request,
            "cases",
            case=case,
            reviews=reviews,
            may_write=_may_write(request, case) and case.closed_on is None,
        ),
    )


@portal_page
@require_http_methods(["GET", "POST"])
def case_plan(request, pk: int):
    """/ronghe/<pk>/jihua/: change the need and the support plan of an open case."""
    case = _case(request, pk)
    _require_writer(request, case)
    form = CasePlanForm(request.POST or None, instance=case)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_save(case=form.save(commit=False), actor=request.user)
        except ValidationError as error:
            add_service_error(form, error, model=SupportCase)
        else:
            messages.success(request, _("帮扶计划已保存。"))
            return redirect("inclusive:case_detail", pk=case.pk)
    return render(
        request,
        "inclusive/case_form.html",
        _context(request, "cases", form=form, case=case, title=_("修改帮扶计划")),
        status=400 if form.errors else 200,
    )


@portal_page
@require_http_methods(["GET", "POST"])
def review_add(request, pk: int):
    """/ronghe/<pk>/pinggu/: a dated review of an open case."""
    case = _case(request, pk)
    _require_writer(request, case)
    form = ReviewForm(
        request.POST or None, case=case, initial={"reviewed_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.review_add(review=form.save(commit=False), actor=request.user)
        except ValidationError as error:
            add_service_error(form, error, model=SupportReview)
        else:
            messages.success(request, _("评估已登记。"))
            return redirect("inclusive:case_detail", pk=case.pk)
    return render(
        request,
        "inclusive/case_form.html",
        _context(request, "cases", form=form, case=case, title=_("登记帮扶评估")),
        status=400 if form.errors else 200,
    )


@portal_page
@require_http_methods(["GET", "POST"])
def case_close(request, pk: int):
    """/ronghe/<pk>/jiean/: close the case, after ticking the confirmation."""
    case = _case(request, pk)
    _require_writer(request, case)
    form = CloseForm(request.POST or None, initial={"closed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.case_close(
                case=case,
                closed_on=form.cleaned_data["closed_on"],
                note=form.cleaned_data["closing_note"],
                actor=request.user,
            )
        except ValidationError as error:
            add_service_error(form, error, model=SupportCase)
        else:
            messages.success(request, _("个案已结案。"))
            return redirect("inclusive:case_detail", pk=case.pk)
    return render(
        request,
        "inclusive/case_close.html",
        _context(request, "cases", form=form, case=case),
        status=400 if form.errors else 200,
    )


@portal_page
@require_http_methods(["GET"])
def case_accesses(request, pk: int):
    """/ronghe/<pk>/fangwen/: who read the case, when and how (bureau only)."""
    _require_bureau(request)
    case = _case(request, pk)
    page = Paginator(selectors.accesses(case), 100).get_page(request.GET.get("page"))
    return render(
        request,
        "inclusive/case_accesses.html",
        _context(request, "cases", case=case, page=page),
    )


@portal_page
@require_http_methods(["GET"])
def townships(request):
    """/ronghe/zhenjie/: per township at a day, open cases, institutions offering inclusive care
    and the month's special-needs children from accepted reports (bureau only)."""
    _require_bureau(request)
    try:
        day = dt.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        day = timezone.localdate()
    data = selectors.inclusive_care_by_township(day)
    return render(request, "inclusive/townships.html", _context(request, "townships", data=data))
