"""Per-portal crawl outcomes: a column whose lists give no (or far fewer) report links is flagged
``suspect``; ``nianbao portals --health`` lists portals by their last outcome, worst first."""

from __future__ import annotations

import json
import sqlite3

from click.testing import CliRunner

from nianbao.crawler.cli import portals as portals_command
from nianbao.crawler.health import portal_outcome
from nianbao.crawler.registry import SAMPLE_REGISTRY_PATH


def test_outcomes():
    assert portal_outcome(2, [], [], 5, None).outcome == "ok"
    assert portal_outcome(2, [], [], 5, 6).outcome == "ok"
    suspect = portal_outcome(2, [], [], 2, 10)
    assert suspect.outcome == "suspect" and suspect.reason == "2 report links, the last good run found 10"
    assert portal_outcome(3, [], [], 0, None).reason == "no report links on 3 list page(s)"
    assert portal_outcome(0, ["x: HTTP 503"], [], 0, 4) == portal_outcome(0, ["x: HTTP 503"], [], 0, None)
    assert portal_outcome(0, [], ["u: 瑞数 (HTTP 412)", "v: 瑞数 (HTTP 412)"], 0, 4).reason == "u: 瑞数 (HTTP 412) (and 1 more)"


def test_a_column_that_stops_listing_reports_is_suspect(crawl_mirror, tmp_path):
    """中卫 crawled well, then with a title test no report passes (as after a site redesign)."""
    db_path = tmp_path / "a.db"
    crawl_mirror(db_path, ("nxzw", "nxld"))
    changed = tmp_path / "portals.yml"
    changed.write_text(SAMPLE_REGISTRY_PATH.read_text(encoding="utf-8").replace(
        "    family: trs\n    start_urls: ['http://www.nxzw.gov.cn/", "    family: trs\n    report_title: '^never$'\n"
        "    start_urls: ['http://www.nxzw.gov.cn/"), encoding="utf-8")
    done = crawl_mirror(db_path, ("nxzw",), NIANBAO_REGISTRY=str(changed))
    assert done.returncode == 0
    with sqlite3.connect(db_path) as db:
        runs = db.execute("select run_id, portal_id, outcome, outcome_reason, report_links from crawl_run_portals "
                          "order by run_id, portal_id").fetchall()
        removed = db.execute("select count(*) from reports where status = 'removed'").fetchone()[0]
    assert runs[:2] == [(1, "nxld", "ok", None, 2), (1, "nxzw", "ok", None, 4)]
    assert runs[2] == (2, "nxzw", "suspect", "no report links on 2 list page(s)", 0)
    assert removed == 0  # unlisted but still served: not removed (crawler/removals.py)

    result = CliRunner().invoke(portals_command, ["--health", "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1].split()[:2] == ["nxzw", "suspect"] and "no report links" in lines[1]
    assert lines[2].split()[:2] == ["nxld", "ok"]
    rows = [json.loads(line) for line in CliRunner().invoke(
        portals_command, ["--health", "--json", "--db", str(db_path)]).output.splitlines()]
    assert [(r["portal_id"], r["outcome"], r["run_id"]) for r in rows] == [("nxzw", "suspect", 2), ("nxld", "ok", 1)]


def test_health_needs_an_archive(tmp_path):
    result = CliRunner().invoke(portals_command, ["--health", "--db", str(tmp_path / "none.db")])
    assert result.exit_code != 0 and "no archive" in result.output
