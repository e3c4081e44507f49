"""An instructor of many institutions sees, on the home, the INSPECTOR_TOP institutions due first
and the rectifications with the earliest deadlines, with the totals (issue 21: a province's
instructor has thousands)."""

from __future__ import annotations

import datetime as dt

import pytest

from inspections import services as inspection_services
from lequing_tuoyu import home
from tests.factories import InstitutionFactory, InstructorAssignmentFactory
from tests.inspections.factories import png_upload

from .conftest import finding

pytestmark = pytest.mark.django_db


def test_the_inspectors_lists_stop_at_the_top_with_their_totals(
    client_as, inspector, operator_a, today, monkeypatch
):
    monkeypatch.setattr(home, "INSPECTOR_TOP", 2)
    names = []
    for n in range(3):
        institution = InstitutionFactory(name=f"指导机构{n}")
        institution.operators.add(operator_a)
        InstructorAssignmentFactory(institution=institution, instructor=inspector)
        item = finding(institution, inspector, deadline=today + dt.timedelta(days=3 - n))
        item.title = f"整改事项{n}"
        item.save(update_fields=["title"])
        inspection_services.rectification_submit(
            finding=item, actor=operator_a, action_taken="已整改", files=[png_upload()]
        )
        names.append(institution.name)
    work = home.inspector_home(inspector, today=today)
    assert (work.visits_total, len(work.visits)) == (3, 2)
    assert (work.to_verify_total, [f.title for f in work.to_verify]) == (
        3,
        ["整改事项2", "整改事项1"],
    )
    html = client_as(inspector).get("/wode/").content.decode()
    assert "显示最早到期的 2 家机构，共 3 家机构有待完成的例行检查。" in html
    assert "显示整改期限最早的 2 项，共 3 项。" in html
    assert '<span class="badge badge--warn">3</span>' in html


def test_under_the_top_the_lists_are_whole_without_the_note(
    client_as, inspector, operator_a, today, monkeypatch
):
    monkeypatch.setattr(home, "INSPECTOR_TOP", 2)
    for n in range(2):
        institution = InstitutionFactory(name=f"指导机构{n}")
        InstructorAssignmentFactory(institution=institution, instructor=inspector)
    work = home.inspector_home(inspector, today=today)
    assert (work.visits_total, len(work.visits)) == (2, 2)
    html = client_as(inspector).get("/wode/").content.decode()
    assert "显示最早到期的" not in html
