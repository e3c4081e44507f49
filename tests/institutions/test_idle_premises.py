"""Idle state-owned premises (闲置国有房源, issue 20): the register's rules in the model and the
database, the public list of premises on offer, the API and the spreadsheet import."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from institutions.models import IdlePremises, Township
from institutions.resources import IdlePremisesResource
from institutions.services import registry_record_save

pytestmark = pytest.mark.django_db
OFFERED, MATCHED, IN_USE, WITHDRAWN = (
    IdlePremises.State.OFFERED,
    IdlePremises.State.MATCHED,
    IdlePremises.State.IN_USE,
    IdlePremises.State.WITHDRAWN,
)


def township(name: str) -> Township:
    return Township.objects.get(name=name)


def premises(**overrides):
    values = dict(
        name="柳市镇长江路闲置用房",
        owner="乐清市国有资本运营集团",
        township=township("柳市镇"),
        address="乐清市柳市镇长江路8号",
        floor_area=Decimal("560.00"),
        contact_phone="0577-61234567",
        offered_on=dt.date(2025, 3, 1),
        state=OFFERED,
    )
    values.update(overrides)
    return IdlePremises(**values)


def errors_of(record) -> dict:
    with pytest.raises(ValidationError) as error:
        registry_record_save(record=record)
    return error.value.message_dict


# --- Rules ----------------------------------------------------------------------------------------


def test_matched_or_in_use_needs_the_institution_and_the_day(institution_a):
    for state in (MATCHED, IN_USE):
        found = errors_of(premises(state=state))
        assert "须填写对接机构" in found["institution"][0]
        assert "请填写对接日期" in found["matched_on"][0]
    saved = registry_record_save(
        record=premises(state=MATCHED, institution=institution_a, matched_on=dt.date(2025, 3, 1))
    )
    assert saved.pk  # matched on the day it was offered: accepted


def test_offered_premises_have_no_institution(institution_a):
    found = errors_of(premises(institution=institution_a, matched_on=dt.date(2025, 4, 1)))
    assert "请将状态改为" in found["state"][0]


def test_dates_follow_each_other(institution_a):
    found = errors_of(
        premises(state=MATCHED, institution=institution_a, matched_on=dt.date(2025, 2, 28))
    )
    assert "不能早于发布日期" in found["matched_on"][0]
    assert (
        "请先填写减免起始日" in errors_of(premises(relief_to=dt.date(2026, 1, 1)))["relief_from"][0]
    )
    found = errors_of(premises(relief_from=dt.date(2025, 5, 1), relief_to=dt.date(2025, 4, 30)))
    assert "不能早于减免起始日" in found["relief_to"][0]
    one_day = registry_record_save(
        record=premises(relief_from=dt.date(2025, 5, 1), relief_to=dt.date(2025, 5, 1))
    )
    assert one_day.pk  # a relief of one day: the last day is included


def test_the_area_must_be_above_zero():
    assert "floor_area" in errors_of(premises(floor_area=Decimal("0")))
    assert registry_record_save(record=premises(floor_area=Decimal("0.01"))).pk


@pytest.mark.parametrize(
    "fields",
    [
        {"state": MATCHED},  # no institution
        {"floor_area": Decimal("0")},
        {"relief_to": dt.date(2025, 5, 1)},  # an end without a start
        {"relief_from": dt.date(2025, 5, 2), "relief_to": dt.date(2025, 5, 1)},
        {"matched_on": dt.date(2025, 2, 28)},
    ],
)
def test_the_database_refuses_what_the_rules_refuse(fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        premises(**fields).save()  # bypassing full_clean, as a bulk write would


def test_the_database_refuses_an_offered_premises_with_an_institution(institution_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        premises(institution=institution_a).save()
    premises(state=WITHDRAWN, institution=institution_a).save()  # withdrawn after matching: kept


# --- The public page ------------------------------------------------------------------------------


def test_the_public_page_lists_only_premises_on_offer(client, institution_a):
    premises(name="可申请一").save()
    premises(name="已撤回", state=WITHDRAWN).save()
    premises(
        name="已对接", state=MATCHED, institution=institution_a, matched_on=dt.date(2025, 4, 1)
    ).save()
    response = client.get(reverse("institutions:premises_public"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "可申请一" in html and "已撤回" not in html and "已对接" not in html
    assert 'href="tel:0577-61234567"' in html


def test_the_public_page_filters_by_township_and_says_when_nothing_is_there(client):
    premises(name="柳市房源").save()
    premises(name="虹桥房源", township=township("虹桥镇")).save()
    page = client.get(
        reverse("institutions:premises_public"), {"township": township("虹桥镇").code}
    )
    html = page.content.decode()
    assert "虹桥房源" in html and "柳市房源" not in html
    empty = client.get(
        reverse("institutions:premises_public"), {"township": township("乐成街道").code}
    )
    assert "该镇街暂无可申请的房源" in empty.content.decode()


def test_the_public_page_runs_the_same_queries_for_one_or_ten(client):
    premises().save()
    url = reverse("institutions:premises_public")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for number in range(9):
        premises(name=f"房源{number}").save()
    with CaptureQueriesContext(connection) as ten:
        html = client.get(url).content.decode()
    assert html.count("data-premises") == 10
    assert len(ten) == len(one)


# --- API and import -------------------------------------------------------------------------------


def test_the_bureau_writes_through_the_api_and_operators_read(api_as, bureau, operator_a):
    body = {
        "name": "翁垟街道闲置用房",
        "owner": "乐清市城市建设投资集团",
        "township": township("翁垟街道").pk,
        "address": "乐清市翁垟街道南岙路1号",
        "floor_area": "420.50",
        "offered_on": "2025-03-01",
        "state": "matched",
    }
    response = api_as(bureau).post("/api/v1/idle-premises/", body, format="json")
    assert response.status_code == 400
    assert "须填写对接机构" in str(response.json())
    body["state"] = "offered"
    response = api_as(bureau).post("/api/v1/idle-premises/", body, format="json")
    assert response.status_code == 201, response.json()
    record = IdlePremises.objects.get()
    assert record.history.get().history_user == bureau
    assert api_as(operator_a).post("/api/v1/idle-premises/", body, format="json").status_code == 403
    listed = api_as(operator_a).get("/api/v1/idle-premises/").json()
    assert [row["name"] for row in listed["results"]] == ["翁垟街道闲置用房"]


HEADERS = ["房源名称", "产权单位", "所属镇街", "地址", "建筑面积（平方米）", "发布日期", "状态"]


def sheet(rows) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(HEADERS)
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run_import(content: bytes, user, *, dry_run=False):
    from import_export.formats.base_formats import XLSX

    resource = IdlePremisesResource()
    dataset = XLSX().create_dataset(content)
    result = resource.import_data(
        dataset, dry_run=dry_run, user=user, raise_errors=False, rollback_on_validation_errors=True
    )  # as the admin and the background job call it
    return resource, result


def test_an_import_with_one_bad_row_writes_nothing_and_names_the_row(bureau):
    good = [
        "柳市房源",
        "乐清市国有资本运营集团",
        "柳市镇",
        "柳市镇长江路8号",
        560,
        "2025-03-01",
        "",
    ]
    bad = ["虹桥房源", "乐清市城市建设投资集团", "虹桥镇", "虹桥镇1号", 0, "2025-03-01", "可申请"]
    resource, result = run_import(sheet([good, bad]), bureau)
    assert result.has_validation_errors()
    lines = resource.error_messages(result)
    assert any(line.startswith("第3行") and "建筑面积" in line for line in lines), lines
    assert not IdlePremises.objects.exists()

    bad[4] = 380
    resource, result = run_import(sheet([good, bad]), bureau)
    assert not result.has_validation_errors(), resource.error_messages(result)
    stored = dict(IdlePremises.objects.values_list("name", "state"))
    assert stored == {"柳市房源": OFFERED, "虹桥房源": OFFERED}  # a blank state starts on offer
    assert IdlePremises.objects.get(name="柳市房源").history.get().history_user == bureau


def test_a_blank_state_keeps_a_stored_rows_state(bureau, institution_a):
    premises(
        name="柳市房源", state=IN_USE, institution=institution_a, matched_on=dt.date(2025, 4, 1)
    ).save()
    row = ["柳市房源", "乐清市国有资本运营集团", "柳市镇", "柳市镇长江路9号", 600, "2025-03-01", ""]
    resource, result = run_import(sheet([row]), bureau)
    assert not result.has_validation_errors(), resource.error_messages(result)
    stored = IdlePremises.objects.get()
    assert (stored.state, stored.address, stored.floor_area) == (IN_USE, "柳市镇长江路9号", 600)
