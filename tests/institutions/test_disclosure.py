"""The hook through which the apps above the registry add results to the public page."""

import datetime as dt

import pytest

from institutions import disclosure

DAY = dt.date(2025, 5, 6)


@pytest.fixture
def providers(monkeypatch):
    monkeypatch.setattr(disclosure, "_providers", [])
    return disclosure._providers


def test_without_a_provider_there_are_no_results(providers):
    assert disclosure.public_results_for([1, 2], today=DAY) == {}


def test_results_of_every_provider_by_institution(providers):
    seen = []

    def checks(ids, *, today):
        seen.append((ids, today))
        return {1: ["年检"]}

    def visits(ids, *, today):
        return {1: ["巡查"], 2: ["指导"]}

    disclosure.register_public_results(checks)
    disclosure.register_public_results(checks)  # registering again adds it once
    disclosure.register_public_results(visits)
    results = disclosure.public_results_for(iter([1, 2]), today=DAY)
    assert results == {1: ["年检", "巡查"], 2: ["指导"]}
    assert seen == [([1, 2], DAY)]
