import datetime as dt
from decimal import Decimal

import pytest

from institutions.models import Certificate, StaffMember
from institutions.selectors import counted_institutions_as_of, institutions_as_of, staff_flags
from tests.factories import (
    ApprovedPlacesFactory,
    CareContractFactory,
    CertificateFactory,
    FeeStandardFactory,
    InclusiveRecognitionFactory,
    InstitutionFactory,
    InstructorAssignmentFactory,
    StaffMemberFactory,
    StarRatingFactory,
    UserFactory,
)
from tests.institutions.set_based import registry_reader_fixture

pytestmark = pytest.mark.django_db
registry_reader = registry_reader_fixture(__name__)

D = dt.date(2025, 6, 30)
AFTER = D + dt.timedelta(days=1)


def state(institution, as_of=D):
    return institutions_as_of(as_of).get(pk=institution.pk)


def test_changes_dated_after_d_do_not_change_the_state_at_d():
    institution = InstitutionFactory(filed_on=dt.date(2024, 1, 1))
    first_instructor, second_instructor = UserFactory(), UserFactory()
    ApprovedPlacesFactory(
        institution=institution, effective_from=dt.date(2024, 1, 1), toddler=10, older=5
    )
    FeeStandardFactory(
        institution=institution, effective_from=dt.date(2024, 1, 1), monthly_full_day=1800
    )
    StarRatingFactory(institution=institution, effective_from=dt.date(2024, 6, 1), stars=2)
    InstructorAssignmentFactory(
        institution=institution, effective_from=dt.date(2024, 1, 1), instructor=first_instructor
    )
    InclusiveRecognitionFactory(institution=institution, valid_from=dt.date(2024, 1, 1), valid_to=D)
    caregiver = StaffMemberFactory(institution=institution, hired_on=dt.date(2024, 1, 1))
    CertificateFactory(staff=caregiver, issued_on=dt.date(2023, 1, 1), expires_on=D)
    before = state(institution)

    # Everything below happens the day after D.
    ApprovedPlacesFactory(institution=institution, effective_from=AFTER, toddler=30, older=30)
    FeeStandardFactory(institution=institution, effective_from=AFTER, monthly_full_day=2600)
    StarRatingFactory(institution=institution, effective_from=AFTER, stars=5)
    InstructorAssignmentFactory(
        institution=institution, effective_from=AFTER, instructor=second_instructor
    )
    CareContractFactory(institution=institution, valid_from=AFTER)
    StaffMemberFactory(institution=institution, hired_on=AFTER)
    caregiver.left_on = AFTER
    caregiver.save()
    institution.panic_alarm_installed_on = AFTER
    institution.closed_on = AFTER
    institution.save()

    after = state(institution)
    for name in [
        "is_counted",
        "places_toddler",
        "places_older",
        "places_total",
        "fee_full_day",
        "stars",
        "instructor_user_id",
        "is_inclusive",
        "has_care_contract",
        "has_panic_alarm",
        "care_staff_count",
        "certified_care_staff_count",
    ]:
        assert getattr(after, name) == getattr(before, name), name
    assert (after.places_total, after.fee_full_day, after.stars) == (15, Decimal("1800.00"), 2)
    assert after.instructor_user_id == first_instructor.pk
    assert after.is_inclusive and not after.has_care_contract and not after.has_panic_alarm
    assert (after.care_staff_count, after.certified_care_staff_count) == (1, 1)

    later = state(institution, AFTER)
    assert later.is_counted is False  # closed on AFTER
    assert (later.places_total, later.fee_full_day, later.stars) == (60, Decimal("2600.00"), 5)
    assert later.instructor_user_id == second_instructor.pk
    assert not later.is_inclusive and later.has_care_contract and later.has_panic_alarm
    assert (later.care_staff_count, later.certified_care_staff_count) == (1, 0)


def test_date_bounds_follow_kpis_md():
    institution = InstitutionFactory(filed_on=D, closed_on=None)
    InclusiveRecognitionFactory(institution=institution, valid_from=D, valid_to=D)
    assert state(institution).is_counted  # filed on D counts on D
    assert state(institution).is_inclusive  # both ends included
    assert not state(institution, D - dt.timedelta(days=1)).is_counted
    assert not state(institution, AFTER).is_inclusive
    leaver = StaffMemberFactory(institution=institution, hired_on=D, left_on=AFTER)
    CertificateFactory(staff=leaver, issued_on=D, expires_on=D)
    assert state(institution).certified_care_staff_count == 1
    assert state(institution, AFTER).care_staff_count == 0  # left on AFTER: not employed then


def test_non_qualifying_certificates_and_other_roles_do_not_count():
    institution = InstitutionFactory()
    cook = StaffMemberFactory(institution=institution, role=StaffMember.Role.COOK)
    CertificateFactory(staff=cook)
    caregiver = StaffMemberFactory(institution=institution)
    CertificateFactory(staff=caregiver, kind=Certificate.Kind.HEALTH_CERTIFICATE)
    row = state(institution)
    assert (row.care_staff_count, row.certified_care_staff_count) == (1, 0)


def test_kindergarten_without_childcare_class_has_no_places():
    kindergarten = InstitutionFactory(kind="kindergarten", is_inclusive_kindergarten=True)
    assert state(kindergarten).places_total == 0


def test_as_of_reads_any_number_of_institutions_in_one_query(django_assert_num_queries):
    for _ in range(3):
        institution = InstitutionFactory()
        ApprovedPlacesFactory(institution=institution)
        StaffMemberFactory(institution=institution)
    with django_assert_num_queries(1):
        assert len(list(counted_institutions_as_of(D))) == 3
    for _ in range(7):
        institution = InstitutionFactory()
        ApprovedPlacesFactory(institution=institution)
        StaffMemberFactory(institution=institution)
    with django_assert_num_queries(1):
        assert len(list(counted_institutions_as_of(D))) == 10


def test_staff_flags_mark_expiring_and_unqualified():
    institution = InstitutionFactory()
    today = dt.date(2025, 6, 1)
    expiring = StaffMemberFactory(institution=institution, name="将过期")
    CertificateFactory(staff=expiring, expires_on=today + dt.timedelta(days=60))
    fine = StaffMemberFactory(institution=institution, name="正常")
    CertificateFactory(staff=fine, expires_on=today + dt.timedelta(days=61))
    unqualified = StaffMemberFactory(institution=institution, name="无证")
    CertificateFactory(staff=unqualified, expires_on=today - dt.timedelta(days=1))
    StaffMemberFactory(institution=institution, name="厨师", role=StaffMember.Role.COOK)
    rows = {s.name: s for s in staff_flags(StaffMember.objects.all(), today=today)}
    assert rows["将过期"].expiring_certificates == 1 and not rows["将过期"].lacks_qualification
    assert rows["正常"].expiring_certificates == 0 and not rows["正常"].lacks_qualification
    assert rows["无证"].lacks_qualification
    assert not rows["厨师"].lacks_qualification


def test_unfiled_institution_is_not_counted_and_has_no_alarm():
    row = state(InstitutionFactory(filed_on=None))
    assert row.is_counted is False
    assert row.has_panic_alarm is False
