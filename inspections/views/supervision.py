"""Supervision pages for city-wide roles: coverage of routine inspections and the random draws."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from institutions.models import Institution
from portal.pages import (
    add_service_error,
    bureau_acts,
    portal_page,
    require_bureau_actor,
    require_city_wide,
)
from portal.roles import (
    can_write,
    get_scoped_or_404,
    is_bureau,
    scope,
)

from .. import selectors, services
from ..forms import (
    CoverageForm,
    DrawForm,
    user_label,
)
from ..models import (
    DrawAssignment,
    InspectionKind,
    RandomDraw,
)
from ..selectors import (
    ROUTINE_KINDS,
    CoveragePeriods,
    coverage_by_instructor,
    coverage_by_township,
    coverage_total,
    still_needed,
)
from .common import (
    BUREAU_ONLY,
    CITY_WIDE_ONLY,
    PAGE_SIZE,
)


@portal_page
@require_GET
def coverage(request):
    """Which counted institutions still need their patrol (month), guidance (quarter) and annual
    inspection (year), by township and by health instructor."""
    require_city_wide(request, CITY_WIDE_ONLY)
    today = timezone.localdate()
    form = CoverageForm(request.GET or None, initial={"month": today.replace(day=1)})
    day = today
    township = kind = None
    if form.is_bound and form.is_valid():
        day = form.cleaned_data["month"]
        township = form.cleaned_data["township"]
        kind = form.cleaned_data["kind"] or None
    periods = CoveragePeriods(day)
    townships = coverage_by_township(periods)
    # Townships without a counted institution have no data: named in one line, not 4 empty rows.
    by_township = [row for row in townships if row.counted]
    empty_townships = [row.key.name for row in townships if not row.counted]
    by_instructor = coverage_by_instructor(periods)
    missing = still_needed(periods, kind=kind, township_id=township.pk if township else None).only(
        "pk", "name", "township__name", "township__sort_order"
    )
    listing = Paginator(missing, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "inspections/coverage.html",
        {
            "form": form,
            "periods": periods,
            "bounds": [(k, InspectionKind(k).label, *periods.bounds(k)) for k in ROUTINE_KINDS],
            "by_township": by_township,
            "by_instructor": by_instructor,
            "total": coverage_total(by_township),
            "empty_townships": empty_townships,
            "page": listing,
            "kind_labels": [InspectionKind(k).label for k in ROUTINE_KINDS],
            "tab": "coverage",
        },
    )


@portal_page
@require_GET
def draw_list(request):
    require_city_wide(request, CITY_WIDE_ONLY)
    draws = scope(request.user, RandomDraw.objects.select_related("created_by")).order_by(
        "-drawn_on", "-pk"
    )
    listing = Paginator(draws, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "inspections/draw_list.html",
        {
            "page": listing,
            "can_draw": bureau_acts(request.user),
            "tab": "draws",
        },
    )


@portal_page
@require_http_methods(["GET", "POST"])
def draw_new(request):
    require_bureau_actor(request, BUREAU_ONLY)
    form = DrawForm(request.POST or None, initial={"drawn_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        inspectors = list(data["inspectors"])
        try:
            draw = services.draw_perform(
                actor=request.user,
                title=data["title"],
                drawn_on=data["drawn_on"],
                sample_size=data["sample_size"],
                share=data["share"] / 100 if data["share"] and not data["sample_size"] else None,
                inspectors_per_institution=data["inspectors_per_institution"],
                township_ids=[t.pk for t in data["townships"]],
                kinds=data["kinds"],
                risky_only=data["risky_only"],
                risk_weighted=data["risk_weighted"],
                inspector_ids=[u.pk for u in inspectors] if inspectors else None,
                seed=data["seed"],
                note=data["note"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("抽取完成，随机种子 %(seed)s。") % {"seed": draw.seed})
            return redirect("inspections:draw_detail", pk=draw.pk)
    return render(request, "inspections/draw_new.html", {"form": form, "tab": "draws"})


@portal_page
@require_http_methods(["GET", "POST"])
def draw_detail(request, pk: int):
    require_city_wide(request, CITY_WIDE_ONLY)
    draw = get_scoped_or_404(request.user, selectors.draws_with_assignments(), pk=pk)
    if request.method == "POST":
        if request.POST.get("action") == "publish":
            require_bureau_actor(request, BUREAU_ONLY)
            services.draw_publish(draw=draw, actor=request.user)
            messages.success(request, _("已公示。"))
        return redirect("inspections:draw_detail", pk=draw.pk)
    assignments = list(draw.assignments.all())
    pool_ids = [int(pk) for pk, _weight in draw.institution_pool]
    names = dict(Institution.objects.filter(pk__in=pool_ids).values_list("pk", "name"))
    weights = dict((int(pk), int(weight)) for pk, weight in draw.institution_pool)
    drawn_ids = {a.institution_id for a in assignments}
    user = request.user
    for assignment in assignments:
        assignment.inspector_names = [user_label(u) for u in assignment.inspectors.all()]
        started = getattr(assignment, "inspection", None)
        assignment.started = started
        assignment.can_start = (
            started is None
            and can_write(user)
            and (is_bureau(user) or any(u.pk == user.pk for u in assignment.inspectors.all()))
        )
    return render(
        request,
        "inspections/draw_detail.html",
        {
            "draw": draw,
            "assignments": assignments,
            "pool": [
                {
                    "id": pk,
                    "name": names.get(pk, ""),
                    "weight": weights[pk],
                    "drawn": pk in drawn_ids,
                }
                for pk in pool_ids
            ],
            "reproduces": services.draw_reproduces(draw),
            "can_publish": bureau_acts(user) and not draw.is_published,
            "tab": "draws",
        },
    )


@portal_page
@require_POST
def draw_start(request, pk: int, assignment_pk: int):
    require_city_wide(request, CITY_WIDE_ONLY)
    assignment = get_scoped_or_404(
        request.user,
        DrawAssignment.objects.select_related("institution"),
        pk=assignment_pk,
        draw_id=pk,
    )
    try:
        inspection = services.spot_check_start(assignment=assignment, actor=request.user)
    except services.NotAllowed as error:
        raise PermissionDenied(" ".join(error.messages)) from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("inspections:draw_detail", pk=pk)
    return redirect("inspections:inspection_form", pk=inspection.pk)
