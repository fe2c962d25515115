"""Putting back table cells a text rendering lost, where the template's arithmetic fixes them.

A row of table 3 that shows six numbers for seven columns lost one empty
cell, but which one?  Each placement is a candidate; the template's
relations (row sums, column outcome sums, balances) usually leave exactly
one combination of candidates over all damaged rows.  When they leave
several, or none (the source itself breaks a relation), nothing is
guessed: the caller leaves those rows out and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

from parsers.relations import Relation

MAX_SOLUTIONS = 20
MAX_STEPS = 200_000
MAX_MISSING = 2


@dataclass(frozen=True)
class Candidate:
    values: tuple[int | float, ...]
    guessed: frozenset[int]  # positions whose value was not printed, over every placement giving these values
    gaps: tuple[int, ...]  # one such placement


def placements(printed: list[int | float], width: int, total_last: bool = True) -> list[Candidate]:
    """Every way to spread the printed values over ``width`` columns, lost cells blank (0).

    A lost last cell is a blank 总计 and takes the sum of the others when ``total_last``.
    """
    missing = width - len(printed)
    if missing < 0 or missing > MAX_MISSING:
        return []
    found: dict[tuple, tuple[set[int], tuple[int, ...]]] = {}
    for gaps in combinations(range(width), missing):
        values: list[int | float] = []
        rest = iter(printed)
        for position in range(width):
            values.append(0 if position in gaps else next(rest))
        if total_last and width - 1 in gaps:
            values[-1] = sum(values[:-1])
        found.setdefault(tuple(values), (set(), gaps))[0].update(gaps)
    return [Candidate(v, frozenset(g), first) for v, (g, first) in found.items()]


def solve(variables: dict[str, list[tuple[str, ...]]], options: dict[str, list[Candidate]],
          fixed: dict[str, int | float], relations: list[Relation]) -> list[dict[str, Candidate]]:
    """All choices of one candidate per damaged row under which every relation touching them holds.

    ``variables`` maps a row name to the figure keys of its columns, ``options``
    to its candidates; ``fixed`` holds the figures read without doubt.
    Returns up to MAX_SOLUTIONS solutions; an empty list when none exists
    or the search is too large.
    """
    owner = {key: name for name, keys in variables.items() for key in keys}
    column = {key: i for keys in variables.values() for i, key in enumerate(keys)}
    live = [r for r in relations if any(k in owner for k in r.keys) and all(k in owner or k in fixed for k in r.keys)]
    order = sorted(variables, key=lambda name: len(options[name]))
    chosen: dict[str, Candidate] = {}
    solutions: list[dict[str, Candidate]] = []
    steps = 0

    def bounds(relation: Relation) -> tuple[float, float]:
        low = high = 0.0
        for sign, keys in ((1, relation.plus), (-1, relation.minus)):
            for key in keys:
                if key in fixed and key not in owner:
                    low += sign * fixed[key]
                    high += sign * fixed[key]
                    continue
                name = owner[key]
                values = [chosen[name].values[column[key]]] if name in chosen else \
                    [c.values[column[key]] for c in options[name]]
                low += min(sign * v for v in values)
                high += max(sign * v for v in values)
        return low, high

    def feasible() -> bool:
        for relation in live:
            low, high = bounds(relation)
            if low > 1e-9 or high < -1e-9:
                return False
        return True

    def search(depth: int) -> bool:
        nonlocal steps
        steps += 1
        if steps > MAX_STEPS or len(solutions) >= MAX_SOLUTIONS:
            return False
        if depth == len(order):
            solutions.append(dict(chosen))
            return True
        name = order[depth]
        for candidate in options[name]:
            chosen[name] = candidate
            if feasible():
                search(depth + 1)
            del chosen[name]
        return True

    if feasible():
        search(0)
    return [] if steps > MAX_STEPS else solutions
