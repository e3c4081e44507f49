"""The child's name and ID number are never in clear: not in the list page's HTML, the API, the
logs, nor the history tables (which hold the ciphertext, like the case itself)."""

import logging

from django.db import connection
from django.urls import reverse

from institutions.inclusive.models import SupportCase

from .conftest import CHILD_ID, CHILD_NAMES

NAME = "张小明"


def test_list_and_detail_pages_show_masks(three_cases, case_a, bureau, client_as):
    client = client_as(bureau)
    listing = client.get(reverse("inclusive:case_list")).content.decode()
    for name in CHILD_NAMES:
        assert name not in listing
    assert "张**" in listing and "李**" in listing
    detail = client.get(reverse("inclusive:case_detail", args=[case_a.pk])).content.decode()
    assert NAME not in detail and CHILD_ID not in detail
    assert "330382********0011" in detail


def test_api_shows_masks(case_a, bureau, api_as):
    body = api_as(bureau).get(reverse("v1:support-case-list")).content.decode()
    assert NAME not in body and CHILD_ID not in body


def test_admin_pages_show_masks(case_a, bureau_admin, client_as):
    client = client_as(bureau_admin)
    for url in (
        reverse("admin:institutions_supportcase_changelist"),
        reverse("admin:institutions_supportcase_change", args=[case_a.pk]),
        reverse("admin:institutions_supportcase_history", args=[case_a.pk]),
    ):
        body = client.get(url).content.decode()
        assert NAME not in body and CHILD_ID not in body, url


def test_nothing_in_clear_in_the_logs(case_a, operator_a, client_as, caplog):
    caplog.set_level(logging.DEBUG)
    client = client_as(operator_a)
    client.get(reverse("inclusive:case_list"))
    client.get(reverse("inclusive:case_detail", args=[case_a.pk]))
    client.post(reverse("inclusive:case_plan", args=[case_a.pk]), {"need": "other", "plan": ""})
    logging.getLogger("test").info("case %s", case_a)
    assert NAME not in caplog.text and CHILD_ID not in caplog.text
    assert "张**" in caplog.text


def test_history_tables_hold_ciphertext(case_a, operator_a):
    from institutions.inclusive import services

    case_a.plan = "调整后的计划"
    services.case_save(case=case_a, actor=operator_a)
    table = SupportCase.history.model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT child_name, child_id_number, child_id_number_hash FROM "{table}"'  # noqa: S608
        )
        rows = cursor.fetchall()
        cursor.execute(
            f'SELECT child_name, child_id_number FROM "{SupportCase._meta.db_table}"'  # noqa: S608
        )
        rows += cursor.fetchall()
    assert len(rows) == 3
    for row in rows:
        text = " ".join(str(value) for value in row)
        assert NAME not in text and CHILD_ID not in text
    assert SupportCase.history.filter(id=case_a.pk).latest().child_name.reveal() == NAME
