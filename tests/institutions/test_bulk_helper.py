import datetime as dt

import pytest

from institutions.selectors import counted_institutions_as_of
from tests.bulk import make_registry


@pytest.mark.django_db
def test_bulk_registry_is_complete_and_readable_as_of_a_day(django_assert_num_queries):
    make_registry(50)
    with django_assert_num_queries(1):
        rows = list(counted_institutions_as_of(dt.date(2025, 6, 30)))
    assert len(rows) == 50
    assert {row.places_total for row in rows} == {35}
    assert sum(row.is_inclusive for row in rows) == 25
    assert {row.certified_care_staff_count for row in rows} == {2}
