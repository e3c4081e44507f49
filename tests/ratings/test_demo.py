"""The demo's star ratings: one clearly labelled demonstration criteria set, applications at three
steps on institutions the demo operators do not run, and a rating about to expire."""

import pytest
from django.utils import timezone

from institutions.models import Institution, StarRating
from lequing_tuoyu import demo
from ratings.criteria import DEMO_SET_NAME
from ratings.models import CriteriaSet, RatingApplication

pytestmark = pytest.mark.django_db


def test_the_demo_loads_one_labelled_set_and_applications_at_each_step():
    result = demo.seed(scale="demo", seed=11, with_indicators=False)
    assert result.ratings == {"criteria_sets": 1, "applications": 3, "expiring": 1}
    criteria_set = CriteriaSet.objects.get()
    assert criteria_set.name == DEMO_SET_NAME == "演示评定标准（非正式）"
    assert criteria_set.criteria.count() == 5 and criteria_set.thresholds.count() == 5
    states = set(RatingApplication.objects.values_list("state", flat=True))
    assert states == {"submitted", "reviewed", "approved"}
    operated = Institution.objects.filter(operators__username__in=["operator1", "operator2"])
    assert not RatingApplication.objects.filter(institution__in=operated).exists()
    approved = RatingApplication.objects.get(state="approved")
    assert approved.star_rating.stars == approved.stars_granted
    assert approved.star_rating.expires_on > timezone.localdate()
    second = operated.get(operators__username="operator2")
    rating = StarRating.objects.filter(institution=second).order_by("-effective_from").first()
    assert 0 < (rating.expires_on - timezone.localdate()).days <= 60
