"""The demo has a few support cases with reviews, one closed, some the demo health login's
facility supports; the children's names are stored encrypted like any other."""

from django.contrib.auth import get_user_model

from institutions.inclusive.models import SupportCase, SupportReview
from lequing_tuoyu import demo
from portal.roles import scope


def test_the_demo_has_support_cases(db):
    demo.seed(scale="demo", seed=11, with_indicators=False)
    assert SupportCase.objects.count() == 5
    assert SupportCase.objects.filter(closed_on__isnull=False).count() == 1
    assert SupportReview.objects.exists()
    assert all("演示" in case.plan for case in SupportCase.objects.all())
    health = get_user_model().objects.get(username="health1")
    assert scope(health, SupportCase).exists()
    assert scope(health, SupportCase).count() < SupportCase.objects.count()
