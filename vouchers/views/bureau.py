"""Bureau pages: batches and their uptake, applications (list, decide, enter, import),
redemptions by institution and month, anomalies, settlements and the payment file.

Voucher viewers (bureau, auditors, education staff) read; bureau staff act. Every write goes
through `vouchers.services` with actor=request.user; a refused rule is shown on the page.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from institutions.import_jobs import services as import_jobs
from institutions.models import ImportJob, MonthlyReport
from portal.pages import safe_next
from portal.roles import get_scoped_or_404, scope
from portal.uploads import file_response

from .. import selectors, services
from ..forms import (
    ApplicationFilterForm,
    ApplicationForm,
    ImportForm,
    MonthRangeForm,
    RejectForm,
    SettlementFilterForm,
    month_label,
    parse_month,
)
from ..models import Settlement, VoucherApplication, VoucherBatch
from ..resources import (
    VOUCHER_APPLICATIONS,
    ApplicationImportResource,
    count_rows,
    import_applications,
    payment_file_xlsx,
)
from ..services import age_in_months
from .access import bureau_page, nav_context

PAGE_SIZE = 50
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _first_month():
    return settings.PILOT_START_DATE.replace(day=1)


def xlsx_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


# --- Batches ----------------------------------------------------------------------------------------


def _batch_phase(batch: VoucherBatch, today) -> tuple[str, str]:
    if today < batch.apply_from:
        return _("未开始"), "info"
    if today <= batch.apply_until:
        return _("申请中"), "ok"
    if today <= batch.valid_until:
        return _("使用中"), "ok"
    return _("已到期"), "muted"


@bureau_page
@require_GET
def batches(request):
    today = timezone.localdate()
    page = Paginator(selectors.batch_uptake().order_by("-apply_from", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for batch in page.object_list:
        batch.phase, batch.phase_badge = _batch_phase(batch, today)
        batch.used_percent = (
            round(batch.issued * 100 / batch.quantity_cap) if batch.quantity_cap else 0
        )
    return render(
        request,
        "vouchers/batches.html",
        {"page": page, "today": today, **nav_context(request, "batches")},
    )


# --- Applications -----------------------------------------------------------------------------------


@bureau_page
@require_GET
def applications(request):
    form = ApplicationFilterForm(request.GET or None)
    queryset = form.filter(
        scope(request.user, VoucherApplication).select_related(
            "batch", "child", "institution", "voucher"
        )
    ).order_by("-applied_on", "-pk")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    for application in page.object_list:
        application.age_months = age_in_months(application.child.birth_date, application.applied_on)
    return render(
        request,
        "vouchers/applications.html",
        {
            "form": form,
            "page": page,
            "reject_form": RejectForm(),
            **nav_context(request, "applications"),
        },
    )


@bureau_page
@require_GET
def application_detail(request, pk: int):
    application = get_scoped_or_404(
        request.user,
        VoucherApplication.objects.select_related(
            "batch", "child__guardian", "child__hukou_township", "institution", "voucher"
        ),
        pk=pk,
    )
    application.age_months = age_in_months(application.child.birth_date, application.applied_on)
    return render(
        request,
        "vouchers/application_detail.html",
        {
            "application": application,
            "reject_form": RejectForm(),
            **nav_context(request, "applications"),
        },
    )


@bureau_page
@require_GET
def application_proof(request, pk: int):
    """The proof a family sent with an online application, for the bureau's review."""
    application = get_scoped_or_404(
        request.user, VoucherApplication.objects.exclude(proof=""), pk=pk
    )
    return file_response(application.proof)


def _selected_ids(request) -> list[int]:
    return sorted({int(value) for value in request.POST.getlist("application") if value.isdigit()})


@bureau_page
def applications_decide(request):
    """Approve or reject one or many. Rejecting asks for a reason and then for confirmation."""
    if request.method != "POST":
        return redirect("vouchers:applications")
    fallback = reverse("vouchers:applications")
    target = safe_next(request, fallback)
    ids = _selected_ids(request)
    selected = list(
        scope(request.user, VoucherApplication)
        .filter(pk__in=ids)
        .select_related("batch", "child")
        .order_by("pk")
    )
    action = request.POST.get("action")
    if not selected:
        messages.error(request, _("请先勾选要审核的申请。"))
        return redirect(target)
    if action == "approve":
        done, errors = services.applications_decide_many(
            application_ids=[a.pk for a in selected], actor=request.user, approve=True
        )
        if done:
            messages.success(request, _("已通过%(count)s份申请，托育券已发放。") % {"count": done})
        for error in errors:
            messages.error(request, error)
        return redirect(target)
    if action != "reject":
        messages.error(request, _("未知的操作。"))
        return redirect(target)
    form = RejectForm(request.POST)
    if form.is_valid() and request.POST.get("confirmed") == "1":
        done, errors = services.applications_decide_many(
            application_ids=[a.pk for a in selected],
            actor=request.user,
            approve=False,
            reason=form.cleaned_data["reason"],
        )
        if done:
            messages.success(request, _("已将%(count)s份申请标记为未通过。") % {"count": done})
        for error in errors:
            messages.error(request, error)
        return redirect(target)
    # Not yet confirmed, or no reason: the confirmation page, with the reason to fill in.
    return render(
        request,
        "vouchers/reject_confirm.html",
        {
            "selected": selected,
            "form": form,
            "next": target,
            "show_errors": request.POST.get("confirmed") == "1" or "reason" in request.POST,
            **nav_context(request, "applications"),
        },
    )


def application_entry(request, *, institution=None, template: str, nav: dict):
    """The entry form, for bureau staff (source bureau) and operators (on a family's behalf)."""
    form = ApplicationForm(request.POST or None, allow_date=institution is None)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_enter(
                **form.service_kwargs(),
                source=(
                    VoucherApplication.Source.OPERATOR
                    if institution
                    else VoucherApplication.Source.BUREAU
                ),
                institution=institution,
                actor=request.user,
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            notes = "；".join(application.eligibility_notes)
            if application.eligible:
                messages.success(request, _("申请已登记，等待审核：%(notes)s") % {"notes": notes})
            else:
                messages.warning(
                    request, _("申请已登记，但不符合条件：%(notes)s") % {"notes": notes}
                )
            if institution is not None:
                return redirect("vouchers:institution_application_add", pk=institution.pk)
            return redirect("vouchers:application_detail", pk=application.pk)
    return render(request, template, {"form": form, **nav})


@bureau_page
def application_add(request):
    return application_entry(
        request,
        template="vouchers/application_form.html",
        nav=nav_context(request, "application_add"),
    )


@bureau_page
def application_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        batch = form.cleaned_data["batch"]
        data = form.cleaned_data["file"].read()
        rows = count_rows(data)
        if rows is not None and rows >= settings.IMPORT_BACKGROUND_ROWS:
            # A long list is imported by a Celery task while the clerk watches its progress.
            job = import_jobs.queue_import(
                model_label=VOUCHER_APPLICATIONS,
                user=request.user,
                data=data,
                file_name=form.cleaned_data["file"].name,
                options={"batch": batch.pk},
            )
            return redirect("vouchers:application_import_job", pk=job.pk)
        try:
            result = import_applications(data, batch=batch, actor=request.user)
        except ValueError as error:
            errors = [str(error)]
        else:
            if result.has_errors() or result.has_validation_errors():
                errors = ApplicationImportResource().error_messages(result)
            else:
                created = [row for row in result.rows if row.object_id]
                messages.success(
                    request,
                    _("已导入%(count)s份申请到“%(batch)s”，请逐一审核。")
                    % {"count": len(created), "batch": batch.name},
                )
                return redirect(
                    f"{reverse('vouchers:applications')}?batch={batch.pk}&state=pending"
                )
    return render(
        request,
        "vouchers/application_import.html",
        {"form": form, "errors": errors, **nav_context(request, "import")},
    )


def _import_job(request, pk: int) -> ImportJob:
    return get_object_or_404(
        ImportJob,
        pk=pk,
        model_label=VOUCHER_APPLICATIONS,
        created_by=request.user,
    )


@bureau_page
@require_GET
def application_import_job(request, pk: int):
    """A long application list being imported: a progress bar, then the result."""
    job = _import_job(request, pk)
    batch = VoucherBatch.objects.filter(pk=job.options.get("batch")).first()
    return render(
        request,
        "vouchers/application_import_job.html",
        {
            "job": job,
            "state": import_jobs.job_state(job),
            "batch": batch,
            "created": job.totals.get("new", 0),
            **nav_context(request, "import"),
        },
    )


@bureau_page
@require_GET
def application_import_job_state(request, pk: int):
    return JsonResponse(import_jobs.job_state(_import_job(request, pk)))


@bureau_page
@require_GET
def application_import_template(request):
    return xlsx_response(ApplicationImportResource.template_xlsx(), "托育券申请名单导入模板.xlsx")


# --- Redemptions and anomalies ------------------------------------------------------------------------


@bureau_page
@require_GET
def redemption_report(request):
    form = MonthRangeForm(request.GET or None, first=_first_month())
    month_from, month_to, name = form.range()
    rows = selectors.redemptions_by_institution_month(
        month_from=month_from, month_to=month_to, name=name
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    totals = selectors.redemption_totals(month_from=month_from, month_to=month_to, name=name)
    return render(
        request,
        "vouchers/redemption_report.html",
        {
            "form": form,
            "page": page,
            "totals": totals,
            "month_from": month_from,
            "month_to": month_to,
            "states": dict(Settlement.State.choices),
            **nav_context(request, "redemptions"),
        },
    )


@bureau_page
@require_GET
def anomalies(request):
    form = MonthRangeForm(request.GET or None, first=_first_month(), default_months=12)
    month_from, month_to, name = form.range()
    today = timezone.localdate()
    rows = selectors.anomalies(month_from=month_from, month_to=month_to, as_of=today, name=name)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    report_states = dict(MonthlyReport.State.choices)
    for row in page.object_list:
        row["kind"] = selectors.anomaly_kind(row)
        row["report_state_label"] = report_states.get(row["report_state"], _("未报送"))
    return render(
        request,
        "vouchers/anomalies.html",
        {
            "form": form,
            "page": page,
            "month_from": month_from,
            "month_to": month_to,
            "last_due": selectors.last_due_month(today),
            **nav_context(request, "anomalies"),
        },
    )


# --- Settlements ------------------------------------------------------------------------------------


@bureau_page
@require_GET
def settlements(request):
    form = SettlementFilterForm(request.GET or None, first=_first_month())
    queryset = scope(request.user, Settlement).select_related("institution")
    month = None
    if form.is_valid():
        month = parse_month(form.cleaned_data["month"])
        if month:
            queryset = queryset.filter(month=month)
        if form.cleaned_data["state"]:
            queryset = queryset.filter(state=form.cleaned_data["state"])
    page = Paginator(queryset.order_by("-month", "institution__name", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "vouchers/settlements.html",
        {
            "form": form,
            "page": page,
            "month": month,
            "month_label": month_label(month) if month else "",
            **nav_context(request, "settlements"),
        },
    )


@bureau_page
@require_GET
def payment_file(request):
    month = parse_month(request.GET.get("month", ""))
    if month is None:
        messages.error(request, _("请先选择费用月份，再下载支付文件。"))
        return redirect("vouchers:settlements")
    approved = scope(request.user, Settlement).filter(month=month, state=Settlement.State.APPROVED)
    return xlsx_response(
        payment_file_xlsx(approved, month=month), f"托育券结算支付文件-{month:%Y-%m}.xlsx"
    )
