"""Staff credit records: a disqualifying finding against a person (found by the keyed hash of the
ID number) warns the operator and the bureau when that person is registered anywhere later."""

import datetime as dt
import random

import pytest
from django.utils import timezone

from inspections import services
from inspections.models import StaffCreditAlert
from inspections.selectors import disqualified_hashes
from lequing_tuoyu.demo import make_resident_id
from portal.personal_data import keyed_hash
from tests.factories import StaffMemberFactory

pytestmark = pytest.mark.django_db

NUMBER = make_resident_id(random.Random(3), born=dt.date(1985, 3, 3))


@pytest.fixture
def record(bureau):
    return services.staff_credit_record_create(
        actor=bureau,
        name="钱某",
        id_number=NUMBER,
        reason="在原机构虐待婴幼儿，经查属实",
        recorded_on=timezone.localdate() - dt.timedelta(days=30),
    )


def test_record_is_found_by_hash_only(record):
    assert record.id_number_hash == keyed_hash(NUMBER)
    assert NUMBER not in str(record) and NUMBER not in repr(record.id_number)
    other = make_resident_id(random.Random(4), born=dt.date(1990, 1, 1))
    assert disqualified_hashes([keyed_hash(NUMBER), keyed_hash(other), ""]) == {keyed_hash(NUMBER)}


def test_expired_or_future_records_do_not_count(bureau, record):
    record.valid_until = timezone.localdate() - dt.timedelta(days=1)
    record.save()
    assert disqualified_hashes([keyed_hash(NUMBER)]) == set()
    assert disqualified_hashes(
        [keyed_hash(NUMBER)], on=timezone.localdate() - dt.timedelta(days=10)
    ) == {keyed_hash(NUMBER)}


def test_only_bureau_staff_record(operator_a, inspector):
    for user in (operator_a, inspector):
        with pytest.raises(services.NotAllowed):
            services.staff_credit_record_create(
                actor=user, name="x", id_number=NUMBER, reason="x", recorded_on=timezone.localdate()
            )


def test_hiring_that_person_warns_operator_and_bureau_once(
    record, institution_a, operator_a, with_emails, mailoutbox, django_capture_on_commit_callbacks
):
    staff = StaffMemberFactory(institution=institution_a, id_number=NUMBER, name="钱某")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.staff_hire_check(staff=staff) == [record]
    assert StaffCreditAlert.objects.filter(record=record, staff=staff).count() == 1
    by_recipient = {tuple(m.to): m for m in mailoutbox}
    assert set(by_recipient) == {("operator_a@example.org",), ("bureau@example.org",)}
    operator_mail = by_recipient[("operator_a@example.org",)]
    assert "虐待" not in operator_mail.body  # the operator learns a record exists, not what
    for mail in mailoutbox:
        assert NUMBER not in mail.body and NUMBER not in mail.subject
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.staff_hire_check(staff=staff)
    assert not mailoutbox


def test_hiring_someone_else_warns_nobody(record, institution_a, mailoutbox):
    staff = StaffMemberFactory(institution=institution_a)
    assert services.staff_hire_check(staff=staff) == []
    assert not StaffCreditAlert.objects.exists()
