"""Operator pages of the registry (login, scoped) and the public disclosure page (信息公示).

Every object an operator page shows is looked up through `roles.get_scoped_or_404`, so another
institution's record is a 404 whatever the URL. Writes go through `services.py` only.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.views import LoginView, LogoutView
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import BooleanField, ExpressionWrapper, F, Min, Q
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods

from portal.pages import add_service_error, bureau_acts, is_operator, portal_page
from portal.roles import Role, get_scoped_or_404, has_role, scope
from portal.validators import phone_kind

from . import services
from .disclosure import public_results_for, voucher_acceptance_for
from .forms import (
    CertificateForm,
    PublicFilterForm,
    StaffEditForm,
    StaffForm,
    StaffLeaveForm,
    service_fields,
)
from .models import Certificate, ClassType, Institution, StaffMember
from .recognitions import demonstrations_on
from .reports.selectors import with_latest_accepted_report
from .selectors import PLACE_FIELDS, certificate_valid_on, institutions_as_of, staff_flags
from .training.selectors import training_hours

# Certificates expiring within this many days are flagged on the staff pages.
EXPIRY_WARNING_DAYS = 60
PUBLIC_PAGE_SIZE = 30
INSTITUTIONS_PAGE_SIZE = 50


# --- Sign-in -------------------------------------------------------------------------------------


class PortalLoginView(LoginView):
    template_name = "institutions/login.html"
    redirect_authenticated_user = True
    # No next_page: settings.LOGIN_REDIRECT_URL sends each role to its own home.

    def get_context_data(self, **kwargs):
        # The page says how many wrong passwords lock the account, and for how long.
        return super().get_context_data(
            failure_limit=settings.AXES_FAILURE_LIMIT,
            cooloff_hours=settings.AXES_COOLOFF_TIME,
            **kwargs,
        )


class PortalLogoutView(LogoutView):
    # Django's LogoutView only accepts POST, so a link or a prefetch cannot sign anyone out.
    next_page = reverse_lazy("institutions:public_list")


# --- Helpers -------------------------------------------------------------------------------------


def can_edit_registry_pages(user) -> bool:
    """Operators (for their own institutions, by scoping) and bureau staff write here.

    Read-only roles (auditors, education staff) never do; inspectors write inspections, not the
    registry, so they read here too.
    """
    return bureau_acts(user) or is_operator(user)


def _require_editor(request) -> None:
    if not can_edit_registry_pages(request.user):
        raise PermissionDenied(_("您的账号只能查看，不能修改。"))


def _institution(request, pk: int) -> Institution:
    return get_scoped_or_404(request.user, Institution.objects.select_related("township"), pk=pk)


def _staff(request, pk: int, staff_pk: int) -> StaffMember:
    return get_scoped_or_404(
        request.user,
        StaffMember.objects.select_related("institution__township"),
        pk=staff_pk,
        institution_id=pk,
    )


def _certificate(request, pk: int, staff_pk: int, certificate_pk: int) -> Certificate:
    return get_scoped_or_404(
        request.user,
        Certificate.objects.select_related("staff__institution__township"),
        pk=certificate_pk,
        staff_id=staff_pk,
        staff__institution_id=pk,
    )


def _mark_current_dated(records: list, today: dt.date) -> list:
    """Flag the record in force today (the latest effective on or before today) and future ones.

    `records` are ordered newest first, as the models' Meta.ordering has them.
    """
    current_found = False
    for record in records:
        record.is_future = record.effective_from > today
        record.is_current = not record.is_future and not current_found
        current_found = current_found or record.is_current
    return records


def _mark_current_period(records: list, today: dt.date) -> list:
    for record in records:
        record.is_future = record.valid_from > today
        record.is_current = not record.is_future and (
            record.valid_to is None or record.valid_to >= today
        )
    return records


def write_page(view):
    """A page that writes on POST. Each such view looks its object up (scoped: 404) before it
    checks `_require_editor` (403), so an operator probing another institution learns nothing."""
    return portal_page(require_http_methods(["GET", "POST"])(view))


# --- Operator pages: institutions ----------------------------------------------------------------


@portal_page
@require_GET
def my_institutions(request):
    institutions = scope(request.user, Institution.objects.select_related("township")).order_by(
        "township__sort_order", "name", "pk"
    )
    query = request.GET.get("q", "").strip()
    if query:
        institutions = institutions.filter(name__icontains=query)
    page = Paginator(institutions, INSTITUTIONS_PAGE_SIZE).get_page(request.GET.get("page"))
    # An operator of exactly one institution has nothing to choose from.
    if not query and page.paginator.count == 1 and has_role(request.user, Role.OPERATOR):
        return redirect("institutions:institution_detail", pk=page.object_list[0].pk)
    return render(
        request,
        "institutions/my_institutions.html",
        {"page": page, "query": query, "today": timezone.localdate()},
    )


@portal_page
@require_GET
def institution_detail(request, pk: int):
    today = timezone.localdate()
    institution = get_scoped_or_404(
        request.user,
        institutions_as_of(today, Institution.objects.select_related("township", "community")),
        pk=pk,
    )
    instructor = None
    if institution.instructor_user_id:
        instructor = get_user_model().objects.filter(pk=institution.instructor_user_id).first()
    places = [
        (label, getattr(institution, f"places_{value}"))
        for value, label in ClassType.choices
        if value in PLACE_FIELDS
    ]
    records = {
        "approved_places": _mark_current_dated(list(institution.approved_places.all()), today),
        "fee_standards": _mark_current_dated(list(institution.fee_standards.all()), today),
        "star_ratings": _mark_current_dated(list(institution.star_ratings.all()), today),
        "instructor_assignments": _mark_current_dated(
            list(institution.instructor_assignments.select_related("instructor")), today
        ),
        "inclusive_recognitions": _mark_current_period(
            list(institution.inclusive_recognitions.all()), today
        ),
        "care_contracts": _mark_current_period(list(institution.care_contracts.all()), today),
        "demonstration_units": _mark_current_period(
            list(institution.demonstration_units.all()), today
        ),
    }
    current_contract = next((c for c in records["care_contracts"] if c.is_current), None)
    current_recognition = next((r for r in records["inclusive_recognitions"] if r.is_current), None)
    return render(
        request,
        "institutions/institution_detail.html",
        {
            "institution": institution,
            "today": today,
            "places": places,
            "instructor": instructor,
            "records": records,
            "current_contract": current_contract,
            "current_recognition": current_recognition,
            "current_demonstrations": [r for r in records["demonstration_units"] if r.is_current],
            "can_edit": can_edit_registry_pages(request.user),
            "tab": "record",
        },
    )


# --- Operator pages: staff -----------------------------------------------------------------------


@portal_page
@require_GET
def staff_list(request, pk: int):
    today = timezone.localdate()
    institution = _institution(request, pk)
    soon = today + dt.timedelta(days=EXPIRY_WARNING_DAYS)
    staff = (
        staff_flags(
            scope(request.user, StaffMember).filter(institution=institution),
            today=today,
            warn_days=EXPIRY_WARNING_DAYS,
        )
        .annotate(
            # The first of the expiring certificates, to say when action is due.
            next_expiry=Min(
                "certificates__expires_on",
                filter=Q(
                    certificates__issued_on__lte=today,
                    certificates__expires_on__gte=today,
                    certificates__expires_on__lte=soon,
                ),
            )
        )
        .order_by("name", "pk")
    )
    rows = list(staff)
    hours = training_hours([member.pk for member in rows], today.year)  # one query
    for member in rows:
        member.training_hours = hours.get(member.pk, 0)
    employed = [member for member in rows if member.is_employed]
    others = [member for member in rows if not member.is_employed]
    summary = {
        "employed": len(employed),
        "care": sum(1 for member in employed if member.is_care_role),
        "unqualified": sum(1 for member in employed if member.lacks_qualification),
        "expiring": sum(1 for member in employed if member.expiring_certificates),
    }
    return render(
        request,
        "institutions/staff_list.html",
        {
            "institution": institution,
            "employed": employed,
            "others": others,
            "summary": summary,
            "today": today,
            "warn_days": EXPIRY_WARNING_DAYS,
            "can_edit": can_edit_registry_pages(request.user),
            "tab": "staff",
        },
    )


@portal_page
@require_GET
def staff_detail(request, pk: int, staff_pk: int):
    today = timezone.localdate()
    soon = today + dt.timedelta(days=EXPIRY_WARNING_DAYS)
    member = get_scoped_or_404(
        request.user,
        staff_flags(
            StaffMember.objects.select_related("institution__township"),
            today=today,
            warn_days=EXPIRY_WARNING_DAYS,
        ),
        pk=staff_pk,
        institution_id=pk,
    )
    member.training_hours = training_hours([member.pk], today.year).get(member.pk, 0)
    certificates = list(
        member.certificates.annotate(
            is_valid=ExpressionWrapper(certificate_valid_on(today), output_field=BooleanField())
        ).order_by("-issued_on", "pk")
    )
    for certificate in certificates:
        certificate.is_future = certificate.issued_on > today
        certificate.expires_soon = bool(
            certificate.is_valid and certificate.expires_on and certificate.expires_on <= soon
        )
    return render(
        request,
        "institutions/staff_detail.html",
        {
            "institution": member.institution,
            "member": member,
            "certificates": certificates,
            "today": today,
            "warn_days": EXPIRY_WARNING_DAYS,
            "can_edit": can_edit_registry_pages(request.user),
            "tab": "staff",
        },
    )


@write_page
def staff_add(request, pk: int):
    institution = _institution(request, pk)
    _require_editor(request)
    form = StaffForm(request.POST or None, instance=StaffMember(institution=institution))
    if request.method == "POST" and form.is_valid():
        try:
            member = services.staff_hire(
                institution=institution, actor=request.user, **service_fields(form)
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("已添加从业人员“%(name)s”。") % {"name": member.name})
            return redirect("institutions:staff_detail", pk=institution.pk, staff_pk=member.pk)
    return render(
        request,
        "institutions/staff_form.html",
        {"institution": institution, "form": form, "member": None, "tab": "staff"},
    )


@write_page
def staff_edit(request, pk: int, staff_pk: int):
    member = _staff(request, pk, staff_pk)
    _require_editor(request)
    form = StaffEditForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_update(staff=member, actor=request.user, **service_fields(form))
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("已保存从业人员“%(name)s”的信息。") % {"name": member.name})
            return redirect("institutions:staff_detail", pk=pk, staff_pk=member.pk)
    return render(
        request,
        "institutions/staff_form.html",
        {"institution": member.institution, "form": form, "member": member, "tab": "staff"},
    )


@write_page
def staff_leave(request, pk: int, staff_pk: int):
    member = _staff(request, pk, staff_pk)
    _require_editor(request)
    form = StaffLeaveForm(
        request.POST or None,
        staff=member,
        initial={"left_on": member.left_on or timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_leave(
                staff=member, left_on=form.cleaned_data["left_on"], actor=request.user
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("已将“%(name)s”标记为离职，离职日期 %(date)s。")
                % {"name": member.name, "date": member.left_on.isoformat()},
            )
            return redirect("institutions:staff_list", pk=pk)
    return render(
        request,
        "institutions/staff_leave.html",
        {"institution": member.institution, "member": member, "form": form, "tab": "staff"},
    )


# --- Operator pages: certificates ----------------------------------------------------------------


@write_page
def certificate_add(request, pk: int, staff_pk: int):
    member = _staff(request, pk, staff_pk)
    _require_editor(request)
    form = CertificateForm(request.POST or None, instance=Certificate(staff=member))
    if request.method == "POST" and form.is_valid():
        try:
            certificate = services.certificate_save(certificate=form.instance, actor=request.user)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("已为“%(name)s”添加证书：%(certificate)s。")
                % {"name": member.name, "certificate": certificate.get_kind_display()},
            )
            return redirect("institutions:staff_detail", pk=pk, staff_pk=member.pk)
    return render(
        request,
        "institutions/certificate_form.html",
        {
            "institution": member.institution,
            "member": member,
            "form": form,
            "certificate": None,
            "tab": "staff",
        },
    )


@write_page
def certificate_edit(request, pk: int, staff_pk: int, certificate_pk: int):
    certificate = _certificate(request, pk, staff_pk, certificate_pk)
    _require_editor(request)
    member = certificate.staff
    form = CertificateForm(request.POST or None, instance=certificate)
    if request.method == "POST" and form.is_valid():
        try:
            services.certificate_save(certificate=form.instance, actor=request.user)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("已保存“%(name)s”的证书：%(certificate)s。")
                % {"name": member.name, "certificate": certificate.get_kind_display()},
            )
            return redirect("institutions:staff_detail", pk=pk, staff_pk=member.pk)
    return render(
        request,
        "institutions/certificate_form.html",
        {
            "institution": member.institution,
            "member": member,
            "form": form,
            "certificate": certificate,
            "tab": "staff",
        },
    )


@write_page
def certificate_delete(request, pk: int, staff_pk: int, certificate_pk: int):
    certificate = _certificate(request, pk, staff_pk, certificate_pk)
    _require_editor(request)
    member = certificate.staff
    if request.method == "POST":
        label = certificate.get_kind_display()
        services.record_delete(record=certificate, actor=request.user)
        messages.success(
            request,
            _("已删除“%(name)s”的证书：%(certificate)s。")
            % {"name": member.name, "certificate": label},
        )
        return redirect("institutions:staff_detail", pk=pk, staff_pk=member.pk)
    return render(
        request,
        "institutions/certificate_confirm_delete.html",
        {
            "institution": member.institution,
            "member": member,
            "certificate": certificate,
            "tab": "staff",
        },
    )


# --- Public disclosure page ----------------------------------------------------------------------

# The only institution fields the public page reads. Credit codes, filing numbers and operators
# are never loaded, so no template change can leak them; the contact phone is loaded and shown
# only when it is a landline (a mobile number is a person's).
# Class names without their age ranges, for the compact cards of the public page.
SHORT_CLASS_LABELS = {
    ClassType.INFANT: _lazy("乳儿班"),
    ClassType.TODDLER: _lazy("托小班"),
    ClassType.OLDER: _lazy("托大班"),
    ClassType.MIXED: _lazy("混龄班"),
}

PUBLIC_FIELDS = (
    "name",
    "kind",
    "ownership",
    "address",
    "filed_on",
    "closed_on",
    "panic_alarm_installed_on",
    "special_needs_care",
    "contact_phone",
    "township__name",
    "township__code",
    "township__sort_order",
)


PUBLIC_SORTS = {
    "": ("township__sort_order", "name", "pk"),
    "fee": (F("fee_full_day").asc(nulls_last=True), "name", "pk"),
    "fee_desc": (F("fee_full_day").desc(nulls_last=True), "name", "pk"),
    "places": ("-places_total", "name", "pk"),
}


def _public_phone(phone: str) -> str:
    """An institution's landline; a mobile number is a person's and is not published."""
    return phone if phone and phone_kind(phone) == "landline" else ""


def _free_places(institution) -> list[tuple[str, int, int | None]]:
    """(class, approved places, free places or None without an accepted report) by class."""
    rows = []
    for value, label in SHORT_CLASS_LABELS.items():
        approved = getattr(institution, f"places_{value}")
        if not approved:
            continue
        enrolled = getattr(institution, f"report_enrolled_{value}")
        free = None if institution.report_period is None else max(0, approved - (enrolled or 0))
        rows.append((label, approved, free))
    return rows


@require_GET
def public_list(request):
    today = timezone.localdate()
    form = PublicFilterForm(request.GET or None)
    institutions = with_latest_accepted_report(
        institutions_as_of(today, Institution.objects.select_related("township"))
        .filter(is_counted=True)
        .only(*PUBLIC_FIELDS)
    )
    sort = ""
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            institutions = institutions.filter(name__icontains=data["q"].strip())
        if data["township"]:
            institutions = institutions.filter(township=data["township"])
        if data["kind"]:
            institutions = institutions.filter(kind=data["kind"])
        if data["inclusive"]:
            institutions = institutions.filter(is_inclusive=data["inclusive"] == "yes")
        sort = data.get("sort") or ""
    institutions = institutions.order_by(*PUBLIC_SORTS[sort])
    page = Paginator(institutions, PUBLIC_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    # 一公开: each institution's published spot-check and annual inspection results (2 queries),
    # and whether it takes vouchers today (2 queries), from the apps above through the hooks
    # they register (see disclosure.py).
    ids = [i.pk for i in page.object_list]
    results = public_results_for(ids, today=today)
    taking_vouchers = voucher_acceptance_for(ids, today=today)
    demonstrations = demonstrations_on(ids, today)  # 1 query
    for institution in page.object_list:
        institution.demonstrations = demonstrations.get(institution.pk, [])
        institution.public_results = results.get(institution.pk, [])
        institution.places_by_class = _free_places(institution)
        institution.public_phone = _public_phone(institution.contact_phone)
        institution.takes_vouchers = institution.pk in taking_vouchers
    return render(
        request,
        "institutions/public_list.html",
        {
            "form": form,
            "page": page,
            "today": today,
            "filtered": any(request.GET.get(name) for name in form.fields),
            "staff_login_url": reverse("institutions:login"),
        },
    )
