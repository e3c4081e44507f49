"""Key rotation: rows written with the old key still decrypt; after `rotate_personal_data` and
removing the old key, every value (history tables included) still decrypts."""

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from portal.personal_data import encrypted_fields
from tests.factories import InstitutionFactory, StaffMemberFactory
from vouchers import services

pytestmark = pytest.mark.django_db

OLD = Fernet.generate_key().decode()
NEW = Fernet.generate_key().decode()


def _stored_tokens() -> list[tuple[str, str]]:
    tokens = []
    for model in apps.get_models():
        fields = encrypted_fields(model)
        if not fields:
            continue
        for field in fields:
            with connection.cursor() as cursor:
                cursor.execute(
                    f'SELECT "{field.column}" FROM "{model._meta.db_table}" '  # noqa: S608
                    f'WHERE "{field.column}" <> %s',
                    [""],
                )
                tokens += [(model._meta.db_table, row[0]) for row in cursor.fetchall() if row[0]]
    return tokens


def _read_everything() -> int:
    """Load every encrypted value through the ORM (from_db_value decrypts or raises)."""
    read = 0
    for model in apps.get_models():
        fields = encrypted_fields(model)
        if fields:
            for values in model._default_manager.values_list(*[f.name for f in fields]):
                read += sum(1 for value in values if value)
    return read


def test_rotation_reencrypts_every_table_and_the_old_key_can_go(settings):
    settings.PERSONAL_DATA_KEYS = [OLD]
    staff = StaffMemberFactory(institution=InstitutionFactory())
    staff.name = "李四"
    staff.save()  # a second history row
    guardian = services.guardian_get_or_create(
        name="王芳", phone="13812345678", id_number="11010519491231002X"
    )
    assert _stored_tokens()
    tables = {table for table, _token in _stored_tokens()}
    assert any(
        table.startswith(("institutions_historical", "vouchers_historical")) for table in tables
    )

    # The new key comes first; the old one still decrypts.
    settings.PERSONAL_DATA_KEYS = [NEW, OLD]
    before = _read_everything()
    assert before > 0

    call_command("rotate_personal_data", "--dry-run")
    assert any(not _opens(NEW, token) for _t, token in _stored_tokens())  # dry run changed nothing
    call_command("rotate_personal_data")
    assert all(_opens(NEW, token) for _table, token in _stored_tokens())

    settings.PERSONAL_DATA_KEYS = [NEW]  # the old key is removed
    assert _read_everything() == before
    guardian.refresh_from_db()
    assert guardian.id_number.reveal() == "11010519491231002X"
    assert guardian.phone.reveal() == "13812345678"
    staff.refresh_from_db()
    assert staff.history.count() == 2
    assert {str(h.id_number) for h in staff.history.all()} == {str(staff.id_number)}

    # A rerun has nothing left to do.
    from lequing_tuoyu.management.commands.rotate_personal_data import rotate_all

    assert sum(rotate_all().values()) == 0


def _opens(key: str, token: str) -> bool:
    from cryptography.fernet import InvalidToken

    try:
        Fernet(key.encode()).decrypt(token.encode())
    except InvalidToken:
        return False
    return True
