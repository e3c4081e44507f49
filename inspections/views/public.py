"""The public results page (一公开): no login, public fields only."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from ..forms import PublicResultsFilterForm
from ..selectors import (
    institutions_with_public_results,
    public_results_for,
    published_draws,
)
from .common import (
    PUBLIC_DRAWS,
    PUBLIC_PAGE_SIZE,
)


@require_GET
def public_results(request):
    """Spot-check and annual inspection results per institution, and the published draws with
    their seeds. No personal data: no inspector or staff names, no ID numbers, no phones."""
    today = timezone.localdate()
    form = PublicResultsFilterForm(request.GET or None)
    township_id, query = None, ""
    if form.is_valid():
        township_id = form.cleaned_data["township"].pk if form.cleaned_data["township"] else None
        query = (form.cleaned_data["q"] or "").strip()
    institutions = institutions_with_public_results(township_id=township_id, q=query)
    listing = Paginator(institutions, PUBLIC_PAGE_SIZE).get_page(request.GET.get("page"))
    listing.object_list = list(listing.object_list)
    results = public_results_for([i.pk for i in listing.object_list], today=today)
    for institution in listing.object_list:
        institution.public_results = results.get(institution.pk, [])
    return render(
        request,
        "inspections/public_results.html",
        {
            "form": form,
            "page": listing,
            "draws": published_draws(limit=PUBLIC_DRAWS) if listing.number == 1 else [],
            "today": today,
            "filtered": bool(township_id or query),
        },
    )


@require_GET
def public_draw_json(request, pk: int):
    """A published draw as JSON: everything needed to re-run it, inspectors as numbers."""
    draws = published_draws(draw_ids=[pk], limit=None)
    if not draws:
        raise Http404
    response = JsonResponse(draws[0].as_json(), json_dumps_params={"ensure_ascii": False})
    response["Content-Disposition"] = f'inline; filename="draw-{pk}.json"'
    return response
