"""The services write the dated records of the facts the indicators read (issue 15): an
institution's kind, township, inclusive-kindergarten flag and alarm, a staff member's role, a
community's facts; the current value follows the record in force today."""

import datetime as dt
import importlib

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from institutions import services
from institutions.models import Community, Institution, StaffRoleRecord
from institutions.resources import save_institution
from institutions.selectors import institutions_as_of
from tests.factories import CommunityFactory, InstitutionFactory, StaffMemberFactory, township
from tests.institutions.set_based import registry_reader_fixture

pytestmark = pytest.mark.django_db
registry_reader = registry_reader_fixture(__name__)

FILED = dt.date(2024, 3, 1)
CHANGE = dt.date(2025, 7, 1)


def _as_of(institution, day):
    return institutions_as_of(day).get(pk=institution.pk)


def test_a_new_institution_is_recorded_from_its_filing_date():
    institution = services.institution_create(
        name="新机构",
        kind="kindergarten",
        ownership="public",
        township=township(),
        filed_on=FILED,
        is_inclusive_kindergarten=True,
        panic_alarm_installed_on=dt.date(2024, 5, 1),
    )
    (details,) = institution.details.all()
    assert (details.effective_from, details.kind, details.is_inclusive_kindergarten) == (
        FILED,
        "kindergarten",
        True,
    )
    assert list(institution.panic_alarms.values_list("valid_from", "valid_to")) == [
        (dt.date(2024, 5, 1), None)
    ]
    assert details.history.count() == 1


def test_a_change_of_kind_and_township_is_dated():
    institution = InstitutionFactory(kind="centre")  # written in bulk: no record yet
    other = township("108")
    before = institution.township
    services.institution_update(
        institution=institution, kind="kindergarten", township=other, effective_from=CHANGE
    )
    institution.refresh_from_db()
    assert institution.kind == "kindergarten" and institution.township == other
    rows = list(
        institution.details.order_by("effective_from").values_list("effective_from", "kind")
    )
    assert rows == [(FILED, "centre"), (CHANGE, "kindergarten")]
    day_before = _as_of(institution, CHANGE - dt.timedelta(days=1))
    assert (day_before.kind_at, day_before.township_id_at) == ("centre", before.pk)
    on_the_day = _as_of(institution, CHANGE)
    assert (on_the_day.kind_at, on_the_day.township_id_at) == ("kindergarten", other.pk)
    assert _as_of(institution, dt.date(2020, 1, 1)).kind_at == "centre"  # before the first


def test_an_earlier_dated_change_keeps_the_current_value_of_the_later_record():
    institution = InstitutionFactory(kind="centre")
    services.institution_update(institution=institution, kind="community", effective_from=CHANGE)
    services.institution_update(
        institution=institution, kind="employer", effective_from=dt.date(2025, 1, 1)
    )
    institution.refresh_from_db()
    assert institution.kind == "community"  # the record in force today
    assert _as_of(institution, dt.date(2025, 3, 1)).kind_at == "employer"


def test_a_change_cannot_take_effect_after_today():
    institution = InstitutionFactory()
    with pytest.raises(ValidationError) as error:
        services.institution_update(
            institution=institution,
            kind="community",
            effective_from=timezone.localdate() + dt.timedelta(days=1),
        )
    assert "effective_from" in error.value.message_dict
    assert not institution.details.exists()


def test_the_import_and_the_admin_date_the_changes_they_hold():
    """The import and the admin hand the service an instance already holding the changes."""
    institution = InstitutionFactory(kind="centre")
    institution.kind = "family_point"
    save_institution(institution, actor=None, effective_from=CHANGE)
    assert _as_of(institution, CHANGE).kind_at == "family_point"
    assert _as_of(institution, CHANGE - dt.timedelta(days=1)).kind_at == "centre"


def test_the_alarm_is_removed_and_installed_again():
    institution = InstitutionFactory(panic_alarm_installed_on=dt.date(2024, 4, 1))
    services.institution_update(institution=institution, panic_alarm_removed_on=CHANGE)
    assert _as_of(institution, CHANGE - dt.timedelta(days=1)).has_panic_alarm
    assert not _as_of(institution, CHANGE).has_panic_alarm
    services.institution_update(
        institution=institution,
        panic_alarm_installed_on=dt.date(2025, 9, 1),
        panic_alarm_removed_on=None,
    )
    periods = list(
        institution.panic_alarms.order_by("valid_from").values_list("valid_from", "valid_to")
    )
    assert periods == [
        (dt.date(2024, 4, 1), CHANGE - dt.timedelta(days=1)),
        (dt.date(2025, 9, 1), None),
    ]
    assert not _as_of(institution, dt.date(2025, 8, 31)).has_panic_alarm
    assert _as_of(institution, dt.date(2025, 9, 1)).has_panic_alarm


def test_the_removal_is_after_the_installation():
    institution = InstitutionFactory(panic_alarm_installed_on=CHANGE)
    with pytest.raises(ValidationError):
        services.institution_update(institution=institution, panic_alarm_removed_on=CHANGE)


def test_a_role_is_recorded_from_hiring_and_a_change_from_its_day():
    member = services.staff_hire(
        institution=InstitutionFactory(),
        name="张三",
        id_number=StaffMemberFactory.build().id_number,
        role="caregiver",
        hired_on=FILED,
    )
    services.staff_update(staff=member, role="cook", effective_from=CHANGE)
    rows = StaffRoleRecord.objects.filter(staff=member).order_by("effective_from")
    assert list(rows.values_list("effective_from", "role")) == [
        (FILED, "caregiver"),
        (CHANGE, "cook"),
    ]
    institution = member.institution
    assert _as_of(institution, CHANGE - dt.timedelta(days=1)).care_staff_count == 1
    assert _as_of(institution, CHANGE).care_staff_count == 0


def test_a_communitys_facts_are_dated():
    community = CommunityFactory(residents=5000)
    community.residents = 6000
    services.registry_record_save(record=community, effective_from=CHANGE)
    community = Community.objects.get(pk=community.pk)
    assert community.residents == 6000
    assert list(community.facts.order_by("effective_from").values_list("residents", flat=True)) == [
        5000,
        6000,
    ]
    assert Institution.objects.count() == 0


def test_the_staff_page_dates_a_change_of_role(client_as, operator_a, institution_a):
    member = StaffMemberFactory(institution=institution_a, role="caregiver", hired_on=FILED)
    response = client_as(operator_a).post(
        reverse("institutions:staff_edit", args=[institution_a.pk, member.pk]),
        {
            "name": member.name,
            "id_number": member.id_number.masked,
            "role": "cook",
            "hired_on": FILED.isoformat(),
            "left_on": "",
            "effective_from": CHANGE.isoformat(),
        },
    )
    assert response.status_code == 302
    rows = StaffRoleRecord.objects.filter(staff=member).order_by("effective_from")
    assert list(rows.values_list("effective_from", "role")) == [
        (FILED, "caregiver"),
        (CHANGE, "cook"),
    ]
    assert rows.last().history.latest().history_user == operator_a


def test_the_migration_records_todays_values_from_the_filing_date():
    forwards = importlib.import_module("institutions.migrations.0010_dated_facts_data").forwards
    register = importlib.import_module("vouchers.migrations.0005_child_registrations").forwards
    institution = InstitutionFactory(
        kind="kindergarten", is_inclusive_kindergarten=True, panic_alarm_installed_on=FILED
    )
    unfiled = InstitutionFactory(filed_on=None)
    member = StaffMemberFactory(institution=institution, role="teacher", hired_on=CHANGE)
    community = CommunityFactory(residents=800, is_new=True, delivered_on=CHANGE)
    forwards(django_apps, None)
    register(django_apps, None)
    details = institution.details.get()
    assert (details.effective_from, details.kind, details.is_inclusive_kindergarten) == (
        FILED,
        "kindergarten",
        True,
    )
    assert unfiled.details.get().effective_from == timezone.localdate()  # first recorded today
    assert list(institution.panic_alarms.values_list("valid_from", "valid_to")) == [(FILED, None)]
    assert list(member.roles.values_list("effective_from", "role")) == [(CHANGE, "teacher")]
    facts = community.facts.get()
    assert (facts.effective_from, facts.residents, facts.is_new) == (
        timezone.localdate(),
        800,
        True,
    )
