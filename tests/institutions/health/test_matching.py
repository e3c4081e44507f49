"""Today's free text is matched to facilities only where it names exactly one facility. 0015
linked to existing records only; 0026 first creates the township-level facilities a text names by
itself (a township of the city and a kind), leaving every other text for the bureau."""

import datetime as dt
import importlib

import pytest
from django.apps import apps

from institutions.health.matching import (
    facilities_to_create,
    match,
    name_index,
    named_township_facility,
    normalise,
)
from institutions.models import HealthFacility, ParentingSession, Township
from tests.factories import CareContractFactory, HealthFacilityFactory, township

pytestmark = pytest.mark.django_db

migration = importlib.import_module("institutions.migrations.0015_link_health_facilities")
creating = importlib.import_module("institutions.migrations.0026_township_facilities_from_text")
TOWNSHIPS = [(1, "柳市镇"), (2, "城东街道"), (3, "智仁乡"), (4, "南塘镇"), (5, "南岳镇")]


def test_the_city_prefix_spaces_and_bracket_style_are_set_aside():
    assert normalise(" 乐清市柳市镇 社区卫生服务中心 ") == "柳市镇社区卫生服务中心"
    assert normalise("柳市镇卫生院（分院）") == normalise("乐清柳市镇卫生院(分院)")


def test_a_name_two_facilities_share_matches_neither():
    index = name_index([(1, "乐清市柳市镇卫生院"), (2, "柳市镇卫生院"), (3, "虹桥镇卫生院")])
    assert match("柳市镇卫生院", index) is None
    assert match("乐清市虹桥镇卫生院", index) == 3
    assert match("", index) is None


def test_the_migration_links_what_matches_and_creates_no_facility():
    facility = HealthFacilityFactory(name="乐清市柳市镇社区卫生服务中心")
    matched = CareContractFactory(health_facility="柳市镇社区卫生服务中心")
    unknown = CareContractFactory(health_facility="柳市镇某诊所")
    session = ParentingSession.objects.create(
        held_on=dt.date(2025, 3, 1),
        organiser_kind="health_centre",
        organiser_name="乐清市柳市镇社区卫生服务中心",
        township=township(),
        topic="喂养",
        families_reached=5,
    )
    migration.link(apps, None)
    for row in (matched, unknown, session):
        row.refresh_from_db()
    assert matched.facility == facility and session.facility == facility
    assert unknown.facility is None
    assert HealthFacility.objects.count() == 1


def test_without_facilities_the_migration_changes_nothing():
    contract = CareContractFactory(health_facility="柳市镇社区卫生服务中心")
    migration.link(apps, None)
    contract.refresh_from_db()
    assert contract.facility is None and not HealthFacility.objects.exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("乐清市柳市镇卫生院", ("乐清市柳市镇卫生院", 1, "township_hospital")),
        ("柳市镇中心卫生院", ("乐清市柳市镇中心卫生院", 1, "township_hospital")),
        ("柳市卫生院", ("乐清市柳市卫生院", 1, "township_hospital")),  # the stem, unshared
        (" 城东街道 社区卫生服务中心", ("乐清市城东街道社区卫生服务中心", 2, "community_centre")),
        ("智仁乡卫生院", ("乐清市智仁乡卫生院", 3, "township_hospital")),
        ("南卫生院", None),  # 南 is no township's stem (南塘, 南岳)
        ("柳市镇医院", None),  # 医院 says no kind of the network
        ("柳市镇卫生服务站", None),
        ("乐清市妇幼保健院", None),  # county level: the name gives no township
        ("卫生院", None),
        ("柳市镇卫生院（分院）", None),  # something after the kind
        ("磐石镇卫生院", None),  # not among these townships
        ("", None),
    ],
)
def test_a_text_names_a_township_facility_only_by_a_township_and_a_kind(text, expected):
    assert named_township_facility(text, TOWNSHIPS) == expected


def test_a_stem_two_townships_share_names_neither():
    townships = [(1, "南塘镇"), (2, "南塘乡")]
    assert named_township_facility("南塘卫生院", townships) is None
    assert named_township_facility("南塘乡卫生院", townships) == (
        "乐清市南塘乡卫生院",
        2,
        "township_hospital",
    )


def test_facilities_to_create_one_per_township_and_kind_named_one_way():
    texts = [
        "柳市镇卫生院",
        "乐清市柳市镇卫生院",
        " 柳市镇卫生院",
        "城东街道社区卫生服务中心",
        "柳市镇某诊所",
    ]
    assert facilities_to_create(texts, TOWNSHIPS, []) == [
        ("乐清市城东街道社区卫生服务中心", 2, "community_centre"),
        ("乐清市柳市镇卫生院", 1, "township_hospital"),
    ]


def test_a_township_named_two_ways_is_left_for_the_bureau():
    texts = ["柳市镇卫生院", "柳市镇中心卫生院", "智仁乡卫生院"]
    assert facilities_to_create(texts, TOWNSHIPS, []) == [
        ("乐清市智仁乡卫生院", 3, "township_hospital")
    ]


def test_nothing_is_created_where_a_record_holds_the_name_or_the_township_and_kind():
    existing = [
        ("乐清市柳市镇卫生院（演示）", 1, "township_hospital"),
        ("城东街道社区卫生服务中心", 2, "community_centre"),
    ]
    texts = ["柳市镇中心卫生院", "乐清市城东街道社区卫生服务中心", "智仁乡卫生院"]
    assert facilities_to_create(texts, TOWNSHIPS, existing) == [
        ("乐清市智仁乡卫生院", 3, "township_hospital")
    ]
    # The same township and the other kind is not taken.
    assert facilities_to_create(["柳市镇社区卫生服务中心"], TOWNSHIPS, existing) == [
        ("乐清市柳市镇社区卫生服务中心", 1, "community_centre")
    ]


def _session(name: str) -> ParentingSession:
    return ParentingSession.objects.create(
        held_on=dt.date(2025, 3, 1),
        organiser_kind="health_centre",
        organiser_name=name,
        township=township(),
        topic="喂养",
        families_reached=5,
    )


def test_0026_creates_the_named_township_facilities_and_links_every_text_naming_them():
    liushi = Township.objects.get(name="柳市镇")
    chengdong = Township.objects.get(name="城东街道")
    a = CareContractFactory(health_facility="柳市镇卫生院")
    b = CareContractFactory(health_facility="乐清市 柳市镇卫生院")
    c = CareContractFactory(health_facility="城东街道社区卫生服务中心")
    county = CareContractFactory(health_facility="乐清市妇幼保健院")
    clinic = CareContractFactory(health_facility="柳市镇某诊所")
    session = _session("乐清市柳市镇卫生院")
    creating.create_and_link(apps, None)
    created = {f.name: f for f in HealthFacility.objects.all()}
    assert set(created) == {"乐清市柳市镇卫生院", "乐清市城东街道社区卫生服务中心"}
    hospital = created["乐清市柳市镇卫生院"]
    centre = created["乐清市城东街道社区卫生服务中心"]
    assert (hospital.level, hospital.kind, hospital.township) == (
        "township",
        "township_hospital",
        liushi,
    )
    assert (centre.level, centre.kind, centre.township) == (
        "township",
        "community_centre",
        chengdong,
    )
    for row in (a, b, c, county, clinic, session):
        row.refresh_from_db()
    assert a.facility == b.facility == session.facility == hospital
    assert c.facility == centre
    assert county.facility is None and clinic.facility is None


def test_0026_leaves_a_township_named_two_ways_and_a_linked_text_alone():
    existing = HealthFacilityFactory(name="乐清市虹桥镇中心卫生院")
    linked = CareContractFactory(health_facility="柳市镇卫生院", facility=existing)
    one = CareContractFactory(health_facility="柳市镇卫生院")
    other = _session("柳市镇中心卫生院")
    creating.create_and_link(apps, None)
    assert list(HealthFacility.objects.values_list("name", flat=True)) == ["乐清市虹桥镇中心卫生院"]
    for row in (linked, one, other):
        row.refresh_from_db()
    assert linked.facility == existing  # a text already linked is not read at all
    assert one.facility is None and other.facility is None


def test_0026_on_an_empty_registry_creates_nothing():
    creating.create_and_link(apps, None)
    assert not HealthFacility.objects.exists()
