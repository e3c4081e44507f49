import pytest
from django.http import Http404

from institutions.models import Institution, StaffMember
from portal.roles import can_write, get_scoped_or_404, scope, user_roles
from tests.factories import StaffMemberFactory

pytestmark = pytest.mark.django_db


def test_operator_gets_404_for_another_institutions_object(operator_a, institution_b):
    staff_b = StaffMemberFactory(institution=institution_b)
    with pytest.raises(Http404):
        get_scoped_or_404(operator_a, Institution, pk=institution_b.pk)
    with pytest.raises(Http404):
        get_scoped_or_404(operator_a, StaffMember, pk=staff_b.pk)


def test_operator_sees_own_institution_and_its_staff(operator_a, institution_a, institution_b):
    own_staff = StaffMemberFactory(institution=institution_a)
    StaffMemberFactory(institution=institution_b)
    assert get_scoped_or_404(operator_a, Institution, pk=institution_a.pk) == institution_a
    assert list(scope(operator_a, StaffMember)) == [own_staff]


def test_operator_of_two_institutions_sees_both(operator_a, institution_a, institution_b):
    institution_b.operators.add(operator_a)
    assert set(scope(operator_a, Institution)) == {institution_a, institution_b}


@pytest.mark.parametrize("persona", ["bureau", "inspector", "education", "auditor"])
def test_city_wide_roles_see_every_institution(request, persona, institution_a, institution_b):
    user = request.getfixturevalue(persona)
    assert set(scope(user, Institution)) == {institution_a, institution_b}


@pytest.mark.parametrize("persona", ["anonymous", "family"])
def test_outsiders_see_no_institution(request, persona, institution_a):
    assert not scope(request.getfixturevalue(persona), Institution).exists()


def test_inactive_operator_sees_nothing(operator_a, institution_a):
    operator_a.is_active = False
    assert not scope(operator_a, Institution).exists()


def test_auditor_and_education_never_write(auditor, education, bureau, operator_a):
    assert not can_write(auditor)
    assert not can_write(education)
    assert can_write(bureau)
    assert can_write(operator_a)


def test_roles_are_read_with_one_query(django_assert_num_queries, operator_a):
    operator_a = type(operator_a).objects.get(pk=operator_a.pk)
    with django_assert_num_queries(1):
        user_roles(operator_a)
        user_roles(operator_a)
