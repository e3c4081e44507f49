"""The registry's as-of tests run twice: through `institutions_as_of` (correlated subqueries)
and through institutions.facts (set-based, what the indicators read on PostgreSQL; issue 21).
Each test module that reads the registry through `institutions_as_of(day).get(pk=...)` uses the
`registry_reader` fixture, so every edge case it builds holds for both."""

from __future__ import annotations

import sys

import pytest
from django.db import connection

from institutions.facts import facts_sql
from institutions.models import Institution


class SetBasedAsOf:
    """`institutions_as_of(day)` for `.get(pk=...)`: the institution with every fact column
    taken from institutions.facts."""

    def __init__(self, day, queryset=None):
        self.day = day

    def get(self, pk):
        sql, params = facts_sql(self.day)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM ({sql}) AS f WHERE f.id = %s", [*params, pk])  # noqa: S608
            row = cursor.fetchone()
            names = [column[0] for column in cursor.description]
        institution = Institution.objects.get(pk=pk)
        for name, value in zip(names, row, strict=True):
            setattr(institution, name, value)
        return institution


def registry_reader_fixture(module_name: str):
    @pytest.fixture(autouse=True, params=["orm", "set_based"])
    def registry_reader(request, monkeypatch):
        if request.param == "set_based":
            monkeypatch.setattr(sys.modules[module_name], "institutions_as_of", SetBasedAsOf)
        return request.param

    return registry_reader
