"""The accuracy floor on every real report fixture the project has (bench/bench_accuracy.py prints the detail):
structured formats (HTML, PDF, DOCX, DOC) ≥ 99.5 % of the printed cells, text renderings ≥ 98 %, and never a
number other than the printed one."""

from __future__ import annotations

from bench.bench_accuracy import FLOORS, fixtures, score, totals


def test_cell_accuracy_floors_on_every_real_fixture():
    scores = [score(path, expected) for _, path, expected in fixtures()]
    assert {s.kind for s in scores} == {"structured", "text"}
    assert sum(s.expected for s in scores) > 1500  # the fixtures were all found
    assert {s.name: s.wrong for s in scores if s.wrong} == {}
    for kind, (right, expected, _wrong) in totals(scores).items():
        assert right / expected >= FLOORS[kind], f"{kind}: {right}/{expected}"
