"""The registry's REST API: who may read and write what, the masked ID numbers, the as-of day
and bounded queries."""

import datetime as dt
import random

import pytest
from django.contrib.auth import get_user_model

from institutions.models import (
    ApprovedPlaces,
    CareContract,
    Certificate,
    Community,
    FeeStandard,
    InclusiveRecognition,
    Institution,
    InstructorAssignment,
    StaffMember,
    StarRating,
)
from lequing_tuoyu.demo import make_credit_code, make_resident_id
from portal.validators import mask_resident_id
from tests.bulk import make_registry
from tests.factories import (
    ApprovedPlacesFactory,
    CareContractFactory,
    CertificateFactory,
    FeeStandardFactory,
    InclusiveRecognitionFactory,
    InstructorAssignmentFactory,
    StaffMemberFactory,
    StarRatingFactory,
    township,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"
BAD_CHECK = "91350100M000100Y44"
PLAIN_ID = make_resident_id(random.Random(42), born=dt.date(1991, 4, 2))
# The same number with another check character: well-formed, but its check digit is wrong.
WRONG_CHECK_ID = PLAIN_ID[:17] + ("1" if PLAIN_ID[17] == "0" else "0")

REGISTRY_MODELS = (
    Community,
    Institution,
    ApprovedPlaces,
    FeeStandard,
    StarRating,
    InstructorAssignment,
    InclusiveRecognition,
    CareContract,
    StaffMember,
    Certificate,
)


def registry_state() -> dict:
    """Every registry row and the size of every audit history: equal means nothing was written."""
    state = {}
    for model in REGISTRY_MODELS:
        rows = model.objects.order_by("pk").values()
        state[model.__name__] = [{k: str(v) for k, v in row.items()} for row in rows]
        state[f"{model.__name__} history"] = model.history.count()
    state["operators"] = sorted(Institution.operators.through.objects.values_list("pk", flat=True))
    return state


def records_of(institution) -> dict[str, object]:
    """One record of each kind for `institution`, keyed by endpoint."""
    staff = StaffMemberFactory(institution=institution)
    return {
        "institutions": institution,
        "staff": staff,
        "certificates": CertificateFactory(staff=staff),
        "approved-places": ApprovedPlacesFactory(institution=institution),
        "fee-standards": FeeStandardFactory(institution=institution),
        "star-ratings": StarRatingFactory(institution=institution),
        "instructor-assignments": InstructorAssignmentFactory(institution=institution),
        "inclusive-recognitions": InclusiveRecognitionFactory(institution=institution),
        "care-contracts": CareContractFactory(institution=institution),
    }


ENDPOINTS = [
    "institutions",
    "staff",
    "certificates",
    "approved-places",
    "fee-standards",
    "star-ratings",
    "instructor-assignments",
    "inclusive-recognitions",
    "care-contracts",
]
DATED_ENDPOINTS = ENDPOINTS[3:]


@pytest.fixture
def records_a(institution_a):
    return records_of(institution_a)


@pytest.fixture
def records_b(institution_b):
    return records_of(institution_b)


def institution_payload(**overrides) -> dict:
    return {
        "name": "新建托育中心",
        "credit_code": make_credit_code(random.Random(3)),
        "kind": "centre",
        "ownership": "private",
        "township": township("114").pk,
        "address": "乐清市柳市镇新建路8号",
        "filed_on": "2025-01-10",
        **overrides,
    }


def staff_payload(institution, **overrides) -> dict:
    return {
        "institution": institution.pk,
        "name": "王小红",
        "id_number": PLAIN_ID,
        "role": "caregiver",
        "hired_on": "2025-02-01",
        **overrides,
    }


# --- Bureau: writes through the services, with the audit history -------------------------------


def test_bureau_creates_and_updates_an_institution_recorded_as_theirs(api_as, bureau, operator_a):
    client = api_as(bureau)
    response = client.post(
        f"{API}/institutions/", institution_payload(operators=[operator_a.pk]), format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    institution = Institution.objects.get(pk=body["id"])
    assert body["township_code"] == "330382114"
    assert body["operators"] == [operator_a.pk]
    assert body["facts"]["is_counted"] is True
    # Saving the institution and setting its operators are both in its history.
    assert {record.history_user for record in institution.history.all()} == {bureau}

    response = client.patch(
        f"{API}/institutions/{institution.pk}/", {"name": "新建托育中心（更名）"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["name"] == "新建托育中心（更名）"
    latest = institution.history.latest()
    assert latest.name == "新建托育中心（更名）"
    assert latest.history_user == bureau


def test_bad_credit_code_is_refused_with_its_code_and_a_chinese_message(api_as, bureau):
    before = registry_state()
    response = api_as(bureau).post(
        f"{API}/institutions/", institution_payload(credit_code=BAD_CHECK), format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "credit_code_check_digit"
    assert "校验位" in body["errors"]["credit_code"][0]
    assert body["detail"] == "提交的数据有误，请按提示修改。"
    assert registry_state() == before


def test_bad_credit_code_is_accepted_with_a_recorded_reason(api_as, bureau):
    response = api_as(bureau).post(
        f"{API}/institutions/",
        institution_payload(credit_code=BAD_CHECK, credit_code_override_reason="营业执照原件核实"),
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["credit_code_override_reason"] == "营业执照原件核实"


def test_bureau_records_and_corrects_a_dated_fact(api_as, bureau, institution_a):
    client = api_as(bureau)
    response = client.post(
        f"{API}/fee-standards/",
        {
            "institution": institution_a.pk,
            "effective_from": "2025-03-01",
            "monthly_full_day": "1900",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    fee = FeeStandard.objects.get(pk=response.json()["id"])
    assert fee.history.get().history_user == bureau

    response = client.patch(
        f"{API}/fee-standards/{fee.pk}/", {"monthly_full_day": "1950.50"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["monthly_full_day"] == "1950.50"
    assert fee.history.latest().history_user == bureau


def test_second_dated_fact_on_the_same_day_is_a_400_with_the_models_message(
    api_as, bureau, institution_a
):
    FeeStandardFactory(institution=institution_a, effective_from=dt.date(2025, 3, 1))
    before = registry_state()
    response = api_as(bureau).post(
        f"{API}/fee-standards/",
        {"institution": institution_a.pk, "effective_from": "2025-03-01", "monthly_full_day": "1"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["non_field_errors"] == ["同一天只能有一条收费标准记录。"]
    assert registry_state() == before


def test_overlapping_recognition_is_a_400_and_nothing_is_written(api_as, bureau, institution_a):
    InclusiveRecognitionFactory(institution=institution_a, valid_from=dt.date(2024, 3, 1))
    before = registry_state()
    response = api_as(bureau).post(
        f"{API}/inclusive-recognitions/",
        {"institution": institution_a.pk, "valid_from": "2025-01-01"},
        format="json",
    )
    assert response.status_code == 400
    assert "重叠" in str(response.json()["errors"])
    assert registry_state() == before


def test_bureau_hires_and_updates_a_staff_member(api_as, bureau, institution_a):
    client = api_as(bureau)
    response = client.post(f"{API}/staff/", staff_payload(institution_a), format="json")
    assert response.status_code == 201, response.json()
    staff = StaffMember.objects.get(pk=response.json()["id"])
    assert staff.id_number.reveal() == PLAIN_ID
    assert staff.history.get().history_user == bureau

    response = client.patch(f"{API}/staff/{staff.pk}/", {"left_on": "2025-06-30"}, format="json")
    assert response.status_code == 200, response.json()
    staff.refresh_from_db()
    assert staff.left_on == dt.date(2025, 6, 30)
    assert staff.history.latest().history_user == bureau


def test_hiring_the_same_person_twice_at_once_is_a_400_on_the_id_number(
    api_as, bureau, institution_a
):
    StaffMemberFactory(institution=institution_a, id_number=PLAIN_ID)
    response = api_as(bureau).post(f"{API}/staff/", staff_payload(institution_a), format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["id_number"] == ["此人在该机构的任职期间与已有记录重叠。"]


def test_bureau_creates_a_community(api_as, bureau):
    response = api_as(bureau).post(
        f"{API}/communities/",
        {"township": township("001").pk, "name": "新城社区", "residents": 8000},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["township_code"] == "330382001"
    assert Community.objects.get(pk=response.json()["id"]).history.get().history_user == bureau


def test_deleting_is_the_bureau_admins(api_as, bureau, bureau_admin, records_a):
    fee = records_a["fee-standards"]
    assert api_as(bureau).delete(f"{API}/fee-standards/{fee.pk}/").status_code == 403
    assert api_as(bureau_admin).delete(f"{API}/fee-standards/{fee.pk}/").status_code == 204
    assert not FeeStandard.objects.filter(pk=fee.pk).exists()
    assert FeeStandard.history.latest().history_user == bureau_admin


def test_deleting_an_institution_with_staff_is_a_400_not_a_500(api_as, bureau_admin, records_a):
    before = registry_state()
    response = api_as(bureau_admin).delete(f"{API}/institutions/{records_a['institutions'].pk}/")
    assert response.status_code == 400
    assert response.json()["code"] == "protected"
    assert registry_state() == before


# --- Operators: their own institution only ------------------------------------------------------


@pytest.mark.parametrize(
    "endpoint", ["institutions", "staff", "certificates", "approved-places", "care-contracts"]
)
def test_operator_lists_only_their_institutions_records(
    api_as, operator_a, records_a, records_b, endpoint
):
    response = api_as(operator_a).get(f"{API}/{endpoint}/")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [records_a[endpoint].pk]


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_operator_gets_404_for_another_institutions_record(
    api_as, operator_a, records_a, records_b, endpoint, method
):
    before = registry_state()
    url = f"{API}/{endpoint}/{records_b[endpoint].pk}/"
    payload = {} if method == "get" else {"data": {"name": "改名", "note": "改"}, "format": "json"}
    response = getattr(api_as(operator_a), method)(url, **payload)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert registry_state() == before


def test_operator_cannot_hire_staff_for_another_institution(api_as, operator_a, institution_b):
    before = registry_state()
    response = api_as(operator_a).post(f"{API}/staff/", staff_payload(institution_b), format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "does_not_exist"
    assert body["errors"]["institution"] == ["机构不存在，或您无权为该机构登记。"]
    assert registry_state() == before


def test_operator_cannot_move_their_staff_to_another_institution(
    api_as, operator_a, records_a, institution_b
):
    before = registry_state()
    response = api_as(operator_a).patch(
        f"{API}/staff/{records_a['staff'].pk}/", {"institution": institution_b.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "does_not_exist"
    assert registry_state() == before


def test_staff_member_cannot_move_institution_even_for_the_bureau(
    api_as, bureau, records_a, institution_b
):
    response = api_as(bureau).patch(
        f"{API}/staff/{records_a['staff'].pk}/", {"institution": institution_b.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "institution_immutable"


def test_operator_cannot_attach_a_certificate_to_another_institutions_staff(
    api_as, operator_a, records_a, records_b
):
    client = api_as(operator_a)
    before = registry_state()
    response = client.post(
        f"{API}/certificates/",
        {"staff": records_b["staff"].pk, "kind": "infant_carer", "issued_on": "2024-01-01"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["staff"] == ["从业人员不存在，或您无权为其登记证书。"]
    response = client.patch(
        f"{API}/certificates/{records_a['certificates'].pk}/",
        {"staff": records_b["staff"].pk},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "does_not_exist"
    assert registry_state() == before


def test_operator_manages_their_staff_and_certificates(api_as, operator_a, institution_a):
    client = api_as(operator_a)
    response = client.post(f"{API}/staff/", staff_payload(institution_a), format="json")
    assert response.status_code == 201, response.json()
    staff = response.json()
    # A full update may send back the masked number it was given: the stored one is kept.
    response = client.put(
        f"{API}/staff/{staff['id']}/",
        {**staff, "role": "teacher"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    member = StaffMember.objects.get(pk=staff["id"])
    assert (member.role, member.id_number.reveal()) == ("teacher", PLAIN_ID)
    assert member.history.latest().history_user == operator_a

    response = client.post(
        f"{API}/certificates/",
        {
            "staff": member.pk,
            "kind": "childcare_worker",
            "number": "BY1",
            "issued_on": "2024-05-01",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    certificate = response.json()
    assert (certificate["institution"], certificate["staff_name"]) == (institution_a.pk, "王小红")
    response = client.patch(
        f"{API}/certificates/{certificate['id']}/", {"expires_on": "2027-04-30"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["expires_on"] == "2027-04-30"
    assert client.delete(f"{API}/certificates/{certificate['id']}/").status_code == 204
    assert Certificate.history.latest().history_user == operator_a


def test_masked_number_other_than_the_stored_one_is_refused(api_as, operator_a, records_a):
    response = api_as(operator_a).patch(
        f"{API}/staff/{records_a['staff'].pk}/", {"id_number": "330382********1234"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "resident_id_masked"


def test_operator_cannot_write_institutions_or_dated_facts(api_as, operator_a, records_a):
    client = api_as(operator_a)
    before = registry_state()
    assert client.post(f"{API}/institutions/", institution_payload()).status_code == 403
    for endpoint in ["institutions", *DATED_ENDPOINTS]:
        url = f"{API}/{endpoint}/{records_a[endpoint].pk}/"
        assert client.patch(url, {"note": "改"}, format="json").status_code == 403, endpoint
        assert client.put(url, {"note": "改"}, format="json").status_code == 403, endpoint
        assert client.delete(url).status_code == 403, endpoint
    response = client.post(
        f"{API}/fee-standards/",
        {"institution": records_a["institutions"].pk, "effective_from": "2025-09-01"},
        format="json",
    )
    assert response.status_code == 403
    assert client.delete(f"{API}/staff/{records_a['staff'].pk}/").status_code == 403
    assert registry_state() == before


# --- Read-only roles and anonymous --------------------------------------------------------------


@pytest.mark.parametrize("persona", ["auditor", "education", "inspector"])
def test_city_wide_readers_read_every_institutions_records(
    request, api_as, records_a, records_b, persona
):
    client = api_as(request.getfixturevalue(persona))
    for endpoint in [*ENDPOINTS, "communities"]:
        response = client.get(f"{API}/{endpoint}/")
        assert response.status_code == 200, endpoint
    assert client.get(f"{API}/staff/").json()["count"] == 2
    assert client.get(f"{API}/staff/{records_b['staff'].pk}/").status_code == 200


@pytest.mark.parametrize("persona", ["auditor", "education", "inspector"])
@pytest.mark.parametrize("endpoint", [*ENDPOINTS, "communities"])
def test_read_only_roles_get_403_on_every_write(
    request, api_as, records_a, institution_a, endpoint, persona
):
    records_a["communities"] = Community.objects.create(
        township=township(), name="只读社区", residents=100
    )
    client = api_as(request.getfixturevalue(persona))
    before = registry_state()
    url = f"{API}/{endpoint}/{records_a[endpoint].pk}/"
    payload = {"institution": institution_a.pk, "name": "改", "note": "改"}
    assert client.post(f"{API}/{endpoint}/", payload, format="json").status_code == 403
    assert client.put(url, payload, format="json").status_code == 403
    assert client.patch(url, payload, format="json").status_code == 403
    response = client.delete(url)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert registry_state() == before


@pytest.mark.parametrize("endpoint", [*ENDPOINTS, "communities"])
def test_anonymous_is_refused_everywhere(api_as, anonymous, records_a, endpoint):
    client = api_as(anonymous)
    before = registry_state()
    assert client.get(f"{API}/{endpoint}/").status_code in (401, 403)
    assert client.post(f"{API}/{endpoint}/", {}, format="json").status_code in (401, 403)
    if endpoint != "communities":
        url = f"{API}/{endpoint}/{records_a[endpoint].pk}/"
        assert client.get(url).status_code in (401, 403)
        assert client.delete(url).status_code in (401, 403)
    assert registry_state() == before


def test_family_cannot_read_the_registry(api_as, family, records_a):
    assert api_as(family).get(f"{API}/institutions/").status_code == 403


# --- ID numbers ---------------------------------------------------------------------------------


def test_id_numbers_come_back_masked_in_every_staff_payload(api_as, bureau, institution_a):
    client = api_as(bureau)
    masked = mask_resident_id(PLAIN_ID)
    created = client.post(f"{API}/staff/", staff_payload(institution_a), format="json")
    pk = created.json()["id"]
    responses = [
        created,
        client.get(f"{API}/staff/"),
        client.get(f"{API}/staff/{pk}/"),
        client.get(f"{API}/staff/", {"id_number": PLAIN_ID}),
        client.patch(f"{API}/staff/{pk}/", {"name": "王小红（改）"}, format="json"),
        client.put(
            f"{API}/staff/{pk}/",
            staff_payload(institution_a, name="王小红", id_number=PLAIN_ID.lower()),
            format="json",
        ),
    ]
    for response in responses:
        assert response.status_code in (200, 201), response.content
        assert PLAIN_ID not in response.content.decode()
        assert PLAIN_ID[6:14] not in response.content.decode()  # not even the birth date
        rows = response.json().get("results", [response.json()])
        assert {row["id_number"] for row in rows} == {masked}


def test_staff_are_found_by_id_number(api_as, bureau, operator_a, institution_a, institution_b):
    StaffMemberFactory(institution=institution_a, id_number=PLAIN_ID, name="甲")
    StaffMemberFactory(institution=institution_b, id_number=PLAIN_ID, name="乙")
    StaffMemberFactory(institution=institution_a, name="丙")
    response = api_as(bureau).get(f"{API}/staff/", {"id_number": f" {PLAIN_ID.lower()} "})
    assert sorted(row["name"] for row in response.json()["results"]) == ["乙", "甲"]
    response = api_as(operator_a).get(f"{API}/staff/", {"id_number": PLAIN_ID})
    assert [row["name"] for row in response.json()["results"]] == ["甲"]


def test_a_malformed_id_number_lookup_is_a_400(api_as, bureau):
    response = api_as(bureau).get(f"{API}/staff/", {"id_number": WRONG_CHECK_ID})
    assert response.status_code == 400
    assert "id_number" in response.json()["errors"]


def test_a_bad_id_number_is_refused_on_hire(api_as, bureau, institution_a):
    response = api_as(bureau).post(
        f"{API}/staff/", staff_payload(institution_a, id_number=WRONG_CHECK_ID), format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["id_number"][0].startswith("身份证号码")


# --- The as-of day ------------------------------------------------------------------------------


def test_a_fee_change_dated_after_d_does_not_change_the_fee_as_of_d(api_as, bureau, institution_a):
    FeeStandardFactory(institution=institution_a, effective_from=dt.date(2024, 3, 1))
    FeeStandardFactory(
        institution=institution_a, effective_from=dt.date(2025, 7, 1), monthly_full_day=2200
    )
    client = api_as(bureau)
    url = f"{API}/institutions/{institution_a.pk}/"
    before = client.get(url, {"as_of": "2025-06-30"}).json()["facts"]
    after = client.get(url, {"as_of": "2025-07-01"}).json()["facts"]
    assert (before["as_of"], before["fee_full_day"]) == ("2025-06-30", "1800.00")
    assert (after["as_of"], after["fee_full_day"]) == ("2025-07-01", "2200.00")
    listed = client.get(f"{API}/institutions/", {"as_of": "2025-06-30"}).json()["results"]
    assert listed[0]["facts"]["fee_full_day"] == "1800.00"


def test_institution_facts_as_of_a_day(api_as, bureau, records_a):
    facts = (
        api_as(bureau)
        .get(f"{API}/institutions/{records_a['institutions'].pk}/", {"as_of": "2025-01-01"})
        .json()["facts"]
    )
    assert facts["places"] == {"infant": 0, "toddler": 15, "older": 20, "mixed": 0, "total": 35}
    assert facts["stars"] == 3
    assert facts["is_inclusive"] is True
    assert facts["has_care_contract"] is True
    assert facts["has_panic_alarm"] is False
    assert facts["instructor"] == records_a["instructor-assignments"].instructor_id
    assert (facts["care_staff_count"], facts["certified_care_staff_count"]) == (1, 1)


def test_inclusive_and_filing_filters_read_the_as_of_day(
    api_as, bureau, institution_a, institution_b
):
    InclusiveRecognitionFactory(
        institution=institution_a, valid_from=dt.date(2024, 3, 1), valid_to=dt.date(2024, 12, 31)
    )
    institution_b.closed_on = dt.date(2025, 1, 1)
    institution_b.save()
    client = api_as(bureau)

    def ids(**params) -> set[int]:
        response = client.get(f"{API}/institutions/", params)
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids(inclusive="true", as_of="2024-12-31") == {institution_a.pk}
    assert ids(inclusive="true", as_of="2025-01-01") == set()
    assert ids(inclusive="true") == set()
    assert ids(inclusive="false", as_of="2024-12-31") == {institution_b.pk}
    assert ids(filing="counted", as_of="2024-12-31") == {institution_a.pk, institution_b.pk}
    assert ids(filing="counted", as_of="2025-01-01") == {institution_a.pk}
    assert ids(filing="closed", as_of="2025-01-01") == {institution_b.pk}
    assert ids(filing="unfiled", as_of="2024-02-29") == {institution_a.pk, institution_b.pk}


def test_institutions_filter_by_township_id_and_code(api_as, bureau, institution_a, institution_b):
    institution_b.township = township("001")
    institution_b.save()
    client = api_as(bureau)
    by_code = client.get(f"{API}/institutions/", {"township_code": "330382001"}).json()
    by_id = client.get(f"{API}/institutions/", {"township": township("001").pk}).json()
    assert [row["id"] for row in by_code["results"]] == [institution_b.pk]
    assert [row["id"] for row in by_id["results"]] == [institution_b.pk]


def test_dated_records_filter_by_institution_and_dates(
    api_as, bureau, institution_a, institution_b
):
    FeeStandardFactory(institution=institution_a, effective_from=dt.date(2024, 3, 1))
    later = FeeStandardFactory(institution=institution_a, effective_from=dt.date(2025, 7, 1))
    FeeStandardFactory(institution=institution_b, effective_from=dt.date(2025, 7, 1))
    response = api_as(bureau).get(
        f"{API}/fee-standards/",
        {"institution": institution_a.pk, "effective_from_after": "2025-01-01"},
    )
    assert [row["id"] for row in response.json()["results"]] == [later.pk]


def test_a_malformed_as_of_is_a_400(api_as, bureau, institution_a):
    response = api_as(bureau).get(f"{API}/institutions/", {"as_of": "2025-13-01"})
    assert response.status_code == 400
    assert "as_of" in response.json()["errors"]


# --- Bounded queries ----------------------------------------------------------------------------

LIST_QUERY_LIMIT = 4  # roles, count, page; institutions also prefetch their operators


def _list_queries(api_as, user, endpoint: str, at_most) -> int:
    # A fresh user object each time: roles are cached on it after the first request.
    client = api_as(get_user_model().objects.get(pk=user.pk))
    with at_most(LIST_QUERY_LIMIT) as queries:
        response = client.get(f"{API}/{endpoint}/", {"page_size": 500})
    assert response.status_code == 200
    assert len(response.json()["results"]) > 0
    return len(queries)


@pytest.mark.parametrize("persona", ["bureau", "operator_a"])
@pytest.mark.parametrize("endpoint", ["institutions", "staff", "approved-places", "certificates"])
def test_list_queries_do_not_grow_with_the_registry(
    request, api_as, django_assert_max_num_queries, endpoint, persona
):
    user = request.getfixturevalue(persona)
    if persona == "operator_a":
        records_of(request.getfixturevalue("institution_a"))  # so their lists are not empty
    make_registry(100)
    with_100 = _list_queries(api_as, user, endpoint, django_assert_max_num_queries)
    # A seed whose two staff per institution never share an ID number (as seed 1's do not).
    make_registry(900, seed=5)
    assert Institution.objects.count() >= 1000
    with_1000 = _list_queries(api_as, user, endpoint, django_assert_max_num_queries)
    assert with_1000 == with_100


def test_a_ten_digit_mobile_contact_number_is_refused(api_as, bureau, institution_a):
    client = api_as(bureau)
    url = f"{API}/institutions/{institution_a.pk}/"
    response = client.patch(url, {"contact_phone": "1391234567"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "phone_format"
    assert body["errors"]["contact_phone"] == ["请输入11位手机号码或带区号的固定电话。"]
    for number in ("13912345678", "0577-62345678"):
        assert client.patch(url, {"contact_phone": number}, format="json").status_code == 200
