"""factory_boy factories: how to make test data. Valid ID numbers and credit codes by default."""

import datetime as dt
import random

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from institutions.models import (
    ApprovedPlaces,
    CareContract,
    Certificate,
    Community,
    FeeStandard,
    HealthFacility,
    InclusiveRecognition,
    Institution,
    InstructorAssignment,
    StaffMember,
    StarRating,
    Township,
)
from lequing_tuoyu.demo import make_credit_code, make_resident_id
from portal.roles import ADMIN_ROLES, Role

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
    # A different birth date per person, so many staff never collide on one ID number.
    id_number = factory.Sequence(
        lambda n: make_resident_id(_rng, born=dt.date(1980, 1, 1) + dt.timedelta(days=n))
    )
    role = StaffMember.Role.CAREGIVER
    hired_on = dt.date(2024, 3, 1)


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    township = factory.LazyFunction(township)
    name = factory.Sequence(lambda n: f"测试社区{n}")
    residents = 5000


class ApprovedPlacesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApprovedPlaces

    institution = factory.SubFactory(InstitutionFactory)
    effective_from = dt.date(2024, 3, 1)
    infant = 0
    toddler = 15
    older = 20
    mixed = 0


class FeeStandardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeeStandard

    institution = factory.SubFactory(InstitutionFactory)
    effective_from = dt.date(2024, 3, 1)
    monthly_full_day = 1800
    monthly_half_day = None


class StarRatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StarRating

    institution = factory.SubFactory(InstitutionFactory)
    effective_from = dt.date(2024, 6, 1)
    stars = 3


class InstructorAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InstructorAssignment

    institution = factory.SubFactory(InstitutionFactory)
    effective_from = dt.date(2024, 3, 1)
    instructor = factory.SubFactory(UserFactory)


class InclusiveRecognitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InclusiveRecognition

    institution = factory.SubFactory(InstitutionFactory)
    valid_from = dt.date(2024, 3, 1)
    valid_to = None
    document_number = factory.Sequence(lambda n: f"乐卫普惠〔2024〕{n}号")


class CareContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareContract

    institution = factory.SubFactory(InstitutionFactory)
    valid_from = dt.date(2024, 3, 1)
    valid_to = dt.date(2026, 2, 28)
    health_facility = "乐清市柳市镇社区卫生服务中心"


class HealthFacilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HealthFacility

    name = factory.Sequence(lambda n: f"测试社区卫生服务中心{n}")
    level = HealthFacility.Level.TOWNSHIP
    kind = HealthFacility.Kind.COMMUNITY_CENTRE
    township = factory.LazyFunction(township)


class CertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certificate

    staff = factory.SubFactory(StaffMemberFactory)
    kind = Certificate.Kind.CHILDCARE_WORKER
    number = factory.Sequence(lambda n: f"BYS{n:08d}")
    issued_on = dt.date(2023, 1, 1)
    expires_on = None
