"""What the API fuzz run (test_api_fuzz.py) found, pinned as ordinary tests (run by `make test`):
errors answer JSON under /api/ even before a view runs, malformed input is a 400 or 404 rather
than a server error, and the schema documents the error answers every endpoint can give."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=False)
def test_api_url_matching_no_route_answers_json_404(api_as, bureau):
    # The routers take no dot in an id, so this matches no URL pattern at all.
    response = api_as(bureau).get("/api/v1/redemptions/0.05/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


@override_settings(DEBUG=False)
def test_page_matching_no_route_still_answers_the_portal_page(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@override_settings(DEBUG=False, DATA_UPLOAD_MAX_NUMBER_FIELDS=10)
def test_api_request_with_too_many_form_fields_answers_json_400(api_as, bureau):
    body = "&".join(f"ids={n}" for n in range(11))

    response = api_as(bureau).post(
        "/api/v1/monthly-reports/review/", body, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "bad_request"


def test_settlement_for_year_zero_is_a_field_error(api_as, bureau, institution_a):
    response = api_as(bureau).post(
        "/api/v1/settlements/", {"institution": institution_a.pk, "month": "0000-01"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["month"]


def test_incident_delete_with_an_id_that_is_no_number_is_404(api_as, operator_a):
    response = api_as(operator_a).delete("/api/v1/incidents/%C3%9E/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_schema_documents_the_error_answers_of_every_operation(api_as, bureau):
    schema = api_as(bureau).get("/api/schema/", {"format": "json"}).json()
    public = {("post", "/api/v1/auth/token/"), ("post", "/api/v1/public/voucher-balance/")}
    missing = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            expected = {"429"}
            if (method, path) not in public:
                expected.add("403")
            if "{" in path:
                expected.add("404")
            if method != "get":
                expected.add("400")
            if not expected <= codes:
                missing.append((method, path, sorted(expected - codes)))
    assert missing == []
    error = schema["paths"]["/api/v1/institutions/{id}/"]["get"]["responses"]["404"]
    assert error["content"]["application/json"]["schema"]["$ref"].endswith("/ApiError")


def test_incident_time_before_2000_or_in_the_future_is_refused_on_correction(
    api_as, operator_a, institution_a
):
    from django.utils import timezone

    from inspections import services
    from inspections.models import Incident

    kind = next(value for value in Incident.Kind.values if value not in Incident.HARM_KINDS)
    incident = services.incident_report(
        institution=institution_a,
        actor=operator_a,
        kind=kind,
        occurred_at=timezone.now() - dt.timedelta(hours=2),
        description="手足口病",
    )
    client = api_as(operator_a)
    future = (timezone.now() + dt.timedelta(days=1)).isoformat()

    answers = [
        client.patch(f"/api/v1/incidents/{incident.pk}/", {"occurred_at": when}, format="json")
        for when in ("0759-12-14T19:03:56Z", future)
    ]

    assert [a.status_code for a in answers] == [400, 400]
    assert [a.json()["code"] for a in answers] == ["too_early", "future"]
    incident.refresh_from_db()
    assert incident.occurred_at > timezone.now() - dt.timedelta(hours=3)
