"""Every report of the bundled portal mirror, in the format it is served (HTML, PDF, DOCX, DOC),
parses to the figures and metadata it was rendered from (tools/mirror/reports/*.json)."""

from __future__ import annotations

import json

import pytest

from nianbao.parsers import parse_path
from tools.mirror.samples import REPORTS_DIR, served_reports


@pytest.mark.parametrize("article, path", served_reports(), ids=lambda a: f"{a['report']}-{a['format']}"
                         if isinstance(a, dict) else "")
def test_mirror_report_round_trip(article, path):
    report = json.loads((REPORTS_DIR / f"{article['report']}.json").read_text(encoding="utf-8"))
    result = parse_path(path)
    assert result.errors == []
    assert result.figures == report["figures"]
    assert (result.template, result.year, result.agency) == (report["template"], report["year"], report["agency"])
    if report.get("signature"):
        assert result.published == report["published"]
