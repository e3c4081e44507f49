"""Filters (django-filter) the apps' APIs share."""

from __future__ import annotations

from collections.abc import Callable

from django.db import models
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field

from ..dates import MONTH_PATTERN
from ..forms import MonthField
from ..roles import scope


@extend_schema_field({"type": "string", "pattern": MONTH_PATTERN})
class MonthFilter(filters.Filter):
    """?month=YYYY-MM, as the month's first day: the pages' month field, with any year (the
    API's months are not bounded)."""

    field_class = MonthField

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("years", None)
        super().__init__(*args, **kwargs)


def scoped_queryset(model: type[models.Model]) -> Callable:
    """For a reference filter: its choices are what the requesting user may see, so naming
    anything else is refused like an id that does not exist."""

    def queryset(request):
        return scope(getattr(request, "user", None), model)

    return queryset
