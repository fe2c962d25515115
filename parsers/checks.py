"""Consistency checks (勾稽关系) over a report's figures: findings, never repairs."""

from __future__ import annotations

from typing import Any

from nianbao.parsers.relations import all_relations


def _fmt(value: int | float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def run_checks(figures: dict[str, int | float | None]) -> list[dict[str, Any]]:
    """One entry per relation whose figures are all present and printed."""
    checks = []
    for relation in all_relations(set(figures)):
        values = [figures.get(k) for k in relation.keys]
        if any(v is None for v in values):
            continue
        plus = [v for k in relation.plus if (v := figures[k]) is not None]  # all present: checked above
        minus = [v for k in relation.minus if (v := figures[k]) is not None]
        ok = abs(sum(plus) - sum(minus)) < 1e-6
        detail = f"{'+'.join(map(_fmt, plus))} {'=' if ok else '≠'} {'+'.join(map(_fmt, minus))}"
        checks.append({"rule": relation.rule, "ok": ok, "detail": detail})
    return checks
