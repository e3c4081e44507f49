import io
import logging

import pytest
from cryptography.fernet import Fernet
from django import forms
from django.core.exceptions import FieldError
from django.db import connection

from institutions.models import StaffMember
from portal.personal_data import ResidentId, decrypt, keyed_hash, reencrypt
from tests.factories import StaffMemberFactory

NUMBER = "11010519491231002X"
MASKED = "110105********002X"


def raw_column(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, id_number_hash FROM institutions_staffmember WHERE id = %s", [pk]
        )
        return cursor.fetchone()


@pytest.mark.django_db
def test_id_number_is_not_stored_in_plain_text():
    staff = StaffMemberFactory(id_number=NUMBER)
    stored, stored_hash = raw_column(staff.pk)
    assert NUMBER not in stored
    assert "19491231" not in stored
    assert stored.startswith("gAAAA")  # a Fernet token
    assert decrypt(stored) == NUMBER
    assert stored_hash == keyed_hash(NUMBER)
    assert NUMBER not in stored_hash


@pytest.mark.django_db
def test_history_rows_are_encrypted_too():
    staff = StaffMemberFactory(id_number=NUMBER)
    staff.name = "改名"
    staff.save()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number FROM institutions_historicalstaffmember WHERE id = %s", [staff.pk]
        )
        rows = [row[0] for row in cursor.fetchall()]
    assert len(rows) == 2
    assert all(NUMBER not in row and row.startswith("gAAAA") for row in rows)


@pytest.mark.django_db
def test_id_number_reads_back_masked_but_revealable():
    staff = StaffMember.objects.get(pk=StaffMemberFactory(id_number=NUMBER.lower()).pk)
    assert isinstance(staff.id_number, ResidentId)
    assert str(staff.id_number) == MASKED
    assert f"{staff.id_number}" == MASKED
    assert "%s" % staff.id_number == MASKED  # noqa: UP031 - the form logging uses
    assert MASKED in repr(staff.id_number)
    assert staff.id_number.reveal() == NUMBER


@pytest.mark.django_db
def test_same_instance_prints_masked_right_after_save():
    staff = StaffMemberFactory(id_number=NUMBER)
    assert str(staff.id_number) == MASKED


@pytest.mark.django_db
def test_lookup_by_keyed_hash_finds_exactly_one_person():
    wanted = StaffMemberFactory(id_number=NUMBER)
    StaffMemberFactory()
    found = StaffMember.objects.filter(id_number_hash=keyed_hash(" 11010519491231002x"))
    assert list(found) == [wanted]


@pytest.mark.django_db
def test_filtering_on_the_ciphertext_is_refused_not_silently_empty():
    with pytest.raises(FieldError):
        list(StaffMember.objects.filter(id_number=NUMBER))


@pytest.mark.django_db
def test_api_payload_and_logs_show_only_the_mask(settings):
    from rest_framework import serializers

    class StaffSerializer(serializers.ModelSerializer):
        class Meta:
            model = StaffMember
            fields = ["id", "id_number"]

    staff = StaffMember.objects.get(pk=StaffMemberFactory(id_number=NUMBER).pk)
    assert StaffSerializer(staff).data["id_number"] == MASKED

    handler = next(h for h in logging.getLogger().handlers if h.filters)
    stream = io.StringIO()
    old_stream = handler.setStream(stream)
    try:
        logger = logging.getLogger("lequing_tuoyu.test")
        logger.warning("staff %s changed, was %r", staff.id_number, staff.id_number)
        logger.warning("raw number typed into a form: %s, phone 13812345678", NUMBER)
        try:
            raise ValueError(f"bad row {NUMBER}")
        except ValueError:
            logger.exception("import failed")
    finally:
        handler.setStream(old_stream)
    output = stream.getvalue()
    assert NUMBER not in output
    assert "13812345678" not in output
    assert output.count(MASKED) == 4
    assert "138****5678" in output


def test_old_key_still_decrypts_and_reencrypt_moves_to_the_new_key(settings):
    old_key = Fernet.generate_key().decode()
    new_key = Fernet.generate_key().decode()
    settings.PERSONAL_DATA_KEYS = [old_key]
    token = Fernet(old_key.encode()).encrypt(NUMBER.encode()).decode()
    settings.PERSONAL_DATA_KEYS = [new_key, old_key]
    assert decrypt(token) == NUMBER
    rotated = reencrypt(token)
    settings.PERSONAL_DATA_KEYS = [new_key]
    assert decrypt(rotated) == NUMBER


@pytest.mark.django_db
def test_edit_form_shows_mask_and_keeps_number_when_sent_back(institution_a):
    class StaffForm(forms.ModelForm):
        class Meta:
            model = StaffMember
            fields = ["institution", "name", "id_number", "role", "hired_on"]

    staff = StaffMember.objects.get(pk=StaffMemberFactory(id_number=NUMBER).pk)
    rendered = str(StaffForm(instance=staff)["id_number"])
    assert MASKED in rendered and NUMBER not in rendered

    data = {
        "institution": staff.institution_id,
        "name": "新名字",
        "id_number": MASKED,
        "role": staff.role,
        "hired_on": "2024-03-01",
    }
    form = StaffForm(data, instance=staff)
    assert form.is_valid(), form.errors
    form.save()
    staff.refresh_from_db()
    assert staff.id_number.reveal() == NUMBER and staff.name == "新名字"

    form = StaffForm({**data, "id_number": NUMBER[:17] + "1"}, instance=staff)
    assert not form.is_valid()
    assert "校验位" in form.errors["id_number"][0]


def test_phone_and_name_values_print_masked():
    from portal.personal_data import PersonName, PhoneNumber

    assert str(PhoneNumber("13812345678")) == "138****5678"
    assert f"{PersonName('王小明')}" == "王**"
    assert repr(PersonName("李白")) == "PersonName('李*')"
    assert PersonName("王小明").reveal() == "王小明"


def test_phone_field_validates_and_normalises():
    from django.core.exceptions import ValidationError

    from portal.personal_data import PhoneNumberField

    field = PhoneNumberField()
    assert field.to_python("138-1234-5678").reveal() == "13812345678"
    with pytest.raises(ValidationError):
        field.to_python("12345")
