"""Training pages (/peixun/): the courses a user may see, a course's attendance, entering it one
person at a time or from a sign-in sheet (the bureau for every course, a provider's users for
their own provider's), and operators' staff's training hours per calendar year."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.pages import add_service_error, portal_page
from portal.roles import get_scoped_or_404, sees_every_institution
from portal.spreadsheets.formats import SpreadsheetFileError

from . import selectors, services
from .forms import AttendanceForm, SignInSheetForm
from .models import TrainingAttendance, TrainingCourse
from .resources import TrainingAttendanceResource, import_attendance

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

PAGE_SIZE = 50


def _require_reader(request) -> None:
    if not selectors.reads_training(request.user):
        raise PermissionDenied(_("只有卫健局、培训机构和托育机构的用户可以查看培训。"))


def _course(request, pk: int) -> TrainingCourse:
    _require_reader(request)
    return get_scoped_or_404(request.user, selectors.courses_for(request.user), pk=pk)


def _require_entry(request, course: TrainingCourse) -> None:
    if not selectors.enters_attendance(request.user, course):
        raise PermissionDenied(_("只有卫健局和该课程培训机构的用户可以登记参训记录。"))


def _year(request) -> int:
    """The year asked for; the current year when none or one out of range (the API says 400)."""
    try:
        return selectors.parse_year(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year


@portal_page
@require_http_methods(["GET"])
def courses(request):
    """/peixun/: the courses the user may see, newest first."""
    _require_reader(request)
    listing = selectors.courses_with_counts(request.user)
    page = Paginator(listing, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "training/courses.html",
        {"page": page, "shows_hours": selectors.reads_staff_hours(request.user)},
    )


@portal_page
@require_http_methods(["GET"])
def course(request, pk: int):
    """/peixun/<pk>/: a course and its attendance (operators: their own staff's)."""
    obj = _course(request, pk)
    rows = selectors.course_attendance(request.user, obj)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "training/course.html",
        {
            "course": obj,
            "page": page,
            "may_enter": selectors.enters_attendance(request.user, obj),
        },
    )


def _attendance_form(request, obj: TrainingCourse, attendance: TrainingAttendance):
    form = AttendanceForm(request.POST or None, instance=attendance, course=obj)
    if request.method == "POST" and form.is_valid():
        try:
            services.attendance_save(attendance=form.instance, actor=request.user)
        except ValidationError as error:
            add_service_error(form, error, model=TrainingAttendance)
        else:
            messages.success(
                request,
                _("已保存%(name)s的参训记录。") % {"name": form.instance.staff.name},
            )
            return redirect("training:course", pk=obj.pk)
    return render(
        request,
        "training/attendance_form.html",
        {"course": obj, "form": form, "attendance": attendance},
        status=400 if form.errors else 200,
    )


@portal_page
@require_http_methods(["GET", "POST"])
def attendance_add(request, pk: int):
    """/peixun/<pk>/canxun/: one person's attendance of the course."""
    obj = _course(request, pk)
    _require_entry(request, obj)
    return _attendance_form(request, obj, TrainingAttendance(course=obj))


def _attendance(request, pk: int) -> TrainingAttendance:
    _require_reader(request)
    attendance = get_scoped_or_404(
        request.user,
        TrainingAttendance.objects.select_related("course", "staff__institution"),
        pk=pk,
    )
    _require_entry(request, attendance.course)
    return attendance


@portal_page
@require_http_methods(["GET", "POST"])
def attendance_edit(request, pk: int):
    """/peixun/canxun/<pk>/: change one person's hours, completion or award."""
    attendance = _attendance(request, pk)
    return _attendance_form(request, attendance.course, attendance)


@portal_page
@require_http_methods(["GET", "POST"])
def attendance_delete(request, pk: int):
    """/peixun/canxun/<pk>/shanchu/: asks first; deletes on the confirming POST."""
    attendance = _attendance(request, pk)
    if request.method == "POST":
        course_pk, name = attendance.course_id, attendance.staff.name
        services.record_delete(record=attendance, actor=request.user)
        messages.success(request, _("已删除%(name)s的参训记录。") % {"name": name})
        return redirect("training:course", pk=course_pk)
    return render(request, "training/attendance_delete.html", {"attendance": attendance})


@portal_page
@require_http_methods(["GET", "POST"])
def sign_in_import(request, pk: int):
    """/peixun/<pk>/daoru/: a sign-in sheet for this course, all or nothing (the admin's rules)."""
    obj = _course(request, pk)
    _require_entry(request, obj)
    form = SignInSheetForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        try:
            result = import_attendance(
                data,
                form.format,
                actor=request.user,
                courses=TrainingCourse.objects.filter(pk=obj.pk),
            )
        except (SpreadsheetFileError, ValueError) as error:
            errors = [str(error)]
        else:
            if result.has_errors() or result.has_validation_errors():
                errors = result.messages
            else:
                messages.success(
                    request,
                    _("已导入%(count)s条参训记录。")
                    % {"count": result.totals.get("new", 0) + result.totals.get("update", 0)},
                )
                return redirect("training:course", pk=obj.pk)
    return render(
        request,
        "training/import.html",
        {
            "course": obj,
            "form": form,
            "errors": errors,
            "max_size": filesizeformat(settings.IMPORT_MAX_BYTES),
            "max_rows": settings.IMPORT_MAX_ROWS,
        },
        status=400 if errors or form.errors else 200,
    )


@portal_page
@require_http_methods(["GET"])
def sign_in_template(request, pk: int):
    """/peixun/<pk>/daoru/moban/: the empty sign-in sheet (the admin's template, headers with help
    on each column) for whoever may import this course's sheet: the bureau and its provider's
    users (the admin's template is the bureau's only)."""
    obj = _course(request, pk)
    _require_entry(request, obj)
    response = HttpResponse(
        TrainingAttendanceResource.template_xlsx(), content_type=XLSX_CONTENT_TYPE
    )
    filename = _("%(name)s导入模板.xlsx") % {"name": TrainingAttendance._meta.verbose_name}
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@portal_page
@require_http_methods(["GET"])
def staff_hours(request):
    """/peixun/xueshi/: each staff member's training hours in a calendar year (operators: their
    own institutions' staff; city-wide roles: everyone's)."""
    if not selectors.reads_staff_hours(request.user):
        raise PermissionDenied(_("只有卫健局和托育机构的用户可以查看从业人员的培训学时。"))
    year = _year(request)
    staff = selectors.staff_employed_in(request.user, year)
    page = Paginator(staff, PAGE_SIZE).get_page(request.GET.get("page"))
    hours = selectors.training_hours([member.pk for member in page.object_list], year)
    rows = [(member, hours.get(member.pk, 0)) for member in page.object_list]
    today = timezone.localdate()
    return render(
        request,
        "training/staff_hours.html",
        {
            "page": page,
            "rows": rows,
            "year": year,
            "years": list(range(today.year, today.year - 5, -1)),
            "city_wide": sees_every_institution(request.user),
        },
    )
