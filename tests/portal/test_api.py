import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_token_exchange_then_token_authenticates(api_client, operator_a, institution_a):
    response = api_client.post(
        "/api/v1/auth/token/",
        {"username": "operator_a", "password": "correct-horse-battery"},
        format="json",
    )
    assert response.status_code == 200
    token = response.json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = api_client.get("/api/v1/institutions/")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [institution_a.pk]


def test_wrong_password_gives_json_error_with_code(api_client, operator_a):
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "operator_a", "password": "nope"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "authorization"
    assert body["detail"]
    assert "errors" in body


def test_unauthenticated_request_gets_json_401_or_403(api_client):
    response = api_client.get("/api/v1/institutions/")
    assert response.status_code in (401, 403)
    assert set(response.json()) == {"code", "detail"}
    assert response.json()["code"] == "not_authenticated"


def test_operator_gets_json_404_for_another_institution(api_as, operator_a, institution_b):
    response = api_as(operator_a).get(f"/api/v1/institutions/{institution_b.pk}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert "无权" in response.json()["detail"]


def test_townships_list_has_the_25_codes(api_as, bureau):
    response = api_as(bureau).get("/api/v1/townships/")
    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == 25
    assert {"code": "330382114", "name": "柳市镇"}.items() <= rows[15].items()
    assert all(re.fullmatch(r"330382\d{3}", row["code"]) for row in rows)


def test_institution_list_paginates_and_filters(api_as, bureau, institution_a, institution_b):
    institution_b.kind = "kindergarten"
    institution_b.save()
    response = api_as(bureau).get("/api/v1/institutions/", {"kind": "kindergarten"})
    body = response.json()
    assert body["count"] == 1
    assert body["results"][0]["id"] == institution_b.pk
    assert {"count", "next", "previous", "results"} <= set(body)


def test_read_only_viewset_refuses_writes_for_auditor(api_as, auditor):
    response = api_as(auditor).post("/api/v1/institutions/", {"name": "x"}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_openapi_schema_and_docs_served_without_a_cdn(client):
    schema = client.get(reverse("api-schema"))
    assert schema.status_code == 200
    assert b"/api/v1/townships/" in schema.content
    docs = client.get(reverse("api-docs"))
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html
    external = re.findall(r"""(?:src|href)=["'](https?:)?//""", html)
    assert external == [], "the docs page must load nothing from another host"
    asset = re.search(r"""src=["']([^"']*swagger-ui-bundle\.js)["']""", html).group(1)
    assert client.get(asset).status_code == 200


def test_pages_send_a_strict_script_policy(client):
    policy = client.get("/api/docs/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy


def test_api_docs_need_no_inline_script(client):
    import re

    html = client.get("/api/docs/").content.decode()
    inline = [s for s in re.findall(r"<script([^>]*)>", html) if "src=" not in s]
    assert inline == []
