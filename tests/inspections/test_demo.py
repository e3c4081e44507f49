"""seed_demo's inspections: a year of them with findings in every state, a published draw that
re-runs from its seed, a few incidents and today's draft for the demo inspector."""

import datetime as dt

import pytest
import time_machine
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


@pytest.mark.parametrize("day", ["2026-11-29", "2027-01-01", "2027-06-30"])
def test_demo_findings_in_every_state_whatever_the_day(day):
    """The demo is seeded relative to today; on 2026-11-29 no finding rolled "submitted" and CI
    failed. Each state must be there on any day (a year of days passed when this was written)."""
    with time_machine.travel(dt.datetime.fromisoformat(day + "T09:00+08:00"), tick=True):
        demo.seed(scale="demo", seed=2025, with_indicators=False)
        states = set(Finding.objects.values_list("state", flat=True))
    assert states == set(Finding.State.values)
