"""seed_demo's inspections: a year of them with findings in every state, a published draw that
re-runs from its seed, a few incidents and today's draft for the demo inspector."""

import pytest
from django.db.models import Count, F
from django.utils import timezone

from inspections import services
from inspections.models import Finding, Incident, Inspection, InspectionKind, RandomDraw
from lequing_tuoyu import demo

pytestmark = pytest.mark.django_db


def test_demo_inspections():
    result = demo.seed(scale="demo", seed=2025)
    assert result.inspections > 300
    kinds = set(Inspection.objects.values_list("kind", flat=True))
    assert kinds == set(InspectionKind.values)
    states = set(Finding.objects.values_list("state", flat=True))
    assert states == set(Finding.State.values)
    today = timezone.localdate()
    assert Finding.objects.filter(state__in=Finding.OPEN_STATES, deadline__lt=today).exists()
    assert Finding.objects.filter(state="closed", closed_on__gt=F("deadline")).exists()  # late
    assert Finding.objects.filter(state="closed", closed_on__lte=F("deadline")).exists()
    outcomes = dict(Inspection.objects.values_list("outcome").annotate(n=Count("pk")))
    assert outcomes["pass"] and outcomes["rectify"] and outcomes["fail"]
    draw = RandomDraw.objects.get()
    assert draw.is_published and services.draw_reproduces(draw)
    assert Inspection.objects.filter(draw_assignment__draw=draw, state="completed").count() == (
        draw.sample_size
    )
    harm = Incident.objects.get(kind=Incident.Kind.SUSPECTED_HARM)
    assert harm.escalated_at and harm.follow_ups.exists()
    draft = Inspection.objects.get(state="draft")
    assert draft.inspectors.filter(username="inspector").exists()
    assert draft.institution.operators.filter(username="operator1").exists()
    assert draft.results.exclude(result="").exists() and draft.results.filter(result="").exists()
