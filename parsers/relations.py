"""The arithmetic the templates require (勾稽关系), as named relations between figure keys.

One list serves twice: the consistency checks report each relation that
can be evaluated, and the mapper uses the same relations to put back cells
a text rendering lost.  A relation holds when ``sum(plus) == sum(minus)``.
"""

from __future__ import annotations

from dataclasses import dataclass

from nianbao.parsers.templates import TEMPLATES

APPLICANTS = TEMPLATES.columns[:-1]  # the six applicant columns; the last is 总计


@dataclass(frozen=True)
class Relation:
    rule: str
    plus: tuple[str, ...]
    minus: tuple[str, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return self.plus + self.minus


def request_relations(rows: list[str]) -> list[Relation]:
    """Row sums, column balances and outcome sums of table 3 for the rows present."""
    outcome_rows = [r["key"] for r in TEMPLATES.entries("requests", "rows") if r.get("outcome") and r["key"] in rows]
    if "other" not in rows:
        outcome_rows += [r["key"] for r in TEMPLATES.entries("requests", "rows") if r.get("part_of") == "other" and r["key"] in rows]
    relations = [
        Relation(f"requests.row_sum:{row}", tuple(f"requests.{row}.{c}" for c in APPLICANTS), (f"requests.{row}.total",))
        for row in rows
    ]
    for col in TEMPLATES.columns:
        relations.append(Relation(f"requests.balance:{col}", (f"requests.new.{col}", f"requests.carried_over.{col}"),
                                  (f"requests.total.{col}", f"requests.carried_forward.{col}")))
        relations.append(Relation(f"requests.outcomes_sum:{col}", tuple(f"requests.{r}.{col}" for r in outcome_rows),
                                  (f"requests.total.{col}",)))
    return relations


def appeal_relations() -> list[Relation]:
    parts = [o["key"] for o in TEMPLATES.entries("appeals", "outcomes") if o["key"] != "total"]
    return [Relation(f"appeals.sum:{g}", tuple(f"appeals.{g}.{p}" for p in parts), (f"appeals.{g}.total",))
            for g in TEMPLATES.data["appeals"]["groups"]]


def legacy_relations() -> list[Relation]:
    return [Relation(f"legacy.sum:{name}", tuple(f"legacy.{p}" for p in spec["parts"]), (f"legacy.{spec['total']}",))
            for name, spec in TEMPLATES.data["legacy_sums"].items()]


def all_relations(keys: set[str]) -> list[Relation]:
    rows = sorted({k.split(".")[1] for k in keys if k.startswith("requests.")})
    return request_relations(rows) + appeal_relations() + legacy_relations()
