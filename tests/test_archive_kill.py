"""A crawl killed mid-ingest leaves a sound database with only whole reports."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nianbao.archive.db import open_archive

CAPTURE_SCRIPT = Path(__file__).with_name("archive_captures.py")
ATTACHMENTS = 3  # per capture in archive_captures.ingest_many: report.txt, big.bin, missing.pdf (404)


def ingest_then_kill(db_path: Path, after: int, extra_delay: float) -> int:
    """Start ingesting, SIGKILL after ``after`` reports plus ``extra_delay``; return how many finished."""
    proc = subprocess.Popen([sys.executable, str(CAPTURE_SCRIPT), str(db_path), "200"], stdout=subprocess.PIPE,
                            text=True)
    done = -1
    deadline = time.monotonic() + 120
    while done < after - 1 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        done = int(line)
    time.sleep(extra_delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL, "the ingest must still be running when killed"
    return done + 1


@pytest.mark.slow
@pytest.mark.parametrize("after", [2, 5])
def test_killed_ingest_leaves_only_whole_reports(tmp_path, after):
    db_path = tmp_path / "killed.db"
    finished = ingest_then_kill(db_path, after, random.uniform(0.0, 0.3))
    db = open_archive(db_path)
    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert db.execute("pragma foreign_key_check").fetchall() == []
    reports = list(db.query("select id, current_version_id from reports"))
    assert len(reports) >= finished
    for report in reports:
        version = db["report_versions"].get(report["current_version_id"])
        documents = db.execute("select count(*) from version_documents where version_id = ?", [version["id"]])
        assert documents.fetchone()[0] == ATTACHMENTS  # article + 2 fetched attachments
        fetches = db.execute("select count(*) from fetches where report_id = ?", [report["id"]]).fetchone()[0]
        assert fetches == 1 + ATTACHMENTS
    stored = db.execute("select count(*) from documents").fetchone()[0]
    assert stored == len(reports) * ATTACHMENTS  # no document without its report
