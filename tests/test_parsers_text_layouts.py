"""Text renderings in the layouts real converters produce (issue 11), made from every sample report of the
mirror (the seeds included): the figures must come back exactly, and never a wrong number.

The shapes are in tests/text_layouts.py: sub-rows numbered with 、，． or nothing; tables flattened to one cell
per line, cells between blank lines, ``cell |`` lines; single-space ``行政许可 97`` lines; labels a line above
their numbers; header cells cut where they wrap (本年新); table 3 as small tables per row group and table 4 as
three small tables under headings.
"""

from __future__ import annotations

import pytest
from text_layouts import SHAPES, render_text

from nianbao.parsers import parse_bytes
from tools.mirror.samples import load_reports

REPORTS = [r for r in load_reports() if not r.file]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("report", REPORTS, ids=lambda r: r.id)
def test_layout_gives_the_printed_figures(shape, report):
    result = parse_bytes(render_text(report, SHAPES[shape]).encode("utf-8"))
    assert result.errors == []
    wrong = {k: (result.figures[k], v) for k, v in report.figures.items() if k in result.figures and result.figures[k] != v}
    assert wrong == {}  # never a wrong number
    missing = [k for k in report.figures if k not in result.figures]
    assert missing == []
    assert (result.template, result.year) == (report.template, report.year)


def test_values_whose_label_was_lost_are_left_out_and_said():
    """Layout 4, label lost: the row's numbers are not placed by guess; the notes say what was left out."""
    report = next(r for r in REPORTS if r.id == "seed-000")
    text = render_text(report, SHAPES["values_next_line"])
    assert text.count("（二）部分公开（区分处理的，只计这一情形，不计其他情形）\n") == 1
    result = parse_bytes(text.replace("（二）部分公开（区分处理的，只计这一情形，不计其他情形）\n", "").encode("utf-8"))
    assert not any(k.startswith("requests.partly_granted.") for k in result.figures)
    assert "table 3: a row of 7 values without its label (after granted) left out" in result.notes
    assert {k: v for k, v in result.figures.items() if report.figures.get(k) != v} == {}
