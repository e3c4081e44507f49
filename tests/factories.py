"""factory_boy factories: how to make test data. Valid ID numbers and credit codes by default."""

import datetime as dt
import random

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from institutions.models import Institution, StaffMember, Township
from lequing_tuoyu.demo import make_credit_code, make_resident_id
from lequing_tuoyu.roles import ADMIN_ROLES, Role

_rng = random.Random(7)


def township(code_suffix: str = "114") -> Township:
    return Township.objects.get(code="330382" + code_suffix)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def role(self, create, extracted: Role | None, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get_or_create(name=extracted.group_name)[0])
            self.is_staff = extracted in ADMIN_ROLES
        self.save()


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    name = factory.Sequence(lambda n: f"测试托育机构{n}")
    credit_code = factory.LazyFunction(lambda: make_credit_code(_rng))
    kind = Institution.Kind.CENTRE
    ownership = Institution.Ownership.PRIVATE
    township = factory.LazyFunction(township)
    address = "乐清市柳市镇测试路1号"
    filed_on = dt.date(2024, 3, 1)


class StaffMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMember

    institution = factory.SubFactory(InstitutionFactory)
    name = factory.Sequence(lambda n: f"员工{n}")
    id_number = factory.LazyFunction(lambda: make_resident_id(_rng, born=dt.date(1990, 5, 17)))
    role = StaffMember.Role.CAREGIVER
    hired_on = dt.date(2024, 3, 1)
