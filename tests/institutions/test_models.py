import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db

BAD_CHECK = "91350100M000100Y44"


def test_credit_code_failing_the_check_is_refused_without_a_reason():
    institution = InstitutionFactory.build(credit_code=BAD_CHECK)
    with pytest.raises(ValidationError) as error:
        institution.full_clean()
    assert "credit_code" not in error.value.message_dict  # model.clean() reports it overall
    assert "校验位" in " ".join(error.value.messages)


def test_credit_code_override_is_accepted_and_recorded_in_history(bureau):
    institution = InstitutionFactory.build(
        credit_code=BAD_CHECK.lower(), credit_code_override_reason="营业执照原件核实，代码无误"
    )
    institution.full_clean()
    institution._history_user = bureau
    institution.save()
    record = institution.history.get()
    assert record.credit_code == BAD_CHECK
    assert record.credit_code_override_reason == "营业执照原件核实，代码无误"
    assert record.history_user == bureau


def test_two_institutions_cannot_share_a_credit_code():
    first = InstitutionFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        InstitutionFactory(credit_code=first.credit_code)


def test_closing_before_filing_is_refused_by_the_database():
    import datetime as dt

    with pytest.raises(IntegrityError), transaction.atomic():
        InstitutionFactory(filed_on=dt.date(2025, 3, 1), closed_on=dt.date(2025, 2, 1))
