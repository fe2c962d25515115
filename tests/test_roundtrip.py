"""Round trip: every sample report rendered into every format and parsed back by the real parsers.

Seeds are compared with the hand-checked ../shared/expected figures (and the
checks that must fail); made-up reports with the figures they were rendered from.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from nianbao.parsers import parse_bytes
from tools.mirror.render import render_doc, render_docx, render_html, render_pdf
from tools.mirror.samples import load_reports

SHARED = Path(__file__).parents[1].parent / "shared"
RENDERED = [r for r in load_reports() if not r.file]
SEEDS = [r for r in RENDERED if r.id.startswith("seed-")]


def html_page(report) -> bytes:
    """The article fragment inside a minimal page, as a portal would serve it."""
    return (f"<html><head><meta charset='utf-8'><title>{report.title}</title></head>"
            f"<body>{render_html(report)}</body></html>").encode()


NEEDS_SOFFICE = [pytest.mark.slow,
                 pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) not installed")]
FORMATS = [
    pytest.param(html_page, id="html"),
    pytest.param(render_pdf, id="pdf"),
    pytest.param(render_docx, id="docx"),
    pytest.param(render_doc, id="doc", marks=NEEDS_SOFFICE),
]


def expected_for(report) -> dict:
    path = next((SHARED / "expected").glob(f"{report.id.removeprefix('seed-')}_*.json"))
    return json.loads(path.read_text(encoding="utf-8"))


def differences(got: dict, want: dict) -> dict:
    return {k: (got.get(k, "missing"), v) for k, v in want.items() if got.get(k, "missing") != v}


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared not checked out beside the repository")
@pytest.mark.parametrize("render", FORMATS)
@pytest.mark.parametrize("report", SEEDS, ids=lambda r: r.id)
def test_seed_round_trip_matches_expected(report, render):
    expected = expected_for(report)
    result = parse_bytes(render(report), path=f"{report.id}")
    assert result.errors == []
    assert (result.agency, result.year, result.template) == (
        expected["agency"], expected["year"], expected["template"])
    if expected["published"]:
        assert result.published == expected["published"]
    assert differences(result.figures, expected["figures"]) == {}
    assert sorted(result.failed_checks) == sorted(expected["expected_failed_checks"])


@pytest.mark.parametrize("render", FORMATS)
@pytest.mark.parametrize("report", [r for r in RENDERED if r.sample], ids=lambda r: r.id)
def test_generated_round_trip_gives_back_the_figures(report, render):
    result = parse_bytes(render(report), path=f"{report.id}")
    assert result.errors == []
    assert (result.agency, result.year, result.template) == (report.agency, report.year, report.template)
    assert differences(result.figures, report.figures) == {}
    assert result.failed_checks == []
