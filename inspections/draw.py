"""The random draw (双随机), as a pure function of what a `RandomDraw` records.

Published with every draw, so anyone can re-run it (Python's `random.Random` is the Mersenne
Twister, the same on every platform and version since 3.2 for the calls used here):

1. `rng = random.Random(seed)`.
2. Institutions: the pool is sorted by id, each with an integer weight (1 for every institution
   unless the draw is risk-weighted). `sample_size` times: `r = rng.randrange(total weight)`; the
   institution whose cumulative weight first exceeds `r` is drawn and leaves the pool.
3. Inspectors, for each drawn institution in drawing order: the eligible inspectors are the pool
   (sorted by id) minus the recorded conflicts with that institution. `per_institution` times:
   among the eligible inspectors not yet picked for it, those with the fewest assignments so far
   are the candidates, and `rng.choice(candidates)` is picked. This spreads the work evenly.

Only integers go through the generator, so the result does not depend on floating point.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass

ALGORITHM = "v1"


class DrawImpossible(ValueError):
    """The pool cannot give what was asked (too few institutions or eligible inspectors)."""

    def __init__(self, message: str, *, institution_id: int | None = None) -> None:
        super().__init__(message)
        self.institution_id = institution_id


@dataclass(frozen=True)
class Drawn:
    institution_id: int
    inspector_ids: tuple[int, ...]


def run_draw(
    *,
    seed: int,
    institution_pool: Iterable[tuple[int, int]],
    inspector_pool: Iterable[int],
    conflicts: Iterable[tuple[int, int]],
    sample_size: int,
    per_institution: int,
) -> list[Drawn]:
    """Draw `sample_size` institutions and `per_institution` inspectors for each."""
    rng = random.Random(seed)  # noqa: S311 - reproducible on purpose; the seed is published
    pool = sorted((int(pk), int(weight)) for pk, weight in institution_pool)
    if any(weight < 1 for _pk, weight in pool):
        raise DrawImpossible("weights must be positive integers")
    if sample_size > len(pool):
        raise DrawImpossible("sample larger than the pool")
    inspectors = sorted({int(pk) for pk in inspector_pool})
    excluded = {(int(a), int(b)) for a, b in conflicts}

    drawn_institutions: list[int] = []
    for _round in range(sample_size):
        total = sum(weight for _pk, weight in pool)
        target = rng.randrange(total)
        running = 0
        for index, (pk, weight) in enumerate(pool):
            running += weight
            if target < running:
                drawn_institutions.append(pk)
                del pool[index]
                break

    load = dict.fromkeys(inspectors, 0)
    result = []
    for institution_id in drawn_institutions:
        eligible = [pk for pk in inspectors if (institution_id, pk) not in excluded]
        if len(eligible) < per_institution:
            raise DrawImpossible("not enough eligible inspectors", institution_id=institution_id)
        picked: list[int] = []
        for _slot in range(per_institution):
            remaining = [pk for pk in eligible if pk not in picked]
            fewest = min(load[pk] for pk in remaining)
            candidates = [pk for pk in remaining if load[pk] == fewest]
            choice = rng.choice(candidates)
            picked.append(choice)
            load[choice] += 1
        result.append(Drawn(institution_id, tuple(sorted(picked))))
    return result
