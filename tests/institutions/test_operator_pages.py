"""Operator pages of the registry: scoping (404), read-only roles (403), writes via services."""

import datetime as dt
import random
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from institutions.models import Certificate, StaffMember
from lequing_tuoyu.demo import make_resident_id
from portal.validators import mask_resident_id
from tests.bulk import make_registry
from tests.factories import (
    ApprovedPlacesFactory,
    CareContractFactory,
    CertificateFactory,
    FeeStandardFactory,
    InclusiveRecognitionFactory,
    InstitutionFactory,
    StaffMemberFactory,
    StarRatingFactory,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 6, 16)
_rng = random.Random(2025)


@pytest.fixture(autouse=True)
def _today():
    # "Today" decides the flags (expiring within 60 days, valid today), so it is fixed.
    moment = dt.datetime(2025, 6, 16, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(moment, tick=False):
        yield


def new_id_number(born=dt.date(1992, 4, 1)) -> str:
    return make_resident_id(_rng, born=born)


def staff_post(**overrides) -> dict:
    data = {
        "name": "李新来",
        "id_number": new_id_number(),
        "role": StaffMember.Role.CAREGIVER,
        "hired_on": "2025-06-01",
    }
    data.update(overrides)
    return data


def certificate_post(**overrides) -> dict:
    data = {
        "kind": Certificate.Kind.CHILDCARE_WORKER,
        "number": "BYS-2025-001",
        "issued_on": "2025-01-10",
        "expires_on": "2028-01-09",
    }
    data.update(overrides)
    return data


@pytest.fixture
def staff_a(institution_a):
    return StaffMemberFactory(institution=institution_a, name="甲机构保育员")


@pytest.fixture
def staff_b(institution_b):
    return StaffMemberFactory(institution=institution_b, name="乙机构保育员")


@pytest.fixture
def certificate_b(staff_b):
    return CertificateFactory(staff=staff_b)


def db_snapshot() -> dict:
    """Everything a write on these pages could change, history included."""
    return {
        "staff": sorted(
            StaffMember.objects.values_list("pk", "name", "role", "hired_on", "left_on")
        ),
        "certificates": sorted(
            Certificate.objects.values_list("pk", "kind", "number", "issued_on", "expires_on")
        ),
        "staff_history": StaffMember.history.count(),
        "certificate_history": Certificate.history.count(),
    }


# --- Scoping: another institution's objects are a 404, for GET and POST ----------------------


def other_institution_urls(institution_b, staff_b, certificate_b, institution_a) -> list:
    """(url name, args, POST data); None for read-only pages, which answer POST with 405."""
    b, s, c = institution_b.pk, staff_b.pk, certificate_b.pk
    return [
        ("institutions:institution_detail", [b], None),
        ("institutions:staff_list", [b], None),
        ("institutions:staff_add", [b], staff_post()),
        ("institutions:staff_detail", [b, s], None),
        ("institutions:staff_edit", [b, s], staff_post(name="改名")),
        ("institutions:staff_leave", [b, s], {"left_on": "2025-06-10"}),
        ("institutions:certificate_add", [b, s], certificate_post()),
        ("institutions:certificate_edit", [b, s, c], certificate_post(number="X")),
        ("institutions:certificate_delete", [b, s, c], {}),
        # Another institution's staff under one's own institution's URL is no way in either.
        ("institutions:staff_detail", [institution_a.pk, s], None),
        ("institutions:staff_edit", [institution_a.pk, s], staff_post(name="改名")),
        ("institutions:certificate_delete", [institution_a.pk, s, c], {}),
    ]


def test_operator_gets_404_for_another_institutions_pages_and_nothing_changes(
    client_as, operator_a, institution_a, institution_b, staff_b, certificate_b
):
    client = client_as(operator_a)
    before = db_snapshot()
    for name, args, data in other_institution_urls(
        institution_b, staff_b, certificate_b, institution_a
    ):
        url = reverse(name, args=args)
        assert client.get(url).status_code == 404, url
        # A read-only page refuses POST with 405 whatever the object, so that says nothing.
        assert client.post(url, data or {}).status_code == (404 if data is not None else 405), url
    assert db_snapshot() == before


def test_operator_sees_own_institution_record_with_todays_facts(
    client_as, operator_a, institution_a
):
    ApprovedPlacesFactory(institution=institution_a, effective_from=dt.date(2024, 3, 1), toddler=10)
    ApprovedPlacesFactory(
        institution=institution_a, effective_from=dt.date(2025, 1, 1), toddler=15, older=20
    )
    # A change dated after today is listed but does not count yet.
    ApprovedPlacesFactory(institution=institution_a, effective_from=dt.date(2025, 9, 1), older=99)
    FeeStandardFactory(institution=institution_a, monthly_full_day=2100, monthly_half_day=1200)
    StarRatingFactory(institution=institution_a, stars=4)
    InclusiveRecognitionFactory(institution=institution_a, document_number="乐卫普惠〔2025〕7号")
    CareContractFactory(institution=institution_a, health_facility="柳市镇社区卫生服务中心")

    response = client_as(operator_a).get(
        reverse("institutions:institution_detail", args=[institution_a.pk])
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["institution"].places_total == 35
    assert "2025-09-01" in html and "待生效" in html
    assert "2100 元/月" in html and "1200 元/月" in html
    assert "★★★★☆" in html
    assert "乐卫普惠〔2025〕7号" in html
    assert "柳市镇社区卫生服务中心" in html


def test_operator_of_one_institution_goes_straight_to_it(client_as, operator_a, institution_a):
    response = client_as(operator_a).get(reverse("institutions:my_institutions"))
    assert response.status_code == 302
    assert response.url == reverse("institutions:institution_detail", args=[institution_a.pk])


def test_operator_of_two_institutions_chooses_and_sees_no_third(
    client_as, operator_a, institution_a, institution_b
):
    institution_b.operators.add(operator_a)
    InstitutionFactory(name="丙托育中心")
    response = client_as(operator_a).get(reverse("institutions:my_institutions"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "甲托育中心" in html and "乙托育中心" in html
    assert "丙托育中心" not in html


# --- Writes by the operator ----------------------------------------------------------------


def test_empty_choices_say_what_to_choose(client_as, operator_a, institution_a):
    client = client_as(operator_a)
    html = client.get(reverse("institutions:staff_add", args=[institution_a.pk])).content.decode()
    assert '<option value="" selected>请选择岗位</option>' in html
    assert "---------" not in html
    member = StaffMemberFactory(institution=institution_a)
    url = reverse("institutions:certificate_add", args=[institution_a.pk, member.pk])
    html = client.get(url).content.decode()
    assert '<option value="" selected>请选择证书类型</option>' in html
    assert "---------" not in html


def test_operator_adds_staff_member_recorded_in_history(client_as, operator_a, institution_a):
    data = staff_post(name="陈保育")
    response = client_as(operator_a).post(
        reverse("institutions:staff_add", args=[institution_a.pk]), data, follow=True
    )
    member = StaffMember.objects.get(institution=institution_a, name="陈保育")
    assert response.redirect_chain[-1][0] == reverse(
        "institutions:staff_detail", args=[institution_a.pk, member.pk]
    )
    assert member.id_number.reveal() == data["id_number"]
    assert member.history.get().history_user == operator_a
    assert "已添加从业人员“陈保育”" in response.content.decode()
    # The page after saving shows the number masked, never in full.
    assert data["id_number"] not in response.content.decode()
    assert mask_resident_id(data["id_number"]) in response.content.decode()


def test_bad_id_check_digit_is_a_form_error(client_as, operator_a, institution_a):
    valid = new_id_number()
    wrong_check = valid[:17] + ("0" if valid[17] != "0" else "1")
    response = client_as(operator_a).post(
        reverse("institutions:staff_add", args=[institution_a.pk]),
        staff_post(id_number=wrong_check),
    )
    assert response.status_code == 200
    assert "身份证号码校验位不正确" in response.content.decode()
    assert not StaffMember.objects.exists()


def test_overlapping_employment_of_the_same_person_is_a_form_error(
    client_as, operator_a, institution_a
):
    number = new_id_number()
    StaffMemberFactory(institution=institution_a, id_number=number, hired_on=dt.date(2024, 3, 1))
    response = client_as(operator_a).post(
        reverse("institutions:staff_add", args=[institution_a.pk]),
        staff_post(id_number=number, hired_on="2025-01-01"),
    )
    assert response.status_code == 200
    assert "任职期间与已有记录重叠" in response.content.decode()
    assert "id_number" in response.context["form"].errors
    assert StaffMember.objects.count() == 1


def test_rehiring_after_leaving_is_allowed(client_as, operator_a, institution_a):
    number = new_id_number()
    StaffMemberFactory(
        institution=institution_a,
        id_number=number,
        hired_on=dt.date(2024, 3, 1),
        left_on=dt.date(2025, 1, 1),
    )
    response = client_as(operator_a).post(
        reverse("institutions:staff_add", args=[institution_a.pk]),
        staff_post(id_number=number, hired_on="2025-02-01"),
    )
    assert response.status_code == 302
    assert StaffMember.objects.count() == 2


def test_edit_with_the_masked_number_sent_back_keeps_the_stored_number(
    client_as, operator_a, institution_a, staff_a
):
    number = staff_a.id_number.reveal()
    url = reverse("institutions:staff_edit", args=[institution_a.pk, staff_a.pk])
    client = client_as(operator_a)
    form_html = client.get(url).content.decode()
    assert mask_resident_id(number) in form_html
    assert number not in form_html

    response = client.post(
        url,
        {
            "name": "甲机构保育员（改）",
            "id_number": mask_resident_id(number),
            "role": StaffMember.Role.TEACHER,
            "hired_on": "2024-03-01",
            "left_on": "",
        },
    )
    assert response.status_code == 302
    staff_a.refresh_from_db()
    assert staff_a.name == "甲机构保育员（改）"
    assert staff_a.role == StaffMember.Role.TEACHER
    assert staff_a.id_number.reveal() == number
    assert staff_a.history.latest().history_user == operator_a


def test_mark_left_asks_for_confirmation_then_records_the_date(
    client_as, operator_a, institution_a, staff_a
):
    url = reverse("institutions:staff_leave", args=[institution_a.pk, staff_a.pk])
    client = client_as(operator_a)
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "确认将“甲机构保育员”标记为离职？" in confirm.content.decode()
    staff_a.refresh_from_db()
    assert staff_a.left_on is None

    response = client.post(url, {"left_on": "2025-06-15"}, follow=True)
    staff_a.refresh_from_db()
    assert staff_a.left_on == dt.date(2025, 6, 15)
    assert staff_a.history.latest().history_user == operator_a
    assert "已将“甲机构保育员”标记为离职" in response.content.decode()
    assert response.context["employed"] == []
    assert [member.pk for member in response.context["others"]] == [staff_a.pk]


def test_leaving_before_being_hired_is_a_form_error_not_a_500(
    client_as, operator_a, institution_a, staff_a
):
    response = client_as(operator_a).post(
        reverse("institutions:staff_leave", args=[institution_a.pk, staff_a.pk]),
        {"left_on": "2024-01-01"},
    )
    assert response.status_code == 200
    assert "离职日期必须晚于入职日期" in response.content.decode()
    staff_a.refresh_from_db()
    assert staff_a.left_on is None


def test_operator_adds_edits_and_deletes_a_certificate(
    client_as, operator_a, institution_a, staff_a
):
    client = client_as(operator_a)
    response = client.post(
        reverse("institutions:certificate_add", args=[institution_a.pk, staff_a.pk]),
        certificate_post(),
    )
    assert response.status_code == 302
    certificate = staff_a.certificates.get()
    assert certificate.number == "BYS-2025-001"
    assert certificate.history.get().history_user == operator_a

    edit_url = reverse(
        "institutions:certificate_edit", args=[institution_a.pk, staff_a.pk, certificate.pk]
    )
    assert client.post(edit_url, certificate_post(number="BYS-2025-002")).status_code == 302
    certificate.refresh_from_db()
    assert certificate.number == "BYS-2025-002"

    delete_url = reverse(
        "institutions:certificate_delete", args=[institution_a.pk, staff_a.pk, certificate.pk]
    )
    confirm = client.get(delete_url)
    assert "确认删除" in confirm.content.decode()
    assert Certificate.objects.filter(pk=certificate.pk).exists()
    response = client.post(delete_url, follow=True)
    assert not Certificate.objects.filter(pk=certificate.pk).exists()
    assert "已删除“甲机构保育员”的证书" in response.content.decode()
    deletion = Certificate.history.filter(id=certificate.pk, history_type="-").get()
    assert deletion.history_user == operator_a


def test_certificate_expiring_before_issue_is_a_form_error(
    client_as, operator_a, institution_a, staff_a
):
    response = client_as(operator_a).post(
        reverse("institutions:certificate_add", args=[institution_a.pk, staff_a.pk]),
        certificate_post(issued_on="2025-05-01", expires_on="2025-04-01"),
    )
    assert response.status_code == 200
    assert "有效期至不能早于发证日期" in response.content.decode()
    assert not Certificate.objects.exists()


def test_staff_list_flags_expiring_and_unqualified_staff(client_as, operator_a, institution_a):
    unqualified = StaffMemberFactory(institution=institution_a, name="无证保育员")
    expiring = StaffMemberFactory(institution=institution_a, name="证将到期教师", role="teacher")
    CertificateFactory(staff=expiring, expires_on=TODAY + dt.timedelta(days=30))
    fine = StaffMemberFactory(institution=institution_a, name="持证保育员")
    CertificateFactory(staff=fine, expires_on=TODAY + dt.timedelta(days=365))
    # A cook needs no care qualification; a health certificate does not qualify a caregiver.
    StaffMemberFactory(institution=institution_a, name="炊事员甲", role="cook")
    health_only = StaffMemberFactory(institution=institution_a, name="只有健康证")
    CertificateFactory(staff=health_only, kind=Certificate.Kind.HEALTH_CERTIFICATE)
    left = StaffMemberFactory(
        institution=institution_a, name="已离职员工", left_on=dt.date(2025, 5, 1)
    )

    response = client_as(operator_a).get(
        reverse("institutions:staff_list", args=[institution_a.pk])
    )
    assert response.status_code == 200
    employed = {member.name: member for member in response.context["employed"]}
    assert employed["无证保育员"].lacks_qualification
    assert employed["只有健康证"].lacks_qualification
    assert not employed["证将到期教师"].lacks_qualification
    assert employed["证将到期教师"].expiring_certificates == 1
    assert employed["证将到期教师"].next_expiry == TODAY + dt.timedelta(days=30)
    assert not employed["持证保育员"].lacks_qualification
    assert not employed["持证保育员"].expiring_certificates
    assert not employed["炊事员甲"].lacks_qualification
    assert [member.pk for member in response.context["others"]] == [left.pk]
    assert response.context["summary"] == {
        "employed": 5,
        "care": 4,
        "unqualified": 2,
        "expiring": 1,
    }
    html = response.content.decode()
    assert html.count("无有效资质证书") == 2
    assert "1 张证书即将到期（最早 2025-07-16）" in html
    # Only masked numbers on the list.
    for member in (unqualified, expiring, fine, left):
        number = StaffMember.objects.get(pk=member.pk).id_number.reveal()
        assert number not in html
        assert mask_resident_id(number) in html


# --- Read-only roles, other roles, anonymous --------------------------------------------------


def own_institution_write_urls(institution, staff, certificate) -> list:
    i, s, c = institution.pk, staff.pk, certificate.pk
    return [
        ("institutions:staff_add", [i], staff_post()),
        ("institutions:staff_edit", [i, s], staff_post(name="改名")),
        ("institutions:staff_leave", [i, s], {"left_on": "2025-06-10"}),
        ("institutions:certificate_add", [i, s], certificate_post()),
        ("institutions:certificate_edit", [i, s, c], certificate_post(number="X")),
        ("institutions:certificate_delete", [i, s, c], {}),
    ]


@pytest.mark.parametrize("persona", ["auditor", "education", "inspector"])
def test_read_only_roles_view_but_get_403_on_writes(
    request, client_as, persona, institution_a, staff_a
):
    certificate = CertificateFactory(staff=staff_a)
    client = client_as(request.getfixturevalue(persona))
    for name, args in [
        ("institutions:institution_detail", [institution_a.pk]),
        ("institutions:staff_list", [institution_a.pk]),
        ("institutions:staff_detail", [institution_a.pk, staff_a.pk]),
    ]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200
        assert "添加从业人员" not in response.content.decode()
    before = db_snapshot()
    for name, args, data in own_institution_write_urls(institution_a, staff_a, certificate):
        url = reverse(name, args=args)
        assert client.get(url).status_code == 403, url
        assert client.post(url, data).status_code == 403, url
    assert db_snapshot() == before


def test_bureau_staff_see_every_institution_and_may_add_staff(
    client_as, bureau, institution_a, institution_b
):
    client = client_as(bureau)
    listing = client.get(reverse("institutions:my_institutions")).content.decode()
    assert "甲托育中心" in listing and "乙托育中心" in listing
    response = client.post(
        reverse("institutions:staff_add", args=[institution_b.pk]), staff_post(name="局里录入")
    )
    assert response.status_code == 302
    assert StaffMember.objects.get(name="局里录入").history.get().history_user == bureau


def test_anonymous_is_sent_to_login(client, institution_a, staff_a):
    certificate = CertificateFactory(staff=staff_a)
    urls = [reverse("institutions:my_institutions")] + [
        reverse(name, args=args)
        for name, args, _data in own_institution_write_urls(institution_a, staff_a, certificate)
    ]
    urls += [
        reverse("institutions:institution_detail", args=[institution_a.pk]),
        reverse("institutions:staff_list", args=[institution_a.pk]),
    ]
    before = db_snapshot()
    login = reverse("institutions:login")
    for url in urls:
        for response in (client.get(url), client.post(url, {})):
            assert response.status_code == 302, url
            assert response.url.startswith(f"{login}?next="), url
    assert db_snapshot() == before


def test_operator_signs_in_on_the_portal_login_and_out_with_a_post(
    client, operator_a, institution_a
):
    # The admin's login refuses accounts without is_staff, operators among them.
    operator_a.set_password("a-long-test-password")
    operator_a.save()
    admin_login = client.post(
        reverse("admin:login"), {"username": "operator_a", "password": "a-long-test-password"}
    )
    assert admin_login.status_code == 200  # the form again, with an error
    assert "_auth_user_id" not in client.session

    response = client.post(
        reverse("institutions:login"),
        {"username": "operator_a", "password": "a-long-test-password"},
        follow=True,
    )
    # Their home at /wode/, with their institution's work.
    assert response.redirect_chain[-1][0] == reverse("role_home")
    assert institution_a.name in response.content.decode()
    assert client.get(reverse("institutions:logout")).status_code == 405
    client.post(reverse("institutions:logout"))
    assert "_auth_user_id" not in client.session


def test_operator_pages_are_not_cached(client_as, operator_a, institution_a):
    response = client_as(operator_a).get(
        reverse("institutions:staff_list", args=[institution_a.pk])
    )
    assert "no-store" in response["Cache-Control"]


# --- Queries -----------------------------------------------------------------------------------


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def staff_list_queries(client, operator, *, institutions: int, extra_staff: int) -> int:
    """Queries of the operator's staff list in a registry of `institutions`, rolled back after."""
    with transaction.atomic():
        own = make_registry(institutions)[0]
        own.operators.add(operator)
        for number in range(extra_staff):
            # A birth date of their own each: the factory's numbers share one and may repeat.
            member = StaffMemberFactory(
                institution=own,
                name=f"加员{number:02d}",
                id_number=new_id_number(born=dt.date(1985, 1, 1) + dt.timedelta(days=number)),
            )
            CertificateFactory(staff=member, expires_on=TODAY + dt.timedelta(days=number))
        queries = count_queries(client, reverse("institutions:staff_list", args=[own.pk]))
        transaction.set_rollback(True)
    return queries


def test_staff_list_runs_a_bounded_number_of_queries(
    client_as, operator_a, django_assert_max_num_queries
):
    client = client_as(operator_a)
    small = staff_list_queries(client, operator_a, institutions=100, extra_staff=0)
    large = staff_list_queries(client, operator_a, institutions=1000, extra_staff=40)
    print(f"staff list queries: 100 institutions {small}, 1,000 institutions + 40 staff {large}")
    assert large == small

    own = make_registry(1000)[0]
    own.operators.add(operator_a)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("institutions:staff_list", args=[own.pk]))
    assert len(response.context["employed"]) == 2
