"""institutions.facts (the set-based registry the indicators read, issue 21) against
`institutions_as_of` on each rule's boundary, both sides: both readers must give the expected
value. (tests/institutions/test_selectors.py and test_dated_facts.py also run whole through
both readers.)"""

import datetime as dt

import pytest
from django.db import connection

from institutions import facts_store
from institutions.facts import facts_sql
from institutions.models import InstitutionDetails, PanicAlarm, StaffMember, StaffRoleRecord
from institutions.selectors import institutions_as_of
from tests.factories import (
    CareContractFactory,
    CertificateFactory,
    InstitutionFactory,
    StaffMemberFactory,
    StarRatingFactory,
    township,
)

pytestmark = pytest.mark.django_db
D = dt.date(2025, 6, 30)
DAY = dt.timedelta(days=1)


def both(institution, day, column):
    """(ORM's value, set-based value) of `column` for `institution` on `day`; the facts kept
    at `day` (institutions.facts_store, filled now) must hold the set-based value too."""
    orm = getattr(institutions_as_of(day).get(pk=institution.pk), column)
    facts_store.fill(day)
    values = []
    for sql, params in (facts_sql(day), facts_store.kept_sql(day, filed_and_open_only=False)):
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {column} FROM ({sql}) AS f WHERE f.id = %s",  # noqa: S608 - our names
                [*params, institution.pk],
            )
            values.append(cursor.fetchone()[0])
    assert values[1] == values[0], "the kept facts differ from the set-based reading"
    return orm, values[0]


def test_a_rating_holds_on_its_last_day_and_not_the_day_after():
    institution = InstitutionFactory()
    StarRatingFactory(institution=institution, effective_from=dt.date(2024, 6, 1), expires_on=D)
    assert both(institution, D, "stars") == (3, 3)
    assert both(institution, D + DAY, "stars") == (None, None)
    assert both(institution, D, "stars_until") == (D, D)


def test_a_care_contract_covers_its_last_day_and_not_the_day_after():
    institution = InstitutionFactory()
    CareContractFactory(institution=institution, valid_from=dt.date(2025, 1, 1), valid_to=D)
    assert both(institution, D, "has_care_contract") == (True, True)
    assert both(institution, D + DAY, "has_care_contract") == (False, False)
    assert both(institution, dt.date(2025, 1, 1) - DAY, "has_care_contract") == (False, False)


def test_an_alarm_with_no_record_reads_the_current_dates():
    institution = InstitutionFactory(panic_alarm_installed_on=D, panic_alarm_removed_on=None)
    PanicAlarm.objects.filter(institution=institution).delete()
    assert both(institution, D - DAY, "has_panic_alarm") == (False, False)
    assert both(institution, D, "has_panic_alarm") == (True, True)
    institution.panic_alarm_removed_on = D + DAY
    institution.save()
    PanicAlarm.objects.filter(institution=institution).delete()
    assert both(institution, D + DAY, "has_panic_alarm") == (False, False)


def test_an_alarm_record_wins_over_the_current_dates():
    institution = InstitutionFactory(panic_alarm_installed_on=dt.date(2024, 1, 1))
    PanicAlarm.objects.filter(institution=institution).delete()
    PanicAlarm.objects.create(institution=institution, valid_from=D, valid_to=D)
    assert both(institution, D - DAY, "has_panic_alarm") == (False, False)
    assert both(institution, D, "has_panic_alarm") == (True, True)
    assert both(institution, D + DAY, "has_panic_alarm") == (False, False)


def test_details_before_the_first_record_read_the_first_record():
    institution = InstitutionFactory(kind="centre")
    InstitutionDetails.objects.filter(institution=institution).delete()
    assert both(institution, D, "kind_at") == ("centre", "centre")  # no record: current
    InstitutionDetails.objects.create(
        institution=institution, effective_from=D + DAY, kind="kindergarten", township=township()
    )
    assert both(institution, D, "kind_at") == ("kindergarten", "kindergarten")  # the first
    InstitutionDetails.objects.create(
        institution=institution, effective_from=D, kind="community", township=township()
    )
    assert both(institution, D, "kind_at") == ("community", "community")  # effective on D


@pytest.mark.parametrize(
    ("left_on", "expires_on", "staff", "certified"),
    [
        (None, D, 1, 1),  # the certificate's last day
        (None, D - DAY, 1, 0),  # expired the day before
        (D + DAY, None, 1, 1),  # leaves the day after: still employed on D
        (D, None, 0, 0),  # left on D: not employed on D
    ],
)
def test_care_staff_and_certificates_on_their_boundaries(left_on, expires_on, staff, certified):
    institution = InstitutionFactory()
    member = StaffMemberFactory(institution=institution, left_on=left_on)
    CertificateFactory(staff=member, expires_on=expires_on)
    assert both(institution, D, "care_staff_count") == (staff, staff)
    assert both(institution, D, "certified_care_staff_count") == (certified, certified)


def test_a_role_changed_after_d_keeps_the_role_of_d():
    institution = InstitutionFactory()
    member = StaffMemberFactory(institution=institution, role=StaffMember.Role.CAREGIVER)
    StaffRoleRecord.objects.filter(staff=member).delete()
    StaffRoleRecord.objects.create(
        staff=member, effective_from=dt.date(2024, 3, 1), role=StaffMember.Role.CAREGIVER
    )
    StaffRoleRecord.objects.create(staff=member, effective_from=D + DAY, role="cook")
    assert both(institution, D, "care_staff_count") == (1, 1)
    assert both(institution, D + DAY, "care_staff_count") == (0, 0)
