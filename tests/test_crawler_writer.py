"""The crawl's writer thread (crawler/writer.py) on a real archive: batched, each job undone alone, results after commit."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from nianbao.crawler.writer import WriterThread


def insert_portal(db, portal_id: str, fail: bool = False) -> str:
    db.execute("insert into portals (id) values (?)", [portal_id])
    if fail:
        raise ValueError(f"{portal_id} failed after writing")
    return portal_id


def committed_portals(path) -> set[str]:
    with sqlite3.connect(path) as other:  # another connection sees committed rows only
        return {row[0] for row in other.execute("select id from portals")}


def test_a_failing_job_undoes_only_its_own_writes_and_results_come_after_the_commit(tmp_path):
    path = tmp_path / "a.db"
    writer = WriterThread()
    writer.attach_archive(path)
    gate = threading.Event()
    writer.submit(gate.wait)  # holds the thread so the next jobs queue up and run as one batch
    seen_when_done: dict[str, set[str]] = {}
    futures = [writer.submit(lambda p=p, fail=fail: insert_portal(writer.db, p, fail))
               for p, fail in (("a", False), ("b", True), ("c", False))]
    for future in futures:
        future.add_done_callback(lambda f: seen_when_done.setdefault(str(id(f)), committed_portals(path)))
    gate.set()
    assert futures[0].result(timeout=30) == "a" and futures[2].result(timeout=30) == "c"
    with pytest.raises(ValueError, match="b failed"):
        futures[1].result(timeout=30)
    writer.close()
    assert committed_portals(path) == {"a", "c"}
    assert all(seen == {"a", "c"} for seen in seen_when_done.values())  # each result came once its batch was committed
