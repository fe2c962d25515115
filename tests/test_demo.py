"""``nianbao demo --no-serve``: the README's first command, minus the server, end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlite_utils

from nianbao.crawler.mirror.server import SITE_DIR

pytestmark = pytest.mark.slow


def test_every_sample_report_of_every_portal_is_archived(demo_db: tuple[Path, str]) -> None:
    db = sqlite_utils.Database(demo_db[0])
    manifest = json.loads((SITE_DIR / "1" / "manifest.json").read_text(encoding="utf-8"))
    listed = {article["url"] for article in manifest["articles"] if article["report"]}
    archived = {row["url"] for row in db.query("select url from reports")}
    assert archived == listed
    assert {row["portal_id"] for row in db.query("select distinct portal_id from reports")} >= {
        "nxzw", "yinchuan", "nxld", "gongyi"}
    assert db.execute("select count(*) from reports").fetchone()[0] >= 12


def test_history_is_visible_after_the_first_run(demo_db: tuple[Path, str]) -> None:
    db = sqlite_utils.Database(demo_db[0])
    statuses = dict(db.execute("select status, count(*) from reports group by status").fetchall())
    assert statuses.get("removed") == 1
    edited = db.execute("select count(*) from reports r where (select count(*) from report_versions v"
                        " where v.report_id = r.id) = 2").fetchone()[0]
    assert edited == 1
    assert "snapshot 2" in demo_db[1]


def test_progress_is_printed_per_report(demo_db: tuple[Path, str]) -> None:
    output = demo_db[1]
    assert output.count(" new ") >= 12
    assert "年度报告" in output
