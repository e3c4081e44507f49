"""Demonstration units (示范单位, plan task 6.4): dated recognitions that replaced the undated flag
(issue 20), shown with their date on the public page and the institution's page, in the API as of a
day, and one per level at a time in the database."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from institutions.models import DemonstrationUnit
from institutions.recognitions import demonstrations_on
from tests.factories import ApprovedPlacesFactory, InstitutionFactory

pytestmark = pytest.mark.django_db
CITY = DemonstrationUnit.Level.CITY
PROVINCE = DemonstrationUnit.Level.PROVINCE


def recognise(institution, since, until=None, level=CITY, title="普惠托育示范机构"):
    return DemonstrationUnit.objects.create(
        institution=institution,
        level=level,
        title=title,
        valid_from=since,
        valid_to=until,
        document_number="乐卫〔2025〕88号",
    )


def test_a_recognition_holds_from_its_first_to_its_last_day_inclusive(institution_a):
    recognise(institution_a, dt.date(2025, 3, 1), dt.date(2025, 8, 31))
    held = lambda day: institution_a.pk in demonstrations_on([institution_a.pk], day)  # noqa: E731
    assert not held(dt.date(2025, 2, 28))
    assert held(dt.date(2025, 3, 1))
    assert held(dt.date(2025, 8, 31))
    assert not held(dt.date(2025, 9, 1))


def test_one_level_at_a_time_but_levels_may_overlap(institution_a):
    recognise(institution_a, dt.date(2025, 3, 1), dt.date(2025, 8, 31))
    with pytest.raises(IntegrityError), transaction.atomic():
        recognise(institution_a, dt.date(2025, 8, 31))  # shares the last day
    recognise(institution_a, dt.date(2025, 9, 1))  # the next day: accepted
    recognise(institution_a, dt.date(2025, 5, 1), level=PROVINCE)  # another level: accepted
    with pytest.raises(IntegrityError), transaction.atomic():
        recognise(institution_a, dt.date(2025, 5, 1), dt.date(2025, 4, 30), level="national")
    found = demonstrations_on([institution_a.pk], dt.date(2025, 9, 1))[institution_a.pk]
    assert [row.level for row in found] == [PROVINCE, CITY]  # highest level first


def test_the_public_page_shows_the_recognition_and_its_date(client, institution_a, institution_b):
    ApprovedPlacesFactory(institution=institution_a)
    ApprovedPlacesFactory(institution=institution_b)
    today = timezone.localdate()
    recognise(institution_a, today - dt.timedelta(days=30))
    recognise(institution_b, today + dt.timedelta(days=1))  # not yet
    html = client.get(reverse("institutions:public_list")).content.decode()
    badge = f"乐清市级普惠托育示范机构（{today - dt.timedelta(days=30):%Y-%m-%d}认定）"
    assert html.count("data-demonstration") == 1
    assert badge in html


def test_the_public_page_reads_recognitions_in_one_query_whatever_their_number(
    client, django_assert_num_queries
):
    today = timezone.localdate()
    institutions = [InstitutionFactory() for _ in range(5)]
    for institution in institutions:
        ApprovedPlacesFactory(institution=institution)
    recognise(institutions[0], today)
    client.get(reverse("institutions:public_list"))
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(reverse("institutions:public_list"))
    for institution in institutions[1:]:
        recognise(institution, today)
        recognise(institution, today, level=PROVINCE)
    with CaptureQueriesContext(connection) as five:
        html = client.get(reverse("institutions:public_list")).content.decode()
    assert html.count("data-demonstration") == 9
    assert len(five) == len(one)


def test_the_institution_page_lists_every_recognition_and_the_current_one(
    client_as, bureau, institution_a
):
    today = timezone.localdate()
    recognise(institution_a, dt.date(2024, 1, 1), dt.date(2024, 12, 31), title="旧称号")
    recognise(institution_a, today - dt.timedelta(days=10), title="普惠托育示范机构")
    response = client_as(bureau).get(
        reverse("institutions:institution_detail", args=[institution_a.pk])
    )
    html = response.content.decode()
    assert "旧称号" in html  # listed among the records
    current = response.context["current_demonstrations"]
    assert [row.title for row in current] == ["普惠托育示范机构"]


def test_the_api_answers_is_demonstration_as_of_a_day(api_as, bureau, institution_a):
    recognise(institution_a, dt.date(2025, 3, 1), dt.date(2025, 8, 31))
    client = api_as(bureau)
    url = f"/api/v1/institutions/{institution_a.pk}/"
    facts = lambda day: client.get(url, {"as_of": day}).json()["facts"]  # noqa: E731
    assert facts("2025-02-28")["is_demonstration"] is False
    assert facts("2025-03-01")["is_demonstration"] is True
    assert facts("2025-08-31")["is_demonstration"] is True
    assert facts("2025-09-01")["is_demonstration"] is False


def test_the_bureau_records_a_recognition_through_the_api_with_history(
    api_as, bureau, institution_a, operator_a
):
    body = {
        "institution": institution_a.pk,
        "valid_from": "2025-03-01",
        "valid_to": None,
        "level": "city",
        "title": "普惠托育示范机构",
        "awarded_by": "乐清市卫生健康局",
        "document_number": "乐卫〔2025〕88号",
    }
    response = api_as(bureau).post("/api/v1/demonstration-units/", body, format="json")
    assert response.status_code == 201, response.json()
    record = DemonstrationUnit.objects.get()
    assert record.history.get().history_user == bureau
    overlapping = {**body, "valid_from": "2025-06-01"}
    response = api_as(bureau).post("/api/v1/demonstration-units/", overlapping, format="json")
    assert response.status_code == 400
    response = api_as(operator_a).post("/api/v1/demonstration-units/", body, format="json")
    assert response.status_code == 403
    listed = api_as(operator_a).get("/api/v1/demonstration-units/").json()
    assert [row["id"] for row in listed["results"]] == [record.pk]


def test_the_migration_turns_each_flag_into_a_recognition_from_when_it_was_first_set():
    """Migrates back to before 0012 inside the test's transaction (PostgreSQL's DDL is
    transactional, so the rollback restores the schema), sets flags, migrates forward."""
    executor = MigrationExecutor(connection)
    executor.migrate([("institutions", "0011_public_fee_standard")])
    old = executor.loader.project_state([("institutions", "0011_public_fee_standard")]).apps
    Institution = old.get_model("institutions", "Institution")
    History = old.get_model("institutions", "HistoricalInstitution")
    township = old.get_model("institutions", "Township").objects.first()
    flagged = Institution.objects.create(
        name="示范园", kind="centre", ownership="public", township=township,
        filed_on=dt.date(2023, 5, 1), is_demonstration=True,
    )  # fmt: skip
    History.objects.create(
        id=flagged.pk, name=flagged.name, kind="centre", ownership="public",
        township=township, filed_on=flagged.filed_on, is_demonstration=True,
        history_date=timezone.make_aware(dt.datetime(2024, 6, 3, 9)), history_type="~",
    )  # fmt: skip
    no_history = Institution.objects.create(
        name="无历史", kind="centre", ownership="public", township=township,
        filed_on=dt.date(2022, 1, 10), is_demonstration=True,
    )  # fmt: skip
    plain = Institution.objects.create(
        name="普通园", kind="centre", ownership="public", township=township, is_demonstration=False
    )
    with connection.cursor() as cursor:  # the rows above checked now, so the schema may change
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    rows = {
        row.institution_id: row for row in DemonstrationUnit.objects.filter(note__contains="待核实")
    }
    assert set(rows) == {flagged.pk, no_history.pk}
    assert rows[flagged.pk].valid_from == dt.date(2024, 6, 3)  # the flag's first history row
    assert rows[no_history.pk].valid_from == dt.date(2022, 1, 10)  # else the filing day
    assert (rows[flagged.pk].level, rows[flagged.pk].valid_to) == (CITY, None)
    assert plain.pk not in rows
