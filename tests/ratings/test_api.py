"""The star-rating API: read only, scoped as the pages."""

import pytest

from ratings import services

from .factories import criteria_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_applications(institution_a, institution_b, operator_a, operator_b):
    cs = criteria_set()
    return [
        services.application_create(institution=i, criteria_set=cs, stars_applied=3, actor=o)
        for i, o in ((institution_a, operator_a), (institution_b, operator_b))
    ]


def test_operators_read_only_their_own_applications(api_as, operator_a, two_applications):
    mine, theirs = two_applications
    response = api_as(operator_a).get("/api/v1/rating-applications/")
    assert response.status_code == 200
    assert [row["id"] for row in response.data["results"]] == [mine.pk]
    assert len(response.data["results"][0]["scores"]) == 3
    assert api_as(operator_a).get(f"/api/v1/rating-applications/{theirs.pk}/").status_code == 404


@pytest.mark.parametrize(("persona", "count"), [("bureau", 2), ("inspector", 2), ("auditor", 2)])
def test_city_wide_roles_read_every_application(request, api_as, two_applications, persona, count):
    user = request.getfixturevalue(persona)
    response = api_as(user).get("/api/v1/rating-applications/")
    assert response.status_code == 200 and response.data["count"] == count


@pytest.mark.parametrize("persona", ["family", "anonymous"])
def test_others_read_nothing(request, api_as, two_applications, persona):
    user = request.getfixturevalue(persona)
    assert api_as(user).get("/api/v1/rating-applications/").status_code in (401, 403)
    assert api_as(user).get("/api/v1/rating-criteria/").status_code in (401, 403)


def test_criteria_with_items_and_thresholds_and_no_writes(api_as, bureau, operator_a):
    criteria_set()
    data = api_as(operator_a).get("/api/v1/rating-criteria/").data["results"][0]
    assert [c["max_score"] for c in data["criteria"]] == ["40.0", "30.0", "30.0"]
    assert {t["stars"]: t["min_score"] for t in data["thresholds"]}[4] == "80.0"
    assert api_as(bureau).post("/api/v1/rating-criteria/", {}).status_code == 405


def test_star_rating_api_carries_the_expiry(api_as, bureau, institution_a):
    import datetime as dt

    from institutions.models import StarRating

    StarRating.objects.create(
        institution=institution_a,
        effective_from=dt.date(2025, 1, 1),
        stars=3,
        expires_on=dt.date(2027, 12, 31),
    )
    rows = api_as(bureau).get("/api/v1/star-ratings/").data["results"]
    assert rows[0]["expires_on"] == "2027-12-31"
