import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from institutions import services
from institutions.models import InclusiveRecognition, StaffMember
from tests.factories import InclusiveRecognitionFactory, InstitutionFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db
NUMBER = "11010519491231002X"


def test_staff_hire_records_who_hired(bureau, institution_a):
    staff = services.staff_hire(
        institution=institution_a,
        actor=bureau,
        name="王静",
        id_number=NUMBER,
        role=StaffMember.Role.CAREGIVER,
        hired_on=dt.date(2025, 1, 1),
    )
    assert staff.history.get().history_user == bureau


def test_same_person_cannot_be_employed_twice_at_once(institution_a):
    StaffMemberFactory(institution=institution_a, id_number=NUMBER, hired_on=dt.date(2024, 1, 1))
    with pytest.raises(ValidationError) as error:
        services.staff_hire(
            institution=institution_a,
            name="王静",
            id_number=NUMBER.lower(),
            role=StaffMember.Role.TEACHER,
            hired_on=dt.date(2025, 1, 1),
        )
    assert "重叠" in error.value.message_dict["id_number"][0]


def test_rehire_after_leaving_and_other_institution_are_allowed(institution_a, institution_b):
    first = StaffMemberFactory(
        institution=institution_a, id_number=NUMBER, hired_on=dt.date(2024, 1, 1)
    )
    services.staff_leave(staff=first, left_on=dt.date(2024, 12, 31))
    services.staff_hire(
        institution=institution_a,
        name="王静",
        id_number=NUMBER,
        role="caregiver",
        hired_on=dt.date(2024, 12, 31),
    )
    services.staff_hire(
        institution=institution_b,
        name="王静",
        id_number=NUMBER,
        role="caregiver",
        hired_on=dt.date(2024, 6, 1),
    )
    assert StaffMember.objects.count() == 3


def test_database_refuses_double_employment_even_past_the_service(institution_a):
    StaffMemberFactory(institution=institution_a, id_number=NUMBER, hired_on=dt.date(2024, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffMember.objects.create(
            institution=institution_a,
            name="x",
            id_number=NUMBER,
            role="teacher",
            hired_on=dt.date(2024, 5, 1),
        )


def test_overlapping_recognitions_are_refused_in_code_and_in_the_database(institution_a):
    InclusiveRecognitionFactory(
        institution=institution_a, valid_from=dt.date(2024, 1, 1), valid_to=dt.date(2024, 12, 31)
    )
    overlapping = InclusiveRecognition(
        institution=institution_a, valid_from=dt.date(2024, 12, 31), valid_to=None
    )
    with pytest.raises(ValidationError) as error:
        services.registry_record_save(record=overlapping)
    assert "重叠" in " ".join(error.value.messages)
    with pytest.raises(IntegrityError), transaction.atomic():
        overlapping.save()
    services.registry_record_save(
        record=InclusiveRecognition(institution=institution_a, valid_from=dt.date(2025, 1, 1))
    )


def test_institution_update_validates_credit_code(bureau):
    institution = InstitutionFactory()
    with pytest.raises(ValidationError):
        services.institution_update(
            institution=institution, actor=bureau, credit_code="91350100M000100Y44"
        )
    services.institution_update(
        institution=institution,
        actor=bureau,
        credit_code="91350100M000100Y44",
        credit_code_override_reason="营业执照核实",
    )
    institution.refresh_from_db()
    assert institution.credit_code == "91350100M000100Y44"
    assert institution.history.latest().history_user == bureau


def test_leaving_before_hiring_is_a_form_error_not_a_crash(institution_a):
    with pytest.raises(ValidationError) as error:
        services.staff_hire(
            institution=institution_a,
            name="王静",
            id_number=NUMBER,
            role="caregiver",
            hired_on=dt.date(2025, 1, 1),
            left_on=dt.date(2024, 12, 1),
        )
    assert "离职日期必须晚于入职日期" in " ".join(error.value.messages)


def test_period_ending_before_it_starts_is_a_form_error_not_a_crash(institution_a):
    record = InclusiveRecognition(
        institution=institution_a, valid_from=dt.date(2025, 1, 1), valid_to=dt.date(2024, 1, 1)
    )
    with pytest.raises(ValidationError) as error:
        services.registry_record_save(record=record)
    assert "有效期止不能早于有效期起" in " ".join(error.value.messages)


def test_an_institutions_contact_number_is_a_mobile_or_a_landline(bureau, institution_a):
    for number in ("13912345678", "0577 6234 5678", ""):
        services.institution_update(institution=institution_a, actor=bureau, contact_phone=number)
    with pytest.raises(ValidationError) as error:
        services.institution_update(
            institution=institution_a, actor=bureau, contact_phone="1391234567"
        )
    assert error.value.message_dict["contact_phone"] == ["请输入11位手机号码或带区号的固定电话。"]
