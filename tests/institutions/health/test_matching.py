"""Today's free text is matched to facilities only where it names exactly one existing facility;
the data migration creates none and leaves the rest for the bureau."""

import datetime as dt
import importlib

import pytest
from django.apps import apps

from institutions.health.matching import match, name_index, normalise
from institutions.models import HealthFacility, ParentingSession
from tests.factories import CareContractFactory, HealthFacilityFactory, township

pytestmark = pytest.mark.django_db

migration = importlib.import_module("institutions.migrations.0015_link_health_facilities")


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
