import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_five_wrong_passwords_lock_the_login_page_even_for_the_right_one(
    client, operator_a, settings
):
    url = reverse("institutions:login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(url, {"username": "operator_a", "password": "wrong"})
        assert response.status_code == 200  # the form again, with its error
    assert client.post(url, {"username": "operator_a", "password": "wrong"}).status_code == 429
    response = client.post(url, {"username": "operator_a", "password": "correct-horse-battery"})
    assert response.status_code == 429
    assert "登录已暂时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_token_endpoint_locks_too(api_client, operator_a, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        api_client.post(
            "/api/v1/auth/token/", {"username": "operator_a", "password": "x"}, format="json"
        )
    response = api_client.post(
        "/api/v1/auth/token/",
        {"username": "operator_a", "password": "correct-horse-battery"},
        format="json",
    )
    assert response.status_code == 429
    assert response.json()["code"] == "login_locked"
    assert "token" not in response.json()


def test_a_success_before_the_limit_resets_the_count(client, operator_a, settings):
    url = reverse("institutions:login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(url, {"username": "operator_a", "password": "wrong"})
    response = client.post(url, {"username": "operator_a", "password": "correct-horse-battery"})
    assert response.status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(url, {"username": "operator_a", "password": "wrong"})
    response = client.post(url, {"username": "operator_a", "password": "correct-horse-battery"})
    assert response.status_code == 302
