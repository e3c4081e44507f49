"""The monthly-report and parenting-session API: who may do what, the rules' answers, bounded
queries."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from institutions.models import (
    Institution,
    LecturerMember,
    MonthlyReport,
    ParentingSession,
    Township,
)
from institutions.reports import services
from tests.factories import CommunityFactory, HealthFacilityFactory, InstitutionFactory, township

from .conftest import MARCH, good_numbers

pytestmark = pytest.mark.django_db

API = "/api/v1/monthly-reports"
SESSIONS = "/api/v1/parenting-sessions"
CST = dt.timezone(dt.timedelta(hours=8))


def at(month, day, hour=10):
    return time_machine.travel(dt.datetime(2025, month, day, hour, tzinfo=CST), tick=False)


def snapshot() -> dict:
    """Every report row and the size of every audit history: equal means nothing was written."""
    return {
        "reports": [
            {k: str(v) for k, v in row.items()}
            for row in MonthlyReport.objects.order_by("pk").values()
        ],
        "report history": MonthlyReport.history.count(),
        "sessions": list(ParentingSession.objects.order_by("pk").values()),
    }


def submitted(institution, actor=None, **numbers) -> MonthlyReport:
    """A report of `institution` for March, submitted with zeros (or `numbers`)."""
    report = services.report_get_or_start(institution=institution, period=MARCH)
    return services.report_submit(report=report, actor=actor, **numbers)


@pytest.fixture
def report_b(institution_b, in_window):
    return services.report_get_or_start(institution=institution_b, period=MARCH)


# --- Operators file their own reports -----------------------------------------------------------


def test_operator_starts_fills_in_and_submits_a_report(api_as, operator_a, registered, in_window):
    client = api_as(operator_a)
    response = client.post(API + "/", {"institution": registered.pk, "period": "2025-03"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["state"], body["period"], body["due_on"]) == ("draft", "2025-03", "2025-04-10")
    assert (body["staff_on_duty"], body["staff_certified"]) == (
        3,
        2,
    )  # pre-filled from the registry
    assert body["edit_block_reason"] == ""
    assert body["is_on_time"] is None

    again = client.post(API + "/", {"institution": registered.pk, "period": "2025-03"})
    assert (again.status_code, again.json()["id"]) == (200, body["id"])

    response = client.patch(f"{API}/{body['id']}/", good_numbers(), format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["enrolled_total"] == 17

    response = client.post(f"{API}/{body['id']}/submit/", {}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["state"] == "submitted"
    assert body["is_on_time"] is True
    assert "等待卫健局审核" in body["edit_block_reason"]
    report = MonthlyReport.objects.get()
    assert report.submitted_by == operator_a
    assert report.history.first().history_user == operator_a


def test_starting_before_the_window_opens_is_refused_with_the_reason(
    api_as, operator_a, registered
):
    with at(3, 31, 23):
        response = api_as(operator_a).post(
            API + "/", {"institution": registered.pk, "period": "2025-03"}
        )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "report_locked"
    assert "2025-04-01开放填报" in body["errors"]["non_field_errors"][0]
    assert not MonthlyReport.objects.exists()


def test_a_bad_month_is_refused(api_as, operator_a, registered, in_window):
    response = api_as(operator_a).post(
        API + "/", {"institution": registered.pk, "period": "2025-13"}
    )
    assert response.status_code == 400
    assert "YYYY-MM" in response.json()["errors"]["period"][0]


def test_each_warning_needs_a_comment(api_as, operator_a, march_report):
    client = api_as(operator_a)
    # 10 toddlers and 14 older children need 4 carers (3 on duty); 2000 is above the 1800 standard.
    numbers = good_numbers(enrolled_toddler=10, enrolled_older=14, fee_full_day="2000.00")
    response = client.post(f"{API}/{march_report.pk}/submit/", numbers, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "warning_comment_required"
    message = body["errors"]["warning_comment"][0]
    assert "有2条预警" in message
    assert "保育人员配比低于国家标准" in message
    assert "高于收费标准1800.00元" in message
    report = MonthlyReport.objects.get()
    assert (report.state, report.enrolled_toddler) == (
        "draft",
        0,
    )  # the failed submit wrote nothing

    numbers["warning_comment"] = "新招保育员下月到岗；收费经物价部门备案"
    response = client.post(f"{API}/{march_report.pk}/submit/", numbers, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["state"] == "submitted"
    assert {w["code"] for w in body["warnings"]} == {"staff_ratio", "fee_above_standard"}


def test_an_error_blocks_and_says_which_field(api_as, operator_a, march_report):
    client = api_as(operator_a)
    response = client.post(
        f"{API}/{march_report.pk}/submit/", good_numbers(enrolled_toddler=11), format="json"
    )
    assert response.status_code == 400
    assert "超过月末核定托位（10）" in response.json()["errors"]["enrolled_toddler"][0]

    response = client.patch(f"{API}/{march_report.pk}/", {"attendance_days": -1}, format="json")
    assert response.status_code == 400
    assert "不能为负数" in response.json()["errors"]["attendance_days"][0]

    # Staff numbers that differ from the registry may be saved, but need a reason to submit.
    response = client.post(
        f"{API}/{march_report.pk}/submit/",
        good_numbers(staff_on_duty=4, staff_certified=2),
        format="json",
    )
    assert response.status_code == 400
    assert "请说明原因" in response.json()["errors"]["staff_override_reason"][0]
    assert MonthlyReport.objects.get().state == "draft"


def test_fields_the_operator_does_not_fill_in_are_refused(api_as, operator_a, march_report):
    response = api_as(operator_a).patch(
        f"{API}/{march_report.pk}/", {"state": "accepted", "enrolled_toddler": 5}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "readonly"
    assert MonthlyReport.objects.get().state == "draft"


def test_an_accepted_report_cannot_be_changed_through_the_api(
    api_as, operator_a, bureau, march_report
):
    services.report_submit(report=march_report, **good_numbers())
    services.report_accept(report=march_report, actor=bureau)
    before = snapshot()
    client = api_as(operator_a)

    body = client.get(f"{API}/{march_report.pk}/").json()
    assert "已审核通过，数据已锁定" in body["edit_block_reason"]
    for response in (
        client.patch(f"{API}/{march_report.pk}/", {"enrolled_toddler": 1}, format="json"),
        client.post(f"{API}/{march_report.pk}/submit/", {"enrolled_toddler": 1}, format="json"),
    ):
        assert response.status_code == 400
        assert response.json()["code"] == "report_locked"
        assert "已审核通过" in response.json()["errors"]["non_field_errors"][0]
    assert snapshot() == before


def test_operator_cannot_see_or_file_another_institutions_report(
    api_as, operator_a, registered, report_b, institution_b
):
    before = snapshot()
    client = api_as(operator_a)
    assert client.get(f"{API}/{report_b.pk}/").status_code == 404
    assert client.patch(f"{API}/{report_b.pk}/", {"enrolled_toddler": 1}).status_code == 404
    assert client.post(f"{API}/{report_b.pk}/submit/", {}).status_code == 404
    assert client.get(API + "/").json()["count"] == 0
    assert client.get(API + "/", {"institution": institution_b.pk}).status_code == 400

    for period in ("2025-03", "2025-04"):
        response = client.post(API + "/", {"institution": institution_b.pk, "period": period})
        assert response.status_code == 400
        assert response.json()["errors"]["institution"] == ["该机构不存在，或您无权为其填报。"]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("post", "{pk}/accept/", {}),
        ("post", "{pk}/return/", {"reason": "请核对"}),
        ("post", "{pk}/reopen/", {"reason": "请核对"}),
        ("post", "review/", {"ids": ["{pk}"], "action": "accept"}),
        ("get", "export/?period=2025-03", None),
    ],
)
def test_operator_may_not_review_or_export(api_as, operator_a, march_report, method, path, data):
    services.report_submit(report=march_report, **good_numbers())
    before = snapshot()
    if data and "ids" in data:
        data = {**data, "ids": [march_report.pk]}
    url = f"{API}/{path.format(pk=march_report.pk)}"
    response = getattr(api_as(operator_a), method)(url, data, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert snapshot() == before


# --- The bureau reviews --------------------------------------------------------------------------


def test_bureau_returns_with_a_reason_accepts_and_reopens(api_as, bureau, operator_a, march_report):
    services.report_submit(report=march_report, actor=operator_a, **good_numbers())
    client = api_as(bureau)
    url = f"{API}/{march_report.pk}"

    response = client.post(f"{url}/return/", {"reason": "  "}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "required"
    assert "请填写原因" in response.json()["errors"]["reason"][0]

    response = client.post(f"{url}/return/", {"reason": "请核对托大班人数"}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["state"], response.json()["return_reason"]) == (
        "returned",
        "请核对托大班人数",
    )
    operator_view = api_as(operator_a).get(f"{url}/").json()
    assert operator_view["return_reason"] == "请核对托大班人数"
    assert operator_view["edit_block_reason"] == ""

    assert client.post(f"{url}/accept/").status_code == 400  # returned, not submitted
    response = api_as(operator_a).post(f"{url}/submit/", {"enrolled_older": 8}, format="json")
    assert response.status_code == 200, response.json()
    response = client.post(f"{url}/accept/")
    assert (response.status_code, response.json()["state"]) == (200, "accepted")
    response = client.post(f"{url}/accept/")
    assert (response.status_code, response.json()["code"]) == (400, "bad_state")

    assert client.post(f"{url}/reopen/", {}, format="json").status_code == 400
    response = client.post(f"{url}/reopen/", {"reason": "收费数据有误"}, format="json")
    assert (response.status_code, response.json()["state"]) == (200, "returned")
    history = MonthlyReport.objects.get().history.order_by("history_date", "history_id")
    assert [h.history_user.username for h in history][-4:] == [
        "operator_a",
        "operator_a",
        "bureau",
        "bureau",
    ]


def test_bureau_does_not_fill_in_an_institutions_report(api_as, bureau, march_report):
    client = api_as(bureau)
    assert client.patch(f"{API}/{march_report.pk}/", {"enrolled_toddler": 1}).status_code == 403
    assert client.post(f"{API}/{march_report.pk}/submit/", {}).status_code == 403


def test_bureau_reviews_many_at_once(api_as, bureau, registered, in_window):
    first, second = InstitutionFactory(), InstitutionFactory()
    draft = services.report_get_or_start(institution=registered, period=MARCH)
    done = [submitted(first), submitted(second)]
    client = api_as(bureau)

    response = client.post(
        f"{API}/review/",
        {"ids": [done[0].pk, done[1].pk, draft.pk, 999999], "action": "accept"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["done"], body["not_found"]) == (2, [999999])
    assert len(body["errors"]) == 1 and "草稿" in body["errors"][0]
    assert set(MonthlyReport.objects.values_list("state", flat=True)) == {"accepted", "draft"}

    response = client.post(
        f"{API}/review/", {"ids": [done[0].pk], "action": "return"}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (400, "required")


@pytest.mark.parametrize("persona", ["auditor", "education"])
def test_read_only_roles_read_and_never_write(request, api_as, persona, march_report):
    user = request.getfixturevalue(persona)
    services.report_submit(report=march_report, **good_numbers())
    before = snapshot()
    client = api_as(user)
    assert client.get(API + "/").json()["count"] == 1
    assert client.get(f"{API}/{march_report.pk}/").status_code == 200
    url = f"{API}/{march_report.pk}"
    writes = [
        client.post(API + "/", {"institution": march_report.institution_id, "period": "2025-03"}),
        client.patch(f"{url}/", {"enrolled_toddler": 1}),
        client.post(f"{url}/submit/", {}),
        client.post(f"{url}/accept/", {}),
        client.post(f"{url}/return/", {"reason": "x"}),
        client.post(f"{url}/reopen/", {"reason": "x"}),
        client.post(f"{API}/review/", {"ids": [march_report.pk], "action": "accept"}),
        client.get(f"{API}/export/", {"period": "2025-03"}),
        client.post(
            SESSIONS + "/",
            {"organiser_kind": "health_centre", "organiser_name": "x", "township": 1, "topic": "x"},
        ),
    ]
    assert [response.status_code for response in writes] == [403] * len(writes)
    assert snapshot() == before


# --- What a report says ---------------------------------------------------------------------------


def test_list_and_detail_say_why_a_draft_is_locked_and_an_exception_reopens_it(
    api_as, operator_a, bureau, march_report
):
    client = api_as(operator_a)
    with at(5, 1):
        listed = client.get(API + "/").json()["results"][0]["edit_block_reason"]
        detail = client.get(f"{API}/{march_report.pk}/").json()["edit_block_reason"]
        assert listed == detail == services.edit_block_reason(march_report)
        assert "已于2025-05-01锁定" in listed
        assert client.patch(f"{API}/{march_report.pk}/", {"enrolled_toddler": 2}).status_code == 400

        services.exception_grant(
            institution=march_report.institution,
            period=MARCH,
            open_until=dt.date(2025, 5, 10),
            reason="系统故障补报",
            actor=bureau,
        )
        assert client.get(API + "/").json()["results"][0]["edit_block_reason"] == ""
        assert client.patch(f"{API}/{march_report.pk}/", {"enrolled_toddler": 2}).status_code == 200


def test_list_filters_by_period_state_township_institution_and_warnings(
    api_as, bureau, registered, in_window
):
    hongqiao = InstitutionFactory(township=township("108"))
    warned = services.report_submit(
        report=services.report_get_or_start(institution=registered, period=MARCH),
        warning_comment="新招保育员下月到岗",
        **good_numbers(enrolled_toddler=10, enrolled_older=14),
    )
    quiet = submitted(hongqiao)
    draft = services.report_get_or_start(institution=InstitutionFactory(), period=MARCH)
    client = api_as(bureau)

    def ids(**params):
        response = client.get(API + "/", params)
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids(period="2025-03") == {warned.pk, quiet.pk, draft.pk}
    assert ids(period="2025-02") == set()
    assert ids(state="draft") == {draft.pk}
    assert ids(township="330382108") == {quiet.pk}
    assert ids(township=str(hongqiao.township_id)) == {quiet.pk}
    assert ids(institution=registered.pk) == {warned.pk}
    assert ids(has_warnings="true") == {warned.pk}
    assert ids(has_warnings="false") == {quiet.pk, draft.pk}
    assert client.get(API + "/", {"period": "March"}).status_code == 400


# --- Parenting sessions --------------------------------------------------------------------------


def session_payload(**overrides) -> dict:
    return {"held_on": "2025-03-15", "topic": "婴幼儿辅食添加", "families_reached": 12, **overrides}


def test_operator_files_sessions_for_their_own_institution_only(
    api_as, operator_a, institution_a, institution_b, bureau
):
    client = api_as(operator_a)
    response = client.post(SESSIONS + "/", session_payload(institution=institution_a.pk))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["organiser_kind"] == "institution"
    assert body["organiser_name"] == "甲托育中心"  # taken from the institution
    assert body["township"] == institution_a.township_id
    assert ParentingSession.objects.get().created_by == operator_a

    before = snapshot()
    refused = [
        client.post(SESSIONS + "/", session_payload(institution=institution_b.pk)),
        client.post(
            SESSIONS + "/",
            session_payload(
                organiser_kind="health_centre",
                organiser_name="柳市镇卫生院",
                township=institution_a.township_id,
            ),
        ),
        client.post(SESSIONS + "/", session_payload()),  # no institution
    ]
    assert [response.status_code for response in refused] == [400, 400, 400]
    assert refused[0].json()["errors"]["institution"] == ["该机构不存在，或您无权为其填报。"]
    assert refused[1].json()["code"] == "forbidden"
    assert snapshot() == before

    services.parenting_session_save(
        session=ParentingSession(
            held_on=dt.date(2025, 3, 20),
            organiser_kind="institution",
            institution=institution_b,
            organiser_name=institution_b.name,
            township=institution_b.township,
            topic="亲子阅读",
            families_reached=5,
        ),
        actor=bureau,
    )
    assert [row["organiser_name"] for row in client.get(SESSIONS + "/").json()["results"]] == [
        "甲托育中心"
    ]
    assert client.get(f"{SESSIONS}/export/", {"month": "2025-03"}).status_code == 403


def test_bureau_files_health_centre_sessions_and_lists_by_month_and_township(
    api_as, bureau, operator_a, institution_a
):
    client = api_as(bureau)
    hongqiao = township("108")
    facility = HealthFacilityFactory(name="虹桥镇卫生院", township=hongqiao)
    before = snapshot()
    free_text = client.post(
        SESSIONS + "/",
        session_payload(
            organiser_kind="health_centre", organiser_name="虹桥镇卫生院", township=hongqiao.pk
        ),
    )
    assert free_text.status_code == 400  # a facility is named, never typed
    assert "facility" in free_text.json()["errors"]
    assert snapshot() == before
    response = client.post(
        SESSIONS + "/",
        session_payload(organiser_kind="health_centre", facility=facility.pk, venue="hospital"),
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["institution"] is None
    assert (body["facility"], body["facility_name"]) == (facility.pk, "虹桥镇卫生院")
    assert (body["township"], body["venue"]) == (hongqiao.pk, "hospital")
    assert (
        client.post(
            SESSIONS + "/", session_payload(held_on="2025-04-02", institution=institution_a.pk)
        ).status_code
        == 201
    )

    def names(**params):
        return [
            row["organiser_name"] for row in client.get(SESSIONS + "/", params).json()["results"]
        ]

    assert sorted(names()) == ["甲托育中心", "虹桥镇卫生院"]
    assert names(month="2025-03") == ["虹桥镇卫生院"]
    assert names(month="2025-04", township="330382114") == ["甲托育中心"]
    assert names(month="2025-03", township="330382114") == []
    # Operators do not see health centres' sessions.
    assert api_as(operator_a).get(SESSIONS + "/").json()["count"] == 1


def test_a_session_carries_its_list_venue_community_and_lecturers_through_the_api(
    api_as, operator_a, bureau, institution_a
):
    community = CommunityFactory(township=institution_a.township, name="本镇社区")
    member = LecturerMember.objects.create(
        name="王讲师",
        profession="paediatrician",
        organisation="乐清市人民医院",
        joined_on=dt.date(2024, 1, 1),
    )
    client = api_as(operator_a)
    response = client.post(
        SESSIONS + "/",
        {
            "held_on": "2025-03-15",
            "topic": "亲子阅读",
            "institution": institution_a.pk,
            "venue": "community",
            "community": community.pk,
            "mobiles": ["13957700401", "139 5770 0402", "13957700401"],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["families_reached"], body["families_on_list"]) == (2, 2)
    assert (body["community"], body["community_name"], body["venue"]) == (
        community.pk,
        "本镇社区",
        "community",
    )
    assert "mobiles" not in body and "1395770040" not in response.content.decode()
    bad = client.post(
        SESSIONS + "/",
        {**session_payload(institution=institution_a.pk), "mobiles": ["123"]},
        format="json",
    )
    assert bad.status_code == 400 and "123" not in bad.content.decode()
    # The bureau names lecturers; they come back on every read.
    response = api_as(bureau).post(
        SESSIONS + "/",
        {**session_payload(institution=institution_a.pk), "lecturers": [member.pk]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["lecturers"] == [member.pk]
    detail = api_as(bureau).get(f"{SESSIONS}/{response.json()['id']}/").json()
    assert detail["lecturers"] == [member.pk] and detail["facility"] is None
    # A facility belongs to a health centre's session only.
    facility = HealthFacilityFactory()
    wrong = api_as(bureau).post(
        SESSIONS + "/", session_payload(institution=institution_a.pk, facility=facility.pk)
    )
    assert wrong.status_code == 400


# --- Bounded queries -----------------------------------------------------------------------------


def bare_reports(count: int, start: int) -> None:
    """`count` institutions with a March report each, a third with warnings; bulk-created (the
    full registry of tests/bulk.py is not needed to list reports)."""
    townships = list(Township.objects.all())
    institutions = Institution.objects.bulk_create(
        Institution(
            name=f"批量机构{number:05d}",
            kind=Institution.Kind.CENTRE,
            ownership=Institution.Ownership.PRIVATE,
            township=townships[number % len(townships)],
            filed_on=dt.date(2024, 1, 1),
        )
        for number in range(start, start + count)
    )
    submitted_at = dt.datetime(2025, 4, 8, 9, tzinfo=CST)
    MonthlyReport.objects.bulk_create(
        MonthlyReport(
            institution=institution,
            period=MARCH,
            state="submitted" if number % 2 else "draft",
            first_submitted_at=submitted_at if number % 2 else None,
            submitted_at=submitted_at if number % 2 else None,
            enrolled_toddler=5,
            warnings=[{"code": "staff_ratio", "message": "配比不足"}] if number % 3 == 0 else [],
        )
        for number, institution in enumerate(institutions, start)
    )


def list_queries(client_for, user, params: dict) -> int:
    fresh = get_user_model().objects.get(pk=user.pk)  # roles are read once per user object
    with CaptureQueriesContext(connection) as queries:
        response = client_for(fresh).get(API + "/", {**params, "page_size": 100})
    assert response.status_code == 200
    return len(queries)


def test_list_runs_the_same_few_queries_for_100_or_10000_reports(
    api_as, bureau, operator_a, institution_a, in_window, django_assert_max_num_queries
):
    services.report_get_or_start(institution=institution_a, period=MARCH)
    filtered = {"period": "2025-03", "township": "330382114", "has_warnings": "false"}
    bare_reports(100, 0)
    small = {
        "bureau": list_queries(api_as, bureau, {}),
        "bureau filtered": list_queries(api_as, bureau, filtered),
        "operator": list_queries(api_as, operator_a, {"institution": institution_a.pk}),
    }
    bare_reports(9_900, 100)
    assert MonthlyReport.objects.count() == 10_001
    large = {
        "bureau": list_queries(api_as, bureau, {}),
        "bureau filtered": list_queries(api_as, bureau, filtered),
        "operator": list_queries(api_as, operator_a, {"institution": institution_a.pk}),
    }
    print("list queries, 100 reports:", small, "10,000 reports:", large)
    assert large == small
    fresh = get_user_model().objects.get(pk=operator_a.pk)
    with django_assert_max_num_queries(4):
        response = api_as(fresh).get(API + "/", {"institution": institution_a.pk})
    assert response.json()["count"] == 1
    fresh = get_user_model().objects.get(pk=bureau.pk)
    with django_assert_max_num_queries(3):
        response = api_as(fresh).get(API + "/", {"page_size": 500})
    assert response.json()["count"] == 10_001
    assert len(response.json()["results"]) == 500
