"""Every report of the bundled portal mirror, in the format it is served (HTML, PDF, DOCX, DOC),
parses to the figures and metadata it was rendered from (tools/mirror/reports/*.json)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlparse

import pytest

from nianbao.crawler.mirror.server import SITE_DIR
from nianbao.parsers import parse_path
from tools.mirror.samples import REPORTS_DIR

SITE = SITE_DIR / "1"


def _articles() -> list[dict]:
    manifest = json.loads((SITE / "manifest.json").read_text(encoding="utf-8"))
    return [a for a in manifest["articles"] if a.get("report")]


def _served_file(article: dict) -> Path:
    """The file a reader gets: the attachment when the report is one, else the article page."""
    url = article["attachments"][0]["url"] if article["format"] != "html" and article["attachments"] else article["url"]
    parts = urlparse(url)
    path = SITE / (parts.netloc + parts.path)
    return Path(f"{path}%3F{parts.query}") if parts.query else path


@pytest.mark.parametrize("article", _articles(), ids=lambda a: f"{a['report']}-{a['format']}")
def test_mirror_report_round_trip(article):
    report = json.loads((REPORTS_DIR / f"{article['report']}.json").read_text(encoding="utf-8"))
    result = parse_path(_served_file(article))
    assert result.errors == []
    assert result.figures == report["figures"]
    assert (result.template, result.year, result.agency) == (report["template"], report["year"], report["agency"])
    if report.get("signature"):
        assert result.published == report["published"]
