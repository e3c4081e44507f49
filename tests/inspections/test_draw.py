"""The random draw (双随机): reproducible from its recorded seed and pool, never a conflicted
inspector, risk weighting as an option, published without personal data."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from inspections import services
from inspections.draw import run_draw
from inspections.models import ConflictOfInterest, InspectionKind, RandomDraw
from inspections.selectors import published_draws
from portal.roles import Role
from tests.factories import (
    InstitutionFactory,
    InstructorAssignmentFactory,
    UserFactory,
    township,
)

from .factories import make_inspection

pytestmark = pytest.mark.django_db

DRAWN_ON = dt.date(2025, 6, 2)


@pytest.fixture
def pool(db):
    return [InstitutionFactory(filed_on=dt.date(2024, 1, 1)) for _ in range(12)]


@pytest.fixture
def inspectors(db):
    return [UserFactory(username=f"insp{n}", role=Role.INSPECTOR) for n in range(5)]


@pytest.fixture
def conflicts(pool, inspectors, bureau):
    """insp0 is the health instructor of the first six; insp1 recorded a conflict with the
    first; insp2's conflict with the second ended before the draw day."""
    for institution in pool[:6]:
        InstructorAssignmentFactory(
            institution=institution, instructor=inspectors[0], effective_from=dt.date(2024, 1, 1)
        )
    ConflictOfInterest.objects.create(
        inspector=inspectors[1],
        institution=pool[0],
        reason="亲属在该机构任职",
        valid_from=dt.date(2025, 1, 1),
    )
    ConflictOfInterest.objects.create(
        inspector=inspectors[2],
        institution=pool[1],
        reason="曾任顾问",
        valid_from=dt.date(2024, 1, 1),
        valid_to=dt.date(2025, 5, 31),
    )


def _draw(actor, **kwargs):
    options = {"title": "六月抽查", "drawn_on": DRAWN_ON, "sample_size": 6}
    options.update(kwargs)
    return services.draw_perform(actor=actor, **options)


def _result(draw):
    return [
        (a.institution_id, sorted(u.pk for u in a.inspectors.all()))
        for a in draw.assignments.order_by("position")
    ]


def test_same_seed_and_pool_give_the_same_result(pool, inspectors, bureau):
    first = _draw(bureau, seed=20250602)
    second = _draw(bureau, seed=20250602)
    assert first.seed == second.seed == 20250602
    assert first.institution_pool == second.institution_pool
    assert _result(first) == _result(second)
    assert services.draw_reproduces(first)
    again = run_draw(
        seed=first.seed,
        institution_pool=first.institution_pool,
        inspector_pool=first.inspector_pool,
        conflicts=first.conflicts,
        sample_size=first.sample_size,
        per_institution=first.inspectors_per_institution,
    )
    assert [(d.institution_id, list(d.inspector_ids)) for d in again] == _result(first)
    assert _result(_draw(bureau, seed=7)) != _result(first)


def test_the_seed_is_recorded_when_not_given(pool, inspectors, bureau):
    draw = _draw(bureau)
    assert 0 <= draw.seed < 10**12
    assert services.draw_reproduces(RandomDraw.objects.get(pk=draw.pk))


def test_a_tampered_record_no_longer_reproduces(pool, inspectors, bureau):
    draw = _draw(bureau, seed=11)
    draw.seed = 12
    assert not services.draw_reproduces(draw)


def test_never_picks_a_conflicted_inspector(pool, inspectors, conflicts, bureau):
    for seed in range(40):
        draw = _draw(bureau, seed=seed, sample_size=12, inspectors_per_institution=3)
        picked = {(i, u) for i, users in _result(draw) for u in users}
        excluded = {tuple(pair) for pair in draw.conflicts}
        assert not picked & excluded
    assert {(pool[n].pk, inspectors[0].pk) for n in range(6)} <= excluded
    assert (pool[0].pk, inspectors[1].pk) in excluded
    assert (pool[1].pk, inspectors[2].pk) not in excluded  # that conflict had ended


def test_spreads_the_work_evenly(pool, inspectors, bureau):
    draw = _draw(bureau, seed=3, sample_size=10, inspectors_per_institution=2)
    load = {}
    for _institution, users in _result(draw):
        for user in users:
            load[user] = load.get(user, 0) + 1
    assert max(load.values()) - min(load.values()) <= 1


def test_refuses_when_conflicts_leave_too_few_inspectors(pool, inspectors, conflicts, bureau):
    with pytest.raises(ValidationError) as error:
        _draw(
            bureau,
            seed=1,
            sample_size=12,
            inspector_ids=[u.pk for u in inspectors[:3]],
            inspectors_per_institution=3,
        )
    assert error.value.code == "not_enough_inspectors"
    assert not RandomDraw.objects.exists()


def test_share_of_the_pool_rounds_up(pool, inspectors, bureau):
    draw = _draw(bureau, sample_size=None, share=Decimal("0.25"), seed=5)
    assert draw.sample_size == 3  # 12 x 0.25
    draw = _draw(bureau, sample_size=None, share=Decimal("0.1"), seed=5)
    assert draw.sample_size == 2  # 1.2 rounded up


def test_filters_choose_the_pool(pool, inspectors, bureau):
    other = InstitutionFactory(filed_on=dt.date(2024, 1, 1), township=township("001"))
    draw = _draw(bureau, township_ids=[other.township_id], sample_size=1, seed=1)
    assert [pk for pk, _w in draw.institution_pool] == [other.pk]
    InstitutionFactory(filed_on=DRAWN_ON + dt.timedelta(days=1))  # not yet filed on the day
    draw = _draw(bureau, sample_size=1, seed=1)
    assert len(draw.institution_pool) == 13


def test_risk_weighting_records_weights(pool, inspectors, bureau, inspector):
    risky = pool[3]
    make_inspection(
        institution=risky,
        inspectors=[inspector],
        inspected_on=dt.date(2025, 4, 1),
        fail=tuple(range(14)),
    )  # a fail, and findings long past their deadline on the draw day
    draw = _draw(bureau, risk_weighted=True, seed=9)
    weights = dict((pk, weight) for pk, weight in draw.institution_pool)
    assert weights[risky.pk] == 1 + 2 + 2
    assert {w for pk, w in weights.items() if pk != risky.pk} == {1}
    unweighted = _draw(bureau, seed=9)
    assert {w for _pk, w in unweighted.institution_pool} == {1}
    only_risky = _draw(bureau, risky_only=True, sample_size=1, seed=9)
    assert [pk for pk, _w in only_risky.institution_pool] == [risky.pk]


def test_risk_weighting_draws_risky_institutions_more_often():
    pool = [(1, 5)] + [(n, 1) for n in range(2, 21)]
    hits = sum(
        1
        for seed in range(400)
        if 1
        in {
            d.institution_id
            for d in run_draw(
                seed=seed,
                institution_pool=pool,
                inspector_pool=[1, 2],
                conflicts=[],
                sample_size=1,
                per_institution=2,
            )
        }
    )
    assert hits > 400 * 0.15  # about 5/24 of the time, against 1/20 unweighted


def test_only_bureau_staff_draw(pool, inspectors, inspector, operator_a, auditor):
    for user in (inspector, operator_a, auditor):
        with pytest.raises(services.NotAllowed):
            _draw(user, seed=1)


def test_a_spot_check_starts_with_the_drawn_inspectors(pool, inspectors, bureau):
    draw = _draw(bureau, seed=4, sample_size=1)
    assignment = draw.assignments.get()
    drawn = list(assignment.inspectors.all())
    inspection = services.spot_check_start(
        assignment=assignment, actor=drawn[0], inspected_on=DRAWN_ON
    )
    assert inspection.kind == InspectionKind.SPOT_CHECK
    assert set(inspection.inspectors.all()) == set(drawn)
    with pytest.raises(ValidationError):
        services.spot_check_start(assignment=assignment, actor=drawn[0], inspected_on=DRAWN_ON)


def test_the_published_draw_reruns_from_its_public_data(
    pool, inspectors, conflicts, bureau, client
):
    draw = _draw(bureau, seed=424242, sample_size=5)
    assert client.get(reverse("inspections:public_draw_json", args=[draw.pk])).status_code == 404
    services.draw_publish(draw=draw, actor=bureau)
    response = client.get(reverse("inspections:public_draw_json", args=[draw.pk]))
    assert response.status_code == 200
    data = json.loads(response.content)
    again = run_draw(
        seed=data["seed"],
        institution_pool=[(row["id"], row["weight"]) for row in data["institution_pool"]],
        inspector_pool=data["inspector_pool"],
        conflicts=[(row["institution_id"], row["inspector"]) for row in data["conflicts"]],
        sample_size=data["sample_size"],
        per_institution=data["inspectors_per_institution"],
    )
    assert [(d.institution_id, list(d.inspector_ids)) for d in again] == [
        (row["institution_id"], sorted(row["inspectors"])) for row in data["result"]
    ]
    text = response.content.decode()
    for user in inspectors:
        assert user.username not in text
    public = published_draws()[0]
    assert public.seed == 424242
    assert all(code.startswith("检查员") for code in public.inspector_codes)
