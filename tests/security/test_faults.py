"""Faults: the database going away mid-request. Nothing is lost, and the portal recovers by
itself. Redis down, a worker killed mid-task and backup/restore are in tests/faults/."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)


def _database_down():
    """Point the default connection at a port where nothing listens (as a real outage looks to
    Django); returns a function that restores it."""
    original_port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = "1"

    def restore():
        connection.close()
        connection.settings_dict["PORT"] = original_port

    return restore


def test_database_outage_answers_503_in_chinese_and_recovers(client, bureau):
    client.force_login(bureau)
    assert client.get("/jigou/").status_code == 200
    restore = _database_down()
    try:
        page = client.get("/jigou/")
        api = client.get("/api/v1/institutions/", HTTP_ACCEPT="application/json")
    finally:
        restore()
    assert page.status_code == 503
    assert "数据库" in page.content.decode()
    assert page["Retry-After"]
    assert api.status_code == 503
    assert api.json()["code"] == "database_unavailable"
    assert "数据库" in api.json()["detail"]
    # Back again: the next request works without any restart.
    assert client.get("/jigou/").status_code == 200
    assert client.get("/api/v1/institutions/").status_code == 200


def test_database_outage_on_a_public_page_is_503_too(client):
    restore = _database_down()
    try:
        response = client.get("/gongshi/")
    finally:
        restore()
    assert response.status_code == 503
    assert client.get("/gongshi/").status_code == 200
