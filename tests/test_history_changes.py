"""Change rows through the real ingest on a real SQLite file: new, edited, unchanged, removed, restored."""

from __future__ import annotations

import json

import pytest
from archive_captures import SEEDS, seed_capture

from nianbao.archive import history, runs
from nianbao.archive.db import open_archive
from nianbao.archive.ingest import ingest_report

ORIGINAL = SEEDS[0].read_text(encoding="utf-8")
# The portal edits the narrative and table 3's first row: 10 new requests become 12.
EDITED = ORIGINAL.replace("共收到和处理政府信息公开申请10件", "共收到和处理政府信息公开申请12件").replace(
    "本年新收政府信息公开申请数量\t10\t0\t0\t0\t0\t0\t10", "本年新收政府信息公开申请数量\t12\t0\t0\t0\t0\t0\t12"
)


@pytest.fixture
def db(tmp_path):
    database = open_archive(tmp_path / "archive.db")
    yield database
    database.close()


def changes(db) -> list[dict]:
    return list(db["changes"].rows_where(order_by="id"))


def test_new_then_edited_then_unchanged(db):
    assert EDITED != ORIGINAL
    run1 = runs.start_run(db, "2026-01-10T00:00:00Z")
    first = ingest_report(db, seed_capture(0, at="2026-01-10T08:00:00Z"), run1)
    assert history.sync_changes(db, run1, first.report_id) == 1
    run2 = runs.start_run(db, "2026-02-10T00:00:00Z")
    second = ingest_report(db, seed_capture(0, at="2026-02-10T08:00:00Z", text=EDITED), run2)
    assert second.outcome == "changed"
    assert history.sync_changes(db, run2, second.report_id) == 1
    run3 = runs.start_run(db, "2026-03-10T00:00:00Z")
    third = ingest_report(db, seed_capture(0, at="2026-03-10T08:00:00Z", text=EDITED), run3)
    assert third.outcome == "unchanged"
    assert history.sync_changes(db, run3) == 0

    new, edited = changes(db)
    assert (new["kind"], new["version_id"], new["run_id"], new["at"]) == ("new", first.version_id, run1,
                                                                          "2026-01-10T08:00:00Z")
    assert new["summary"].startswith("new report: ")
    assert (edited["kind"], edited["version_id"], edited["from_version_id"]) == ("edited", second.version_id,
                                                                               first.version_id)
    assert "-" in edited["text_diff"] and "申请12件" in edited["text_diff"] and "申请10件" in edited["text_diff"]
    figures = {f["key"]: (f["old"], f["new"]) for f in json.loads(edited["figure_changes"])}
    assert figures == {"requests.new.natural_person": (10, 12), "requests.new.total": (10, 12)}
    assert edited["summary"] == ("requests.new.natural_person: 10 → 12; requests.new.total: 10 → 12; "
                                 "text: +1 −1 lines")


def test_removed_then_restored(db):
    run1 = runs.start_run(db, "2026-01-10T00:00:00Z")
    report = ingest_report(db, seed_capture(1, at="2026-01-10T08:00:00Z"), run1).report_id
    history.sync_changes(db, run1)
    run2 = runs.start_run(db, "2026-02-10T00:00:00Z")
    assert history.unlisted_reports(db, run2, "test-portal") == [(report, db["reports"].get(report)["url"])]
    assert history.mark_removed(db, report, run2, "http://x/art_1.html answered 404", at="2026-02-10T09:00:00Z")
    assert not history.mark_removed(db, report, run2, "again")  # already removed: no second event
    removed = db["reports"].get(report)
    assert (removed["status"], removed["removed_at"]) == ("removed", "2026-02-10T09:00:00Z")
    assert db.execute("select reports_removed from crawl_run_portals where run_id = ?", [run2]).fetchone() == (1,)
    assert history.unlisted_reports(db, run2, "test-portal") == []  # removed reports are not checked again

    run3 = runs.start_run(db, "2026-03-10T00:00:00Z")
    back = ingest_report(db, seed_capture(1, at="2026-03-10T08:00:00Z"), run3)
    assert back.restored and back.outcome == "unchanged"
    assert history.sync_changes(db, run3) == 1
    assert history.sync_changes(db, run3) == 0  # idempotent
    assert [c["kind"] for c in changes(db)] == ["new", "removed", "restored"]
    removal = changes(db)[1]
    assert "answered 404" in removal["summary"] and "last seen 2026-01-10T08:00:00Z" in removal["summary"]
    assert db["reports"].get(report)["status"] == "restored"
    assert db["report_versions"].count == 1  # nothing deleted, nothing duplicated


def test_sync_catches_up_on_every_report_after_a_kill(db):
    """A crawl killed between ingest and its change rows: the next sync writes the missing rows, once."""
    for i in range(3):
        ingest_report(db, seed_capture(i))
    assert history.sync_changes(db) == 3
    assert history.sync_changes(db) == 0
    assert {c["kind"] for c in changes(db)} == {"new"}


def test_recent_changes_newest_first_with_report_titles(db):
    ingest_report(db, seed_capture(0, at="2026-01-10T08:00:00Z"))
    ingest_report(db, seed_capture(0, at="2026-02-10T08:00:00Z", text=EDITED))
    history.sync_changes(db)
    recent = history.recent_changes(db)
    assert [c["kind"] for c in recent] == ["edited", "new"]
    assert recent[0]["title"] and recent[0]["portal_id"] == "test-portal"
    assert [c["kind"] for c in history.recent_changes(db, kinds=["new"])] == ["new"]


@pytest.mark.parametrize(
    "status, location, gone",
    [(404, None, True), (410, None, True), (200, None, False), (304, None, False), (500, None, False),
     (302, "http://www.example.gov.cn/", True), (301, "http://x/a.html", False), (302, None, False)],
)
def test_is_gone(status, location, gone):
    assert history.is_gone(status, "http://x/a.html", location) is gone
