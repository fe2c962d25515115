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

from nianbao.parsers.relations import Relation

MAX_STEPS = 300
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


class _Search:
    """Damaged rows as variables over their candidates, the relations touching them as constraints."""

    def __init__(self, variables: dict[str, tuple[str, ...]], options: dict[str, list[Candidate]],
                 fixed: dict[str, int | float], relations: list[Relation]) -> None:
        self.owner = {key: name for name, keys in variables.items() for key in keys}
        self.column = {key: i for keys in variables.values() for i, key in enumerate(keys)}
        self.fixed = fixed
        live = [r for r in relations
                if any(k in self.owner for k in r.keys) and all(k in self.owner or k in fixed for k in r.keys)]
        self.touching = {name: [r for r in live if any(self.owner.get(k) == name for k in r.keys)] for name in variables}
        self.options = options
        self.steps = 0

    def possible(self, relation: Relation, domains: dict[str, list[Candidate]]) -> bool:
        """Whether some choice within the domains can make the relation hold (value bounds)."""
        low = high = 0.0
        for sign, keys in ((1, relation.plus), (-1, relation.minus)):
            for key in keys:
                if key not in self.owner:
                    low += sign * self.fixed[key]
                    high += sign * self.fixed[key]
                    continue
                values = [sign * c.values[self.column[key]] for c in domains[self.owner[key]]]
                low += min(values)
                high += max(values)
        return low <= 1e-9 and high >= -1e-9

    def fits(self, name: str, candidate: Candidate, domains: dict[str, list[Candidate]]) -> bool:
        trial = {**domains, name: [candidate]}
        return all(self.possible(r, trial) for r in self.touching[name])

    def propagate(self, domains: dict[str, list[Candidate]]) -> bool:
        """Drop candidates that fit no choice of the other rows; False when a row has none left."""
        changed = True
        while changed:
            changed = False
            for name in domains:
                kept = [c for c in domains[name] if self.fits(name, c, domains)]
                if not kept:
                    return False
                changed = changed or len(kept) < len(domains[name])
                domains[name] = kept
        return True

    def first_solution(self, domains: dict[str, list[Candidate]]) -> dict[str, Candidate] | None:
        """One choice per row satisfying every relation, by depth-first search; None if none (or over budget)."""
        domains = dict(domains)
        if not self.propagate(domains):
            return None
        open_rows = [name for name in domains if len(domains[name]) > 1]
        if not open_rows:
            return {name: d[0] for name, d in domains.items()}
        self.steps += 1
        if self.steps > MAX_STEPS:
            return None
        name = min(open_rows, key=lambda n: len(domains[n]))
        for candidate in domains[name]:
            found = self.first_solution({**domains, name: [candidate]})
            if found:
                return found
        return None


def solve(variables: dict[str, tuple[str, ...]], options: dict[str, list[Candidate]],
          fixed: dict[str, int | float], relations: list[Relation]) -> dict[str, list[Candidate]]:
    """For each damaged row, the candidates that belong to at least one consistent choice over all rows.

    ``variables`` maps a row name to the figure keys of its columns, ``options``
    to its candidates; ``fixed`` holds the figures read without doubt.  A row
    is restored only when exactly one candidate is left.  Rows whose search
    runs over budget keep all their candidates; no consistent choice at all
    leaves every row with none.
    """
    search = _Search(variables, options, fixed, relations)
    domains = {name: list(options[name]) for name in variables}
    first = search.first_solution(domains)
    if first is None:
        return {name: [] if search.steps <= MAX_STEPS else list(options[name]) for name in variables}
    viable = {name: [candidate] for name, candidate in first.items()}
    for name in variables:
        for candidate in options[name]:
            if candidate in viable[name]:
                continue
            other = search.first_solution({**domains, name: [candidate]})
            if other is not None:
                for row, choice in other.items():
                    if choice not in viable[row]:
                        viable[row].append(choice)
            elif search.steps > MAX_STEPS:
                viable[name] = list(options[name])
                break
    return viable
