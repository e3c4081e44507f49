"""The inspector's home: the routine visits their institutions (as health instructor) still need,
the spot checks drawn for them and the rectifications of their inspections to verify."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from inspections import services
from inspections.models import Finding, InspectionKind
from tests.factories import InstitutionFactory, InstructorAssignmentFactory
from tests.inspections.factories import make_inspection, png_upload

from .conftest import finding

pytestmark = pytest.mark.django_db
HOME = "/wode/"
PATROL, GUIDANCE, ANNUAL = InspectionKind.PATROL, InspectionKind.GUIDANCE, InspectionKind.ANNUAL


def page(client_as, user) -> str:
    response = client_as(user).get(HOME)
    assert response.status_code == 200
    return response.content.decode()


def block(html: str, name: str) -> str:
    start = html.index(f'id="home-{name}"')
    return (
        html[start : html.index('<div class="home-block"', start + 1)]
        if name != "spot-checks"
        else html[start:]
    )


def visits(html: str) -> set[tuple[int, str]]:
    import re

    return {
        (int(pk), kind)
        for kind, pk in re.findall(
            r'data-kind="(\w+)" data-institution="(\d+)"', block(html, "visits")
        )
    }


def test_routine_visits_still_needed_by_the_instructors_institutions(
    client_as, inspector, inspector2, today
):
    mine = InstitutionFactory(name="甲")
    done = InstitutionFactory(name="乙")
    someone_elses = InstitutionFactory(name="丙")
    for institution in (mine, done):
        InstructorAssignmentFactory(institution=institution, instructor=inspector)
    InstructorAssignmentFactory(institution=someone_elses, instructor=inspector2)
    # 乙 had its patrol this month and its guidance this quarter (April counts for Q2).
    make_inspection(
        institution=done, inspectors=[inspector], kind=PATROL, inspected_on=dt.date(2025, 6, 2)
    )
    make_inspection(
        institution=done, inspectors=[inspector], kind=GUIDANCE, inspected_on=dt.date(2025, 4, 8)
    )
    # 甲's patrol of last month does not count for June; a draft does not count either.
    make_inspection(
        institution=mine, inspectors=[inspector], kind=PATROL, inspected_on=dt.date(2025, 5, 30)
    )
    make_inspection(institution=mine, inspectors=[inspector], kind=GUIDANCE, complete=False)
    html = page(client_as, inspector)
    assert visits(html) == {
        (mine.pk, PATROL),
        (mine.pk, GUIDANCE),
        (mine.pk, ANNUAL),
        (done.pk, ANNUAL),
    }
    section = block(html, "visits")
    # The patrol and the guidance are due by 30 June (the month and the quarter end), the annual
    # inspection by 31 December; each links to the inspection form, filled in.
    assert section.count("本月到期") == 2
    assert "截止日期 2025-12-31" in section
    assert section.index(f'data-kind="patrol" data-institution="{mine.pk}"') < section.index(
        f'data-kind="annual" data-institution="{mine.pk}"'
    )
    start = reverse("inspections:inspection_new") + f"?institution={mine.pk}&amp;kind=patrol"
    assert start in section


def test_an_institution_assigned_to_another_instructor_since_is_not_listed(
    client_as, inspector, inspector2, today
):
    moved = InstitutionFactory(name="丁")
    InstructorAssignmentFactory(
        institution=moved, instructor=inspector, effective_from=dt.date(2024, 3, 1)
    )
    InstructorAssignmentFactory(
        institution=moved, instructor=inspector2, effective_from=dt.date(2025, 6, 1)
    )
    assert visits(page(client_as, inspector)) == set()
    assert {pk for pk, _kind in visits(page(client_as, inspector2))} == {moved.pk}


def test_rectifications_waiting_for_the_inspectors_verification(
    client_as, inspector, inspector2, institution_a, operator_a, today
):
    waiting = finding(institution_a, inspector, deadline=today + dt.timedelta(days=3))
    services.rectification_submit(
        finding=waiting, actor=operator_a, action_taken="已整改", files=[png_upload()]
    )
    not_answered = finding(institution_a, inspector, deadline=today + dt.timedelta(days=3))
    by_someone_else = finding(institution_a, inspector2, deadline=today + dt.timedelta(days=3))
    services.rectification_submit(
        finding=by_someone_else, actor=operator_a, action_taken="已整改", files=[png_upload()]
    )
    html = page(client_as, inspector)
    section = block(html, "verify")
    assert f'data-finding="{waiting.pk}"' in section
    assert reverse("inspections:finding_detail", args=[waiting.pk]) in section
    assert f'data-finding="{not_answered.pk}"' not in section
    assert f'data-finding="{by_someone_else.pk}"' not in section
    # Verified: off the list.
    services.rectification_review(finding=waiting, actor=inspector, accept=True)
    assert Finding.objects.get(pk=waiting.pk).state == Finding.State.CLOSED
    assert f'data-finding="{waiting.pk}"' not in block(page(client_as, inspector), "verify")


def test_spot_checks_drawn_for_the_inspector_until_completed(
    client_as, bureau, inspector, inspector2, inspector3, today
):
    from inspections.models import DrawAssignment

    drawn = [InstitutionFactory(name=f"抽{n}") for n in range(2)]
    draw = services.draw_perform(
        actor=bureau,
        title="六月双随机",
        drawn_on=today,
        sample_size=2,
        inspectors_per_institution=2,
        inspector_ids=[inspector.pk, inspector2.pk, inspector3.pk],
        seed=42,
    )
    mine = list(DrawAssignment.objects.filter(draw=draw, inspectors=inspector))
    others = list(DrawAssignment.objects.filter(draw=draw).exclude(inspectors=inspector))
    html = page(client_as, inspector)
    section = block(html, "spot-checks")
    for assignment in mine:
        assert f'data-assignment="{assignment.pk}"' in section
    for assignment in others:
        assert f'data-assignment="{assignment.pk}"' not in section
    assert mine and reverse("inspections:draw_detail", args=[draw.pk]) in section
    # Started: the link goes to the form; completed: off the list.
    started = services.spot_check_start(assignment=mine[0], actor=inspector)
    section = block(page(client_as, inspector), "spot-checks")
    assert reverse("inspections:inspection_form", args=[started.pk]) in section
    answers = {row.pk: {"result": "pass", "note": ""} for row in started.results.all()}
    services.inspection_save_results(inspection=started, actor=inspector, results=answers)
    services.inspection_complete(inspection=started, actor=inspector)
    assert f'data-assignment="{mine[0].pk}"' not in block(page(client_as, inspector), "spot-checks")
    assert drawn
