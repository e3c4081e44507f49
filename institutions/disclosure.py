"""What the apps above the registry add to the public disclosure page (信息公示, /gongshi/).

The page lists the registry's institutions, and 一公开 asks it to show each one's published
inspection results too. Those belong to the inspections app, which stands a floor above the
registry, so the registry may not import it. Instead, inspections registers the function that
reads them from its `AppConfig.ready` (`inspections/apps.py`), and the page asks here. The page,
its URL (`institutions:public_list`) and its filters stay with the registry that owns them;
without a provider it lists the institutions with no results.

The same way, the vouchers app (a floor above too) says which institutions take its vouchers
today (`register_voucher_acceptance`), which parents choose by.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence

# (institution ids, today) -> {institution id: results, newest first}. Two queries at most.
ResultsProvider = Callable[..., Mapping[int, Sequence]]

_providers: list[ResultsProvider] = []


def register_public_results(provider: ResultsProvider) -> None:
    """Add `provider(institution_ids, *, today)` to the page. Registering twice adds it once."""
    if provider not in _providers:
        _providers.append(provider)


def public_results_for(institution_ids: Iterable[int], *, today: dt.date) -> dict[int, list]:
    """Every registered provider's results for these institutions, by institution id."""
    ids = list(institution_ids)
    results: dict[int, list] = defaultdict(list)
    for provider in _providers:
        for pk, items in provider(ids, today=today).items():
            results[pk].extend(items)
    return results


# (institution ids, today) -> the ids of those where a family can pay with a voucher today.
AcceptanceProvider = Callable[..., set[int]]
_acceptance: list[AcceptanceProvider] = []


def register_voucher_acceptance(provider: AcceptanceProvider) -> None:
    """The vouchers app says which institutions take its vouchers (vouchers/apps.py)."""
    if provider not in _acceptance:
        _acceptance.append(provider)


def voucher_acceptance_for(institution_ids: Iterable[int], *, today: dt.date) -> set[int]:
    ids = list(institution_ids)
    accepting: set[int] = set()
    for provider in _acceptance:
        accepting |= provider(ids, today=today)
    return accepting
