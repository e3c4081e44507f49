"""The registry's as-of tests run three times: through `institutions_as_of` (correlated
subqueries), through institutions.facts (set-based, what the indicators read on PostgreSQL;
issue 21) and through the facts kept per day (institutions.facts_store, what the nightly
computation reads). Each test module that reads the registry through
`institutions_as_of(day).get(pk=...)` uses the `registry_reader` fixture, so every edge case it
builds holds for all three. The kept reader fills the day at each read: a test that reads, then
writes a fact, then reads again proves the write's trigger dropped the stale row."""

from __future__ import annotations

import sys

import pytest
from django.db import connection

from institutions import facts_store
from institutions.facts import facts_sql
from institutions.models import Institution


class SetBasedAsOf:
    """`institutions_as_of(day)` for `.get(pk=...)`: the institution with every fact column
    taken from institutions.facts."""

    kept = False

    def __init__(self, day, queryset=None):
        self.day = day

    def get(self, pk):
        if self.kept:
            facts_store.fill(self.day)
            sql, params = facts_store.kept_sql(self.day, filed_and_open_only=False)
        else:
            sql, params = facts_sql(self.day)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM ({sql}) AS f WHERE f.id = %s", [*params, pk])  # noqa: S608
            row = cursor.fetchone()
            names = [column[0] for column in cursor.description]
        institution = Institution.objects.get(pk=pk)
        for name, value in zip(names, row, strict=True):
            setattr(institution, name, value)
        return institution


class KeptAsOf(SetBasedAsOf):
    """The same, read from the facts kept at the day (filled first)."""

    kept = True


READERS = {"set_based": SetBasedAsOf, "kept": KeptAsOf}


def registry_reader_fixture(module_name: str):
    @pytest.fixture(autouse=True, params=["orm", *READERS])
    def registry_reader(request, monkeypatch):
        if request.param in READERS:
            monkeypatch.setattr(
                sys.modules[module_name], "institutions_as_of", READERS[request.param]
            )
        return request.param

    return registry_reader
