"""Acceptance: every seed report parses to exactly its hand-checked figures, metadata and failing checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nianbao.parsers import parse_path

SHARED = Path(__file__).parents[1].parent / "shared"
SEEDS = sorted((SHARED / "seeds").glob("*.txt"))


def _expected(seed: Path) -> dict:
    return json.loads((SHARED / "expected" / f"{seed.stem}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=SEEDS, ids=lambda p: p.stem)
def parsed(request):
    return parse_path(request.param), _expected(request.param)


def test_seeds_are_present():
    assert len(SEEDS) == 5


def test_figures_exactly(parsed):
    result, expected = parsed
    assert result.figures == expected["figures"]
    assert set(result.figures) == set(expected["figures"])  # no extra keys, nulls included


def test_metadata(parsed):
    result, expected = parsed
    assert (result.template, result.year, result.agency) == (expected["template"], expected["year"], expected["agency"])
    if expected.get("published"):
        assert result.published == expected["published"]
    assert result.errors == []


def test_failing_checks(parsed):
    result, expected = parsed
    assert set(result.failed_checks) == set(expected["expected_failed_checks"])
    assert result.checks, "the relations of a parsed template are evaluated"


def test_provenance_points_at_printed_cells(parsed):
    result, _ = parsed
    for key, where in result.provenance.items():
        cell = result.tables[where["table"]]["rows"][where["row"]][where["col"]]
        assert cell == where["text"], key


def test_inferred_values_are_marked(parsed):
    result, _ = parsed
    for key in result.inferred:
        assert key in result.figures
