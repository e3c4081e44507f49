"""The public disclosure page (信息公示): no login, counted institutions only, no personal data."""

import datetime as dt
import random
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from institutions.models import Institution
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
    township,
)

pytestmark = pytest.mark.django_db

URL = "/gongshi/"


@pytest.fixture(autouse=True)
def _today():
    moment = dt.datetime(2025, 6, 16, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(moment, tick=False):
        yield


def names_on(response) -> list[str]:
    return [institution.name for institution in response.context["page"].object_list]


@pytest.fixture
def registry():
    """Three counted institutions in different townships, kinds and statuses, and two that are
    not counted today (filed in the future, closed)."""
    liushi = InstitutionFactory(
        name="柳市普惠托育中心",
        township=township("114"),
        kind=Institution.Kind.CENTRE,
        address="乐清市柳市镇长江路8号",
        contact_phone="13912345678",
        filing_number="乐卫托备2024001",
        panic_alarm_installed_on=dt.date(2024, 6, 1),
    )
    ApprovedPlacesFactory(institution=liushi, infant=5, toddler=15, older=20, mixed=0)
    FeeStandardFactory(institution=liushi, monthly_full_day=1980, monthly_half_day=1100)
    StarRatingFactory(institution=liushi, stars=4)
    InclusiveRecognitionFactory(institution=liushi)
    CareContractFactory(institution=liushi)

    chengdong = InstitutionFactory(
        name="城东幼儿园托班",
        township=township("001"),
        kind=Institution.Kind.KINDERGARTEN,
        contact_phone="057762345678",
    )
    ApprovedPlacesFactory(institution=chengdong, toddler=0, older=20)
    FeeStandardFactory(institution=chengdong, monthly_full_day=2600)

    InstitutionFactory(name="虹桥家庭托育点", township=township("108"), kind="family_point")
    InstitutionFactory(name="尚未备案的机构", filed_on=dt.date(2025, 9, 1))
    InstitutionFactory(
        name="已停办的机构", filed_on=dt.date(2023, 1, 1), closed_on=dt.date(2025, 5, 31)
    )
    return {"liushi": liushi, "chengdong": chengdong}


def test_public_page_needs_no_login_and_lists_counted_institutions(client, registry):
    response = client.get(URL)
    assert response.status_code == 200
    assert sorted(names_on(response)) == sorted(
        ["柳市普惠托育中心", "城东幼儿园托班", "虹桥家庭托育点"]
    )
    html = response.content.decode()
    assert "尚未备案的机构" not in html
    assert "已停办的机构" not in html


def test_public_page_shows_the_disclosed_facts(client, registry):
    html = client.get(URL, {"q": "柳市普惠"}).content.decode()
    card = html[html.index("柳市普惠托育中心") :]
    for text in [
        "柳市",
        "托育机构（中心）",
        "乐清市柳市镇长江路8号",
        "普惠",
        "★★★★☆",
        "2024-06-01评定",  # the rating's date beside its level (issue 20)
        "<strong>40</strong>",
        "乳儿班 5",
        "托小班 15",
        "托大班 20",
        "全日托 1980 元/月",
        "半日托 1100 元/月",
        "一键式报警已安装",
        "“1+1”已签约",
    ]:
        assert text in card, text
    assert "混龄班" not in card  # classes with no places are left out

    other = client.get(URL, {"q": "城东"}).content.decode()
    assert "非普惠" in other
    assert "一键式报警未安装" in other
    assert "“1+1”未签约" in other
    assert "半日托 不提供" in other


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"township": "330382114"}, ["柳市普惠托育中心"]),
        ({"township": "330382001"}, ["城东幼儿园托班"]),
        ({"kind": "kindergarten"}, ["城东幼儿园托班"]),
        ({"kind": "family_point"}, ["虹桥家庭托育点"]),
        ({"inclusive": "yes"}, ["柳市普惠托育中心"]),
        ({"inclusive": "no"}, ["城东幼儿园托班", "虹桥家庭托育点"]),
        ({"q": "托班"}, ["城东幼儿园托班"]),
        ({"q": "虹桥", "kind": "centre"}, []),
        ({"township": "330382114", "inclusive": "yes", "kind": "centre"}, ["柳市普惠托育中心"]),
    ],
)
def test_filters_and_search(client, registry, params, expected):
    response = client.get(URL, params)
    assert response.status_code == 200
    assert sorted(names_on(response)) == sorted(expected)


def test_filter_values_are_kept_in_the_form(client, registry):
    html = client.get(
        URL, {"q": "托育", "township": "330382114", "kind": "centre", "inclusive": "yes"}
    ).content.decode()
    assert 'value="托育"' in html
    assert re.search(r'<option value="330382114" selected>', html)
    assert re.search(r'<option value="centre" selected>', html)
    assert re.search(r'<option value="yes" selected>', html)


def test_unknown_filter_values_show_everything_instead_of_failing(client, registry):
    response = client.get(URL, {"township": "nowhere", "kind": "castle", "page": "zz"})
    assert response.status_code == 200
    assert len(names_on(response)) == 3


def test_pagination_keeps_the_filters(client):
    for number in range(35):
        InstitutionFactory(name=f"分页机构{number:02d}", kind="community")
    InstitutionFactory(name="别的类型", kind="centre")
    first = client.get(URL, {"kind": "community"})
    assert len(names_on(first)) == 30
    assert "kind=community&amp;page=2" in first.content.decode()
    second = client.get(URL, {"kind": "community", "page": 2})
    assert names_on(second) == [f"分页机构{number:02d}" for number in range(30, 35)]


def test_public_page_shows_no_personal_data(client, registry):
    rng = random.Random(11)
    numbers = []
    for name in ["王晓敏", "陈国栋", "林佳怡"]:
        number = make_resident_id(rng, born=dt.date(1988, 2, 3))
        numbers.append(number)
        member = StaffMemberFactory(institution=registry["liushi"], name=name, id_number=number)
        CertificateFactory(staff=member, number=f"CERT-{name}")
    operator = registry["liushi"].operators.create(username="op-liushi", first_name="赵经办")

    html = client.get(URL).content.decode()
    assert "柳市普惠托育中心" in html
    for name in ["王晓敏", "陈国栋", "林佳怡", "赵经办", operator.username]:
        assert name not in html
    for number in numbers:
        assert number not in html
        assert mask_resident_id(number) not in html
        assert number[-4:] + "<" not in html
    # A mobile number is a person's: never shown. An institution's landline is what parents call
    # (issue 17), so it is.
    for phone in ["13912345678", "139****5678"]:
        assert phone not in html
    assert not re.search(r"1[3-9]\d{9}", html)  # no mobile number of any kind
    assert "057762345678" in html
    for institution in Institution.objects.all():
        assert institution.credit_code not in html
    assert "乐卫托备2024001" not in html
    assert "CERT-" not in html


def public_page_queries(client, institutions: int) -> tuple[int, int]:
    """Queries of the public page (all, then filtered) over `institutions`, rolled back after."""
    with transaction.atomic():
        make_registry(institutions)
        with CaptureQueriesContext(connection) as plain:
            response = client.get(URL)
        assert response.context["page"].paginator.count == institutions
        with CaptureQueriesContext(connection) as filtered:
            client.get(URL, {"township": "330382114", "inclusive": "yes", "q": "批量"})
        transaction.set_rollback(True)
    return len(plain), len(filtered)


def test_public_page_runs_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    small = public_page_queries(client, 100)
    large = public_page_queries(client, 1000)
    print(f"public page queries (all, filtered): 100 institutions {small}, 1,000 {large}")
    assert large == small

    make_registry(1000)
    # Count, page, inspection results (2), whether each takes vouchers (1), the demonstration
    # units held today (1). The star level's rating date and expiry (issue 20) are columns of the
    # page's own query (institutions_as_of), not a query more: the pin stays at 6.
    with django_assert_max_num_queries(6):
        response = client.get(URL, {"page": 3})
    assert len(response.context["page"].object_list) == 30


# --- What parents choose by (issue 17) --------------------------------------------------------------


def card_of(html: str, name: str) -> str:
    start = html.index(name)
    return html[start : html.find('class="card"', start)]


def test_free_places_by_class_come_from_the_latest_accepted_report(client, registry):
    from django.utils import timezone

    from institutions.reports.models import MonthlyReport

    liushi = registry["liushi"]

    def report(**fields):  # every report here was submitted (the database asks when)
        return MonthlyReport.objects.create(first_submitted_at=timezone.now(), **fields)

    report(
        institution=liushi,
        period=dt.date(2025, 4, 1),
        state=MonthlyReport.State.ACCEPTED,
        enrolled_infant=1,
        enrolled_toddler=1,
        enrolled_older=1,
    )
    report(
        institution=liushi,
        period=dt.date(2025, 5, 1),
        state=MonthlyReport.State.ACCEPTED,
        enrolled_infant=5,
        enrolled_toddler=10,
        enrolled_older=25,  # over the approved 20: shown as none free, never negative
    )
    report(  # submitted, not accepted: not counted
        institution=liushi,
        period=dt.date(2025, 6, 1),
        state=MonthlyReport.State.SUBMITTED,
        enrolled_infant=0,
    )
    card = card_of(client.get(URL).content.decode(), "柳市普惠托育中心")
    assert "乳儿班 0；托小班 5；托大班 0" in card
    assert "按2025年5月审核通过的月报" in card
    chengdong = card_of(client.get(URL).content.decode(), "城东幼儿园托班")
    assert "暂无审核通过的月报" in chengdong


def test_the_list_sorts_by_fee_and_filters_by_township(client, registry):
    names = names_on(client.get(URL, {"sort": "fee"}))
    assert names.index("柳市普惠托育中心") < names.index("城东幼儿园托班")
    assert names[-1] == "虹桥家庭托育点"  # no fee registered: last either way
    names = names_on(client.get(URL, {"sort": "fee_desc"}))
    assert names.index("城东幼儿园托班") < names.index("柳市普惠托育中心")
    assert names_on(client.get(URL, {"township": "330382114"})) == ["柳市普惠托育中心"]


def test_an_institution_without_places_is_not_shown_as_taking_children(client, registry):
    html = client.get(URL).content.decode()
    assert "暂无核定托位" in card_of(html, "虹桥家庭托育点")
    assert "data-no-places" not in card_of(html, "柳市普惠托育中心")
    assert "已备案且正常运营" not in html


def test_voucher_acceptance_follows_the_batches_valid_today(client, registry):
    from decimal import Decimal

    from vouchers.models import VoucherBatch

    html = client.get(URL).content.decode()
    assert "data-vouchers" not in html  # no batch at all
    VoucherBatch.objects.create(
        name="普惠批次",
        face_value=Decimal("1000"),
        quantity_cap=5,
        apply_from=dt.date(2025, 1, 1),
        apply_until=dt.date(2025, 1, 31),
        valid_from=dt.date(2025, 2, 1),
        valid_until=dt.date(2025, 12, 31),
        monthly_cap=Decimal("300"),
        inclusive_only=True,
    )
    html = client.get(URL).content.decode()
    assert "data-vouchers" in card_of(html, "柳市普惠托育中心")  # inclusive
    assert "data-vouchers" not in card_of(html, "城东幼儿园托班")


def test_every_badge_is_explained_and_each_card_links_to_a_concern(client, registry):
    html = client.get(URL).content.decode()
    legend = html[html.index('id="legend"') :]
    for badge in ["普惠", "星级", "一键式报警", "“1+1”", "融合托育", "可用托育券", "暂无核定托位"]:
        assert badge in legend, badge
    assert f"/gongshi/fanying/{registry['liushi'].pk}/" in card_of(html, "柳市普惠托育中心")


# --- The star rating's date and expiry (issue 20) ----------------------------------------------------


def test_the_star_level_shows_its_date_and_disappears_after_expiry(client):
    institution = InstitutionFactory(name="星级托育园")
    StarRatingFactory(
        institution=institution,
        stars=3,
        effective_from=dt.date(2025, 6, 1),
        expires_on=dt.date(2025, 6, 16),
    )
    card = card_of(client.get(URL, {"q": "星级"}).content.decode(), "星级托育园")
    assert "★★★☆☆" in card and "2025-06-01评定" in card  # today (06-16) is the expiry day
    with time_machine.travel(
        dt.datetime(2025, 6, 17, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
    ):
        card = card_of(client.get(URL, {"q": "星级"}).content.decode(), "星级托育园")
    assert "★★★" not in card and "2025-06-01评定" not in card and "未评星" in card
